import { pino, type DestinationStream, type Logger } from 'pino';
import type { LogLevel } from './config.js';

export type { Logger };

/** The levels of the lines module code logs, in its pages and its jobs. */
export type ModuleLogLevel = 'debug' | 'info' | 'warn' | 'error';

/** What module code logs with: each line goes to the process log and to the module's log (or its run's log). */
export interface ModuleLogger {
  debug(message: string, fields?: Record<string, unknown>): void;
  info(message: string, fields?: Record<string, unknown>): void;
  warn(message: string, fields?: Record<string, unknown>): void;
  error(message: string, fields?: Record<string, unknown>): void;
}

/**
 * The process logger: one JSON object per line (on stdout unless `destination` is given), so a log shipper can
 * read it without parsing text. Fields named password, token or secret, at the top or one level down, are
 * written as "[redacted]".
 */
export function createLogger(level: LogLevel = 'info', destination?: DestinationStream): Logger {
  return pino(
    {
      level,
      base: { service: 'nxforge' },
      timestamp: pino.stdTimeFunctions.isoTime,
      redact: { paths: ['password', '*.password', 'token', '*.token', 'secret', '*.secret'], censor: '[redacted]' },
    },
    destination ?? pino.destination({ dest: 1, sync: false }),
  );
}
