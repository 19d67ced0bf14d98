import type { Logger } from '../../logger.js';
import type { ModuleLogger } from '../../logger.js';
import type { ModuleLogLevel } from '../../logger.js';
import type { WorkerPort } from './worker-port.js';

/** Plain, cloneable fields (an Error or a function in them would not cross the thread boundary). */
function cloneable(fields: Record<string, unknown> | undefined): Record<string, unknown> | undefined {
  if (!fields || Object.keys(fields).length === 0) return undefined;
  try {
    return JSON.parse(
      JSON.stringify(fields, (_key, value: unknown) =>
        value instanceof Error ? { message: value.message, name: value.name } : value,
      ),
    ) as Record<string, unknown>;
  } catch {
    return { note: 'fields could not be serialised' };
  }
}

/** The job's `logger`: every line goes to the main thread at once, numbered in the order it was logged. */
export function createJobLogger(port: WorkerPort): ModuleLogger {
  let seq = 0;
  const write = (level: ModuleLogLevel) => (message: string, fields?: Record<string, unknown>) => {
    seq += 1;
    port.post({
      type: 'log',
      seq,
      level,
      at: Date.now(),
      message: String(message).slice(0, 10_000),
      fields: cloneable(fields),
    });
  };
  return { debug: write('debug'), info: write('info'), warn: write('warn'), error: write('error') };
}

/**
 * A pino-shaped logger over the job's logger, for the core services built in the worker (the HTTP client logs
 * each request, the scraping service each failed attempt): their lines land in the execution's log.
 */
export function serviceLogger(jobLogger: ModuleLogger): Logger {
  const level =
    (name: keyof ModuleLogger) =>
    (first: unknown, message?: string): void => {
      if (typeof first === 'string') jobLogger[name](first);
      else jobLogger[name](message ?? '', first as Record<string, unknown>);
    };
  const logger = {
    trace: () => undefined,
    debug: level('debug'),
    info: level('info'),
    warn: level('warn'),
    error: level('error'),
    fatal: level('error'),
    child: () => logger,
  };
  return logger as unknown as Logger;
}
