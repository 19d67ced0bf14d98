import { errorMessage } from '../errors.js';
import type { Logger } from '../logger.js';
import type { ExecutionLogLine, ExecutionLogStore } from './execution-log-store.js';

/** Limits of one execution's log. */
export interface LogWriterOptions {
  /** How often buffered lines are written while the job runs (ms, default 200). */
  flushMs?: number;
  /** Lines kept per execution; later ones are counted and dropped (default 10 000). */
  maxLines?: number;
}

/** Buffers an execution's log lines and writes them in order, in batches, while the job runs. */
export interface LogWriter {
  /** Adds a line (in the order the job logged it). */
  push(line: Omit<ExecutionLogLine, 'seq'>): void;
  /** Writes what is buffered; the returned promise settles after every earlier write. */
  flush(): Promise<void>;
  /** Final flush, with a line saying how many were dropped; resolves with the number of lines stored. */
  close(): Promise<number>;
}

/** Creates the writer for one execution. A failed write is reported in the process log, never to the job. */
export function createLogWriter(
  store: ExecutionLogStore,
  executionId: string,
  logger: Logger,
  options: LogWriterOptions = {},
): LogWriter {
  const maxLines = options.maxLines ?? 10_000;
  let buffer: ExecutionLogLine[] = [];
  let kept = 0;
  let dropped = 0;
  let chain: Promise<void> = Promise.resolve();
  let timer: NodeJS.Timeout | undefined;

  const flush = () => {
    clearTimeout(timer);
    timer = undefined;
    const batch = buffer;
    buffer = [];
    // Writes are chained: a later batch never lands before an earlier one.
    chain = chain.then(() =>
      store.append(executionId, batch).catch((error: unknown) => {
        logger.warn({ executionId, lines: batch.length, error: errorMessage(error) }, 'could not store job log lines');
      }),
    );
    return chain;
  };

  return {
    push(line) {
      if (kept >= maxLines) {
        dropped += 1;
        return;
      }
      kept += 1;
      buffer.push({ ...line, seq: kept });
      timer ??= setTimeout(() => void flush(), options.flushMs ?? 200);
    },
    flush,
    async close() {
      if (dropped > 0) {
        kept += 1;
        buffer.push({
          seq: kept,
          at: new Date(),
          level: 'warn',
          message: `${dropped} more line${dropped === 1 ? '' : 's'} not kept (at most ${maxLines} per execution).`,
          fields: null,
        });
      }
      await flush();
      return kept;
    },
  };
}
