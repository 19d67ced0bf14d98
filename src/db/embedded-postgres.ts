import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import net from 'node:net';
import path from 'node:path';
import pg from 'pg';
import { NxfError } from '../errors.js';
import type { Logger } from '../logger.js';
import { resolveClusterDir } from './cluster-folder.js';
import { clusterHasOwner, holdOwnership, runningPostmaster, stopLeftPostmaster } from './cluster-owner.js';
import { postgresBinaries } from './postgres-binaries.js';
import { PostgresCluster } from './postgres-process.js';
import { defaultRestartPolicy, PostmasterKeeper, type RestartPolicy } from './postmaster-keeper.js';

/** A PostgreSQL server started by NxForge itself, reachable on loopback only. */
export interface EmbeddedDatabaseServer {
  /** Connection URL of the `nxforge` database. */
  url: string;
  /** URL of the server's maintenance database, for creating and dropping databases. */
  adminUrl: string;
  /**
   * Settles when the cluster this process runs died and could not be started again: the process should exit
   * non-zero. Never settles for a cluster another NxForge process runs.
   */
  failed: Promise<NxfError>;
  stop(): Promise<void>;
}

/** Knobs of the embedded PostgreSQL; production uses the defaults. */
export interface EmbeddedPostgresOptions {
  /** The database NxForge uses (default `nxforge`), created when missing. */
  database?: string;
  /** false: the cluster is deleted when stopped (tests). */
  persistent?: boolean;
  /** How a postmaster that died is started again. */
  restart?: RestartPolicy;
  /** Where a cluster goes when root's `postgres` user cannot reach the data directory (cluster-folder.ts). */
  clusterRoot?: string;
  /** The PostgreSQL build to run (its `native` folder), and where root copies it when `postgres` cannot reach it. */
  binaries?: { native?: string; copyRoot?: string };
}

/**
 * Starts the embedded PostgreSQL kept in `dir` (initialised on first use, then reused so data survives restarts).
 * The superuser password is generated once and kept next to the cluster with owner-only permissions. A cluster
 * another live NxForge process runs (the server, while a command runs) is shared and left running; one a crashed
 * NxForge left running is shut down and started afresh, so this process owns, watches and stops it.
 */
export async function startEmbeddedPostgres(
  dir: string,
  logger: Logger,
  options: EmbeddedPostgresOptions = {},
): Promise<EmbeddedDatabaseServer> {
  await mkdir(path.dirname(dir), { recursive: true });
  const password = await readOrCreatePassword(`${dir}.password`);
  const database = options.database ?? 'nxforge';
  const urlFor = (port: number, name: string) =>
    `postgres://postgres:${encodeURIComponent(password)}@127.0.0.1:${port}/${name}`;
  const clusterDir = await resolveClusterDir(dir, logger, options.clusterRoot);

  const running = await runningPostmaster(clusterDir);
  if (running) {
    const owned = await clusterHasOwner(urlFor(running.port, 'postgres'));
    if (owned) {
      logger.debug({ port: running.port }, 'using the embedded PostgreSQL another NxForge process runs');
      return { url: urlFor(running.port, database), adminUrl: urlFor(running.port, 'postgres'), ...shared };
    }
    if (owned === false) await stopLeftPostmaster(running, logger);
  }

  return startOwnedCluster(clusterDir, password, logger, options);
}

/** Starts the cluster in `clusterDir` as this process's own: initialised when new, watched, stopped with it. */
async function startOwnedCluster(
  clusterDir: string,
  password: string,
  logger: Logger,
  options: EmbeddedPostgresOptions,
): Promise<EmbeddedDatabaseServer> {
  const port = await findFreePort();
  const urlFor = (name: string) => `postgres://postgres:${encodeURIComponent(password)}@127.0.0.1:${port}/${name}`;
  const adminUrl = urlFor('postgres');
  const binaries = await postgresBinaries(logger, options.binaries);
  const postmaster = new PostgresCluster(clusterDir, port, binaries, logger);
  if (!existsSync(path.join(clusterDir, 'PG_VERSION'))) {
    logger.info({ dir: clusterDir }, 'initialising embedded PostgreSQL');
    await postmaster.initialise(password);
  }
  let releaseOwnership = async () => {};
  const policy = options.restart ?? defaultRestartPolicy;
  const keeper = new PostmasterKeeper(
    postmaster,
    () => postmaster.process,
    logger,
    policy,
    async () => {
      releaseOwnership = await holdOwnership(adminUrl);
    },
  );
  const stop = async () => {
    await releaseOwnership();
    await keeper.stop();
    if (options.persistent === false) await rm(clusterDir, { recursive: true, force: true });
  };
  const database = options.database ?? 'nxforge';
  // A postmaster that started but cannot be used must not outlive the failed start (nor keep the process alive).
  await keeper
    .start()
    .then(() => ensureDatabase(adminUrl, database))
    .catch(async (error: unknown) => {
      await stop();
      throw explainStartFailure(error, clusterDir);
    });
  logger.info({ port }, 'embedded PostgreSQL started');
  return { url: urlFor(database), adminUrl, failed: keeper.failed, stop };
}

/** A refused password means the cluster was made with another one: say which files disagree. */
function explainStartFailure(error: unknown, clusterDir: string): unknown {
  if ((error as { code?: unknown }).code !== '28P01') return error;
  return new NxfError(
    'NXF_POSTGRES_START',
    `The embedded PostgreSQL in ${clusterDir} refuses the password NxForge keeps for it: the cluster was made with ` +
      'another one (its password file was replaced, or the cluster belongs to another data directory).',
  );
}

/** The part of a cluster another process runs: it never fails here, and stopping leaves it running. */
const shared = { failed: new Promise<never>(() => {}), stop: async () => {} };

/** Creates `database` on the server unless it exists. */
export async function ensureDatabase(adminUrl: string, database: string): Promise<void> {
  const client = new pg.Client({ connectionString: adminUrl });
  await client.connect();
  try {
    const found = await client.query('SELECT 1 FROM pg_database WHERE datname = $1', [database]);
    if (found.rowCount === 0) await client.query(`CREATE DATABASE ${pg.escapeIdentifier(database)}`);
  } finally {
    await client.end();
  }
}

async function readOrCreatePassword(file: string): Promise<string> {
  try {
    return (await readFile(file, 'utf8')).trim();
  } catch {
    const password = randomBytes(24).toString('base64url');
    await writeFile(file, `${password}\n`, { mode: 0o600 });
    return password;
  }
}

/** A TCP port nothing listens on right now, chosen by the kernel. */
export async function findFreePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = net.createServer();
    probe.unref();
    probe.on('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const { port } = probe.address() as net.AddressInfo;
      probe.close(() => resolve(port));
    });
  });
}
