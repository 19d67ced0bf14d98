import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { chmod, lstat, mkdir, mkdtemp, readdir, readlink, stat, symlink } from 'node:fs/promises';
import path from 'node:path';
import { NxfError } from '../errors.js';
import type { Logger } from '../logger.js';

/** Where clusters go that the `postgres` user could not reach inside their data directory. */
export const defaultClusterRoot = '/var/lib/nxforge/clusters';

/**
 * The folder the embedded cluster of `dir` (`$NXFORGE_DATA_DIR/postgres`) really lives in. As root, PostgreSQL
 * runs as the system user `postgres`, which cannot enter a data directory in root's home (mode 0700 on Debian):
 * a new cluster then goes to a new folder `<clusterRoot>/<hash of dir>-<random>` (`/var/lib/nxforge/clusters/…`),
 * and `dir` becomes a symbolic link to it, so the data directory still says where its database is. The folder is
 * new every time: a clone deleted and made again at the same path must not meet the cluster (and password) its
 * predecessor left there, which is kept, untouched, and named in the log. A cluster already inside an unreachable
 * folder is not moved: that is the one case left for the operator (NXF_DATA_DIR_UNREACHABLE).
 */
export async function resolveClusterDir(
  dir: string,
  logger: Logger,
  clusterRoot: string = defaultClusterRoot,
): Promise<string> {
  if (process.getuid?.() !== 0) return dir;
  const entry = await lstat(dir).catch(() => undefined);
  if (entry?.isSymbolicLink()) {
    const target = path.resolve(path.dirname(dir), await readlink(dir));
    if (!existsSync(target)) {
      throw new NxfError(
        'NXF_DATA_DIR_UNREACHABLE',
        `${dir} points to the cluster folder ${target}, which is missing.`,
      );
    }
    await assertReachableByPostgres(path.dirname(target), dir);
    return target;
  }
  const closedAt = await firstClosedFolder(path.dirname(dir));
  if (!closedAt) return dir;
  if (entry) await assertReachableByPostgres(path.dirname(dir), dir);

  const stem = createHash('sha256').update(path.resolve(dir)).digest('hex').slice(0, 16);
  await makeOpenFolders(clusterRoot);
  await assertReachableByPostgres(clusterRoot, dir);
  const leftBehind = (await readdir(clusterRoot)).filter((name) => name.startsWith(stem));
  const target = await mkdtemp(path.join(clusterRoot, `${stem}-`)); // mode 0700; initdb makes it postgres's
  await symlink(target, dir);
  logger.info(
    { dataDir: path.dirname(dir), cluster: target },
    `the user postgres cannot enter ${closedAt}: the embedded PostgreSQL lives in ${target}, linked from ${dir}`,
  );
  if (leftBehind.length > 0) {
    const folders = leftBehind.map((name) => path.join(clusterRoot, name));
    logger.warn(
      { dataDir: path.dirname(dir), leftBehind: folders },
      `an earlier data directory at ${path.dirname(dir)} left its database in ${folders.join(', ')}; ` +
        'it is kept as it was (delete it when it is no longer needed)',
    );
  }
  return target;
}

/** Creates `folder` and its missing parents readable and enterable by everyone (whatever the umask). */
export async function makeOpenFolders(folder: string): Promise<void> {
  const missing: string[] = [];
  for (let current = path.resolve(folder); !existsSync(current); current = path.dirname(current))
    missing.unshift(current);
  for (const created of missing) {
    await mkdir(created);
    await chmod(created, 0o755);
  }
}

/** The first folder from `/` down to `folder` that others may not enter, if any. */
export async function firstClosedFolder(folder: string): Promise<string | undefined> {
  const chain: string[] = [];
  for (let current = path.resolve(folder); ; current = path.dirname(current)) {
    chain.unshift(current);
    if (current === path.dirname(current)) break;
  }
  for (const current of chain) {
    const found = await stat(current).catch(() => undefined);
    if (!found) return undefined; // created below by mkdir, with the usual permissions
    if ((found.mode & 0o001) === 0) return current;
  }
  return undefined;
}

/** Says which folder to fix, instead of initdb's "Permission denied", when `postgres` cannot reach `folder`. */
async function assertReachableByPostgres(folder: string, clusterDir: string): Promise<void> {
  const closed = await firstClosedFolder(folder);
  if (!closed) return;
  throw new NxfError(
    'NXF_DATA_DIR_UNREACHABLE',
    `The embedded PostgreSQL runs as the system user "postgres" when NxForge runs as root, and it cannot enter ` +
      `${closed}, where its cluster ${clusterDir} is. Set NXFORGE_DATA_DIR to a folder such as /var/lib/nxforge, ` +
      `move the cluster out, or allow it: chmod o+x ${closed}`,
  );
}
