import cluster from 'node:cluster';
import type { Config } from '../config.js';
import { createLogger } from '../logger.js';
import { startNxforge, type RunningNxforge } from '../nxforge.js';
import { superviseWorkers } from './worker-supervisor.js';

/**
 * Runs the server until SIGTERM or SIGINT, then shuts down cleanly and exits 0. With `NXFORGE_WORKERS` above 1
 * this process supervises that many server processes instead (worker-supervisor.ts); each of them runs this same
 * command.
 */
export async function serveCommand(config: Config): Promise<number> {
  if (cluster.isPrimary && config.workers > 1) return superviseWorkers(config);
  try {
    return await serveUntilSignalled(config);
  } finally {
    // A worker's channel to its supervisor would keep the process alive after it stopped or failed to start.
    if (cluster.worker?.isConnected()) cluster.worker.disconnect();
  }
}

/**
 * The signals are caught from the start, so one that arrives while the server is still starting stops it as soon
 * as it is up. An embedded PostgreSQL that died for good stops it too, with exit code 1, so the service manager
 * restarts NxForge as a whole.
 */
async function serveUntilSignalled(config: Config): Promise<number> {
  let signalled: (signal: NodeJS.Signals) => void = () => {};
  const signal = new Promise<NodeJS.Signals>((resolve) => (signalled = resolve));
  process.once('SIGTERM', signalled);
  process.once('SIGINT', signalled);
  // A worker whose supervisor is gone (killed outright) stops too, rather than serve on unsupervised.
  cluster.worker?.once('disconnect', () => signalled('SIGTERM'));

  const logger = cluster.worker ? createLogger(config.logLevel).child({ worker: cluster.worker.id }) : undefined;
  const running: RunningNxforge = await startNxforge(config, { logger });
  const outcome = await Promise.race([signal, running.failed]);
  const log = running.services.logger;
  if (typeof outcome === 'string') log.info({ signal: outcome }, 'signal received');
  else log.error({ code: outcome.code }, 'stopping: the database is gone');
  try {
    await running.stop();
    return typeof outcome === 'string' ? 0 : 1;
  } catch (error) {
    log.error({ err: error }, 'shutdown failed');
    return 1;
  }
}
