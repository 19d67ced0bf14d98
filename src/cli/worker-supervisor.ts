import cluster, { type Worker } from 'node:cluster';
import { mkdir } from 'node:fs/promises';
import { bootstrapAdmin } from '../auth/bootstrap-admin.js';
import { UserStore } from '../auth/users.js';
import type { Config } from '../config.js';
import { migrateCore } from '../db/core-migrations.js';
import { resolveSecret } from '../keyring.js';
import { createLogger, type Logger } from '../logger.js';
import { openDatabase, serverUrl } from '../nxforge.js';

/** Workers exiting this often within `crashWindowMs` cannot start (a taken port, a broken database): give up. */
const crashLimit = 5;
const crashWindowMs = 60_000;
const restartDelayMs = 1_000;

/**
 * `nxforge serve` with `NXFORGE_WORKERS` > 1: this process prepares what must happen once — the secret file,
 * the embedded PostgreSQL, the core migrations, the first administrator — then starts that many server processes
 * (node:cluster), which share the port and the database and keep each other up to date as two NxForge
 * processes always do (PostgreSQL notifications for modules, sessions and settings; row claims for job runs).
 * A worker that dies is replaced. SIGTERM/SIGINT stop every worker gracefully, then the embedded PostgreSQL.
 * @returns the exit code: 0 after a clean shutdown, 1 when the workers kept failing.
 */
export async function superviseWorkers(config: Config): Promise<number> {
  const logger = createLogger(config.logLevel).child({ supervisor: true });
  let stop: (reason: 'signal' | 'failing') => void = () => {};
  const stopped = new Promise<'signal' | 'failing'>((resolve) => (stop = resolve));
  process.once('SIGTERM', () => stop('signal'));
  process.once('SIGINT', () => stop('signal'));

  await mkdir(config.dataDir, { recursive: true });
  await resolveSecret(config.dataDir, config.secret); // generated here once, so every worker reads the same
  const { db, embedded } = await openDatabase(config, logger);
  try {
    try {
      const applied = await migrateCore(db, logger);
      if (applied.length > 0) logger.info({ migrations: applied }, 'applied core migrations');
      await bootstrapAdmin(new UserStore(db), logger, config.adminPassword);
    } finally {
      await db.close();
    }
    const databaseUrl = config.databaseUrl ?? (embedded?.url as string);
    // The workers cannot serve without the cluster this process runs: stop them all, and exit 1.
    void embedded?.failed.then(() => stop('failing'));
    const outcome = await runWorkers(config.workers, { DATABASE_URL: databaseUrl }, logger, stopped, stop);
    return outcome === 'signal' ? 0 : 1;
  } finally {
    await embedded?.stop();
  }
}

/** Keeps `count` workers running until `stopped`; then stops them all and waits for them. */
async function runWorkers(
  count: number,
  env: Record<string, string>,
  logger: Logger,
  stopped: Promise<'signal' | 'failing'>,
  stop: (reason: 'failing') => void,
): Promise<'signal' | 'failing'> {
  let stopping = false;
  const crashes: number[] = [];
  const listening = new Set<number>();
  const start = () => cluster.fork(env);

  cluster.on('listening', (worker: Worker, address) => {
    listening.add(worker.id);
    if (listening.size !== count) return;
    const url = serverUrl(address.address, address.port);

    logger.info({ url, workers: count }, `NxForge is listening on ${url} with ${count} worker processes`);
  });
  cluster.on('exit', (worker: Worker, code, signal) => {
    listening.delete(worker.id);
    if (stopping) return;
    const now = Date.now();
    crashes.push(now);
    while (crashes.length > 0 && (crashes[0] as number) < now - crashWindowMs) crashes.shift();
    if (crashes.length >= crashLimit) {
      logger.error({ exits: crashes.length }, 'workers keep exiting; stopping NxForge');
      stop('failing');
      return;
    }
    logger.error({ worker: worker.id, pid: worker.process.pid, code, signal }, 'a worker exited; starting another');
    // Not unref'd: with every worker dead and a cluster this process does not run, it is all that keeps it alive.
    setTimeout(() => stopping || start(), restartDelayMs);
  });

  for (let i = 0; i < count; i += 1) start();
  const reason = await stopped;
  stopping = true;
  logger.info({ reason }, 'stopping the workers');
  const workers = Object.values(cluster.workers ?? {}).filter((worker): worker is Worker => !!worker);
  await Promise.all(
    workers.map(
      (worker) =>
        new Promise<void>((resolve) => {
          if (worker.isDead()) return resolve();
          worker.once('exit', () => resolve());
          worker.process.kill('SIGTERM');
        }),
    ),
  );
  logger.info('stopped');
  return reason;
}
