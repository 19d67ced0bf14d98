import { EventEmitter } from 'node:events';
import { createLogger, type Logger } from '../../src/logger.js';

/** A log line as pino writes it. */
export type LogLine = Record<string, unknown> & { msg: string; level: number };

/** A logger whose lines a test reads, and waits for as they are written. */
export interface CapturedLog {
  logger: Logger;
  lines: LogLine[];
  /** Resolves with the first line (already written, or to come) with this message that passes `match`. */
  waitFor(msg: string, match?: (line: LogLine) => boolean): Promise<LogLine>;
  /** Lines with this message. */
  count(msg: string): number;
}

/** Captures a logger's lines in memory (`level`: the least severe written, default debug). */
export function captureLog(level: 'debug' | 'info' = 'debug'): CapturedLog {
  const lines: LogLine[] = [];
  const written = new EventEmitter();
  const logger = createLogger(level, {
    write: (text: string) => {
      const line = JSON.parse(text) as LogLine;
      lines.push(line);
      written.emit('line', line);
    },
  });
  const waitFor = (msg: string, match: (line: LogLine) => boolean = () => true) => {
    const found = lines.find((line) => line.msg === msg && match(line));
    if (found) return Promise.resolve(found);
    return new Promise<LogLine>((resolve) => {
      const listener = (line: LogLine) => {
        if (line.msg !== msg || !match(line)) return;
        written.off('line', listener);
        resolve(line);
      };
      written.on('line', listener);
    });
  };
  return { logger, lines, waitFor, count: (msg) => lines.filter((line) => line.msg === msg).length };
}
