import { existsSync } from 'node:fs';
import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { migrationFilePattern, parseSqlMigration } from '../../db/sql-migration.js';
import { isNxfError, NxfError } from '../../errors.js';
import { readManifest, type ManifestProblem } from '../manifest/manifest-read.js';
import type { ModuleManifest } from '../manifest/manifest-types.js';
import { prefixViolations } from '../migrations/sql-object-scan.js';
import type { SafeEntry } from './zip-archive.js';

/** The outcome of checking a module's files: the manifest when it could be read, and every problem found. */
export interface PackageCheck {
  manifest?: ModuleManifest;
  /** The module's name, when the manifest at least names it (so an invalid upload can be recorded under it). */
  name?: string;
  problems: ManifestProblem[];
}

/**
 * Where the manifest is in an archive: at the root, or in a single top folder (`dummy/manifest.json`), as
 * `zip -r dummy.zip dummy/` makes. Returns the prefix of the module's files.
 * @throws NxfError NXF_ZIP_NO_MANIFEST otherwise.
 */
export function moduleRoot(entries: SafeEntry[]): string {
  if (entries.some((entry) => entry.name === 'manifest.json')) return '';
  const tops = new Set(entries.map((entry) => entry.name.split('/')[0]));
  const [top] = tops;
  if (tops.size === 1 && entries.some((entry) => entry.name === `${top}/manifest.json`)) return `${top}/`;
  throw new NxfError('NXF_ZIP_NO_MANIFEST', 'The archive has no manifest.json at its root or in a single top folder.', {
    status: 400,
    details: [{ field: '(archive)', message: 'manifest.json not found where it belongs' }],
  });
}

/**
 * Checks a module folder as installing it would: the manifest against the schema, the files it names
 * (entry, views, widget views, job handlers), and the migrations (names, SQL sections, table prefix).
 */
export async function checkModulePackage(dir: string): Promise<PackageCheck> {
  let manifest: ModuleManifest;
  try {
    manifest = await readManifest(dir);
  } catch (error) {
    if (!isNxfError(error)) throw error;
    const details = Array.isArray(error.details)
      ? (error.details as ManifestProblem[])
      : [{ field: 'manifest.json', message: error.message }];
    return { name: await nameIn(dir), problems: details };
  }
  const problems: ManifestProblem[] = [];
  const missing = (field: string, file: string) => {
    if (!existsSync(path.resolve(dir, file))) problems.push({ field, message: `${file} is missing from the module` });
  };
  missing('entry', manifest.entry);
  missing('ui.views', manifest.ui.views);
  (manifest.ui.widgets ?? []).forEach((widget, index) =>
    missing(`ui.widgets[${index}].view`, path.join(manifest.ui.views, `${widget.view}.eta`)),
  );
  const entryDir = path.dirname(manifest.entry);
  for (const [id, job] of Object.entries(manifest.jobs)) {
    missing(`jobs.${id}.handler`, path.join(entryDir, path.extname(job.handler) ? job.handler : `${job.handler}.js`));
  }
  problems.push(
    ...(await migrationProblems(path.resolve(dir, manifest.migrations), manifest.tablePrefix, manifest.adopts)),
  );
  return { manifest, name: manifest.name, problems };
}

async function migrationProblems(
  dir: string,
  tablePrefix: string,
  adopts: readonly string[] = [],
): Promise<ManifestProblem[]> {
  const files = await readdir(dir).catch(() => null);
  if (files === null) return [{ field: 'migrations', message: 'the migrations folder is missing' }];
  const problems: ManifestProblem[] = [];
  for (const file of files.sort()) {
    if (file.startsWith('.')) continue;
    const field = `migrations/${file}`;
    if (!migrationFilePattern.test(file)) {
      problems.push({ field, message: 'is not a migration: name migrations NNN_name.sql or NNN_name.js' });
      continue;
    }
    if (!file.endsWith('.sql')) continue;
    try {
      const sql = parseSqlMigration(await readFile(path.join(dir, file), 'utf8'), file);
      for (const violation of prefixViolations(`${sql.up}\n${sql.down}`, tablePrefix, adopts))
        problems.push({ field, message: violation });
    } catch (error) {
      problems.push({ field, message: (error as Error).message });
    }
  }
  return problems;
}

/** The `name` of a manifest that is otherwise invalid, when it is a usable module name. */
async function nameIn(dir: string): Promise<string | undefined> {
  try {
    const name = (JSON.parse(await readFile(path.join(dir, 'manifest.json'), 'utf8')) as { name?: unknown }).name;
    return typeof name === 'string' && /^[a-z][a-z0-9]*(-[a-z0-9]+)*$/.test(name) && name.length <= 50
      ? name
      : undefined;
  } catch {
    return undefined;
  }
}
