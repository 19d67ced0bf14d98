import { cp, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { ModuleManifest } from '../../src/modules/manifest/manifest-types.js';
import { projectRoot } from '../../src/paths.js';
import type { TestServer } from './server.js';

/** The source folder of a module fixture under test/fixtures. */
export function fixturePath(name: string): string {
  return path.join(projectRoot, 'test', 'fixtures', name);
}

/**
 * Copies a module fixture to a temporary folder, optionally changing its manifest or files first, so a test
 * can break it without touching the fixture. Returns the folder and a function removing it.
 */
export async function copyModuleFixture(
  options: {
    fixture?: string;
    manifest?: (manifest: ModuleManifest) => void;
    files?: Record<string, string | null>;
  } = {},
): Promise<{ dir: string; remove: () => Promise<void> }> {
  const root = await mkdtemp(path.join(os.tmpdir(), 'nxf-module-'));
  const dir = path.join(root, options.fixture ?? 'dummy-module');
  await cp(fixturePath(options.fixture ?? 'dummy-module'), dir, { recursive: true });
  if (options.manifest) {
    const file = path.join(dir, 'manifest.json');
    const manifest = JSON.parse(await readFile(file, 'utf8')) as ModuleManifest;
    options.manifest(manifest);
    await writeFile(file, JSON.stringify(manifest, null, 2));
  }
  for (const [relative, content] of Object.entries(options.files ?? {})) {
    const file = path.join(dir, relative);
    if (content === null) await rm(file, { force: true });
    else await writeFile(file, content);
  }
  return { dir, remove: () => rm(root, { recursive: true, force: true }) };
}

const admin = { name: 'test' };

/** Installs the module in `dir` on `server` and enables it. */
export async function installAndEnable(server: TestServer, dir: string): Promise<void> {
  const record = await server.services.modules.installFromDirectory(dir, 'installed', admin);
  await server.services.modules.enable(record.name, admin);
}

export const testActor = admin;

/** True when a table exists in the server's database. */
export async function tableExists(server: TestServer, table: string): Promise<boolean> {
  const row = await server.services.db.one<{ found: string | null }>('SELECT to_regclass($1) AS found', [table]);
  return row?.found !== null;
}

/**
 * A copy of the minimal module under another name: its prefix, claim and sidebar follow the name.
 * `dependencies` adds module dependencies; `manifest` changes anything else.
 */
export function copyMinimalModule(
  name: string,
  options: {
    dependencies?: Record<string, string>;
    manifest?: (manifest: ModuleManifest) => void;
    files?: Record<string, string | null>;
  } = {},
) {
  return copyModuleFixture({
    fixture: 'minimal-module',
    files: options.files,
    manifest: (manifest) => {
      manifest.name = name;
      manifest.displayName = `Module ${name}`;
      manifest.tablePrefix = `${name.replace(/[^a-z0-9]/g, '').slice(0, 8)}_`;
      manifest.ui.routes = [{ path: `/${name}/*` }];
      manifest.ui.sidebar.children = [{ label: 'Home', path: `/${name}` }];
      Object.assign(manifest.dependencies, options.dependencies ?? {});
      options.manifest?.(manifest);
    },
  });
}
