import type { Config } from '../config.js';
import { startNxforge } from '../nxforge.js';

/** Runs the server until SIGTERM or SIGINT, then shuts down cleanly and exits 0. */
export async function serveCommand(config: Config): Promise<number> {
  const running = await startNxforge(config);
  return new Promise<number>((resolve) => {
    let stopping = false;
    const stop = (signal: NodeJS.Signals) => {
      if (stopping) return;
      stopping = true;
      running.services.logger.info({ signal }, 'signal received');
      running.stop().then(
        () => resolve(0),
        (error: unknown) => {
          running.services.logger.error({ err: error }, 'shutdown failed');
          resolve(1);
        },
      );
    };
    process.once('SIGTERM', stop);
    process.once('SIGINT', stop);
  });
}
