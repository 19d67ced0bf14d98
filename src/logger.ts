import { pino, type Logger } from 'pino';
import type { LogLevel } from './config.js';

export type { Logger };

/** The process logger: one JSON object per line on stdout, so a log shipper can read it without parsing text. */
export function createLogger(level: LogLevel = 'info'): Logger {
  return pino(
    {
      level,
      base: { service: 'nxforge' },
      timestamp: pino.stdTimeFunctions.isoTime,
      redact: { paths: ['password', '*.password', 'token', '*.token', 'secret', '*.secret'], censor: '[redacted]' },
    },
    pino.destination({ dest: 1, sync: false }),
  );
}
