import type { Logger, ModuleLogger, ModuleLogLevel } from '../../logger.js';
import type { ModuleLogStore } from '../module-log.js';

export type { ModuleLogger };

/**
 * A logger for `module`. Writing to the module log never blocks or fails the caller: a line that cannot be
 * stored is reported in the process log instead. Debug lines go to the process log only.
 */
export function createModuleLogger(module: string, logger: Logger, store: ModuleLogStore): ModuleLogger {
  const processLog = logger.child({ module });
  const write = (level: ModuleLogLevel) => (message: string, fields?: Record<string, unknown>) => {
    processLog[level](fields ?? {}, message);
    if (level === 'debug') return;
    store
      .write({ module, kind: 'log', level, message, actor: null, fields: fields ?? null })
      .catch((error: unknown) => {
        processLog.warn({ err: error }, 'could not store a module log line');
      });
  };
  return { debug: write('debug'), info: write('info'), warn: write('warn'), error: write('error') };
}
