import { execFile } from 'node:child_process';
import { createWriteStream, existsSync } from 'node:fs';
import { readdir, stat } from 'node:fs/promises';
import path from 'node:path';
import { pipeline } from 'node:stream/promises';
import { promisify } from 'node:util';
import yazl from 'yazl';
import { NxfError } from '../../errors.js';
import { projectRoot } from '../../paths.js';
import { checkModulePackage } from '../install/package-check.js';

const run = promisify(execFile);

/** What a module needs at run time; sources, tests and build files stay out of the archive. */
const packedEntries = [
  'manifest.json',
  'package.json',
  'dist',
  'views',
  'migrations',
  'public',
  'README.md',
  'LICENSE',
];

/**
 * Builds a module folder (TypeScript, when it has a tsconfig.json, with NxForge's own compiler), checks it as
 * installing would, and writes `<name>-<version>.zip` with only what the module needs.
 * @throws NxfError NXF_MODULE_BUILD when compiling fails, NXF_MODULE_INVALID listing the problems.
 */
export async function packModule(dir: string, outDir: string): Promise<{ file: string; entries: number }> {
  const moduleDir = path.resolve(dir);
  if (existsSync(path.join(moduleDir, 'tsconfig.json'))) {
    const tsc = path.join(projectRoot, 'node_modules', 'typescript', 'bin', 'tsc');
    try {
      await run(process.execPath, [tsc, '-p', path.join(moduleDir, 'tsconfig.json')], { cwd: moduleDir });
    } catch (error) {
      const output = (error as { stdout?: string }).stdout ?? (error as Error).message;
      throw new NxfError('NXF_MODULE_BUILD', `The module does not compile:\n${output}`);
    }
  }
  const check = await checkModulePackage(moduleDir);
  if (!check.manifest || check.problems.length > 0) {
    throw new NxfError('NXF_MODULE_INVALID', check.problems.map((p) => `${p.field}: ${p.message}`).join('\n'), {
      details: check.problems,
    });
  }
  const zip = new yazl.ZipFile();
  let entries = 0;
  for (const entry of packedEntries) {
    for (const file of await filesUnder(moduleDir, entry)) {
      zip.addFile(path.join(moduleDir, file), file.split(path.sep).join('/'), { mode: 0o100644 });
      entries += 1;
    }
  }
  const file = path.resolve(outDir, `${check.manifest.name}-${check.manifest.version}.zip`);
  zip.end();
  await pipeline(zip.outputStream, createWriteStream(file));
  return { file, entries };
}

/** Regular files at `relative` (a file or a folder, followed recursively), relative to `root`; symlinks skipped. */
async function filesUnder(root: string, relative: string): Promise<string[]> {
  const full = path.join(root, relative);
  const info = await stat(full).catch(() => undefined);
  if (!info) return [];
  if (info.isFile()) return [relative];
  if (!info.isDirectory()) return [];
  const files: string[] = [];
  for (const child of (await readdir(full, { withFileTypes: true })).sort((a, b) => a.name.localeCompare(b.name))) {
    if (child.isSymbolicLink()) continue;
    files.push(...(await filesUnder(root, path.join(relative, child.name))));
  }
  return files;
}
