import type { Config } from '../config.js';
import { startNxforge, type RunningNxforge } from '../nxforge.js';

/**
 * Runs the server until SIGTERM or SIGINT, then shuts down cleanly and exits 0. The signals are caught from the
 * start, so one that arrives while the server is still starting stops it as soon as it is up.
 */
export async function serveCommand(config: Config): Promise<number> {
  let signalled: (signal: NodeJS.Signals) => void = () => {};
  const signal = new Promise<NodeJS.Signals>((resolve) => (signalled = resolve));
  process.once('SIGTERM', signalled);
  process.once('SIGINT', signalled);

  const running: RunningNxforge = await startNxforge(config);
  const received = await signal;
  running.services.logger.info({ signal: received }, 'signal received');
  try {
    await running.stop();
    return 0;
  } catch (error) {
    running.services.logger.error({ err: error }, 'shutdown failed');
    return 1;
  }
}
