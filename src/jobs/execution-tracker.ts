import type { Database } from '../db/database.js';
import { errorMessage } from '../errors.js';
import type { Logger } from '../logger.js';
import { ExecutionLogStore, type ExecutionLogLine } from './execution-log-store.js';
import {
  ExecutionStore,
  type Execution,
  type ExecutionFilters,
  type ExecutionOutcome,
  type ExecutionScreenshot,
  type NewExecution,
} from './execution-store.js';
import type { JobResult } from './job-types.js';
import { createLogWriter, type LogWriter, type LogWriterOptions } from './log-writer.js';
import type { SerializedError } from './worker-protocol.js';

/** How a failed execution ended. */
export type FailureStatus = 'failed' | 'timed_out' | 'cancelled';

/** Largest result `data` kept with an execution, as JSON. */
export const maxResultBytes = 256 * 1024;

/**
 * Execution tracking: every run of every job is a row from the moment it
 * is queued to its end, with its result or error (and stack), its log lines and screenshots.
 */
export class ExecutionTracker {
  readonly store: ExecutionStore;
  readonly logs: ExecutionLogStore;

  constructor(
    db: Database,
    private readonly logger: Logger,
    private readonly logOptions: LogWriterOptions = {},
  ) {
    this.store = new ExecutionStore(db);
    this.logs = new ExecutionLogStore(db);
  }

  /** Records a queued run (manual or retry) and returns it. */
  startExecution(run: NewExecution): Promise<Execution> {
    return this.store.insertQueued(run);
  }

  /** queued → running; false when it was cancelled before it could start. */
  markRunning(id: string): Promise<boolean> {
    return this.store.markRunning(id);
  }

  /** Adds a screenshot the run took (a failed scrape's, usually). */
  async updateExecution(id: string, update: { screenshot: ExecutionScreenshot }): Promise<void> {
    await this.store.addScreenshot(id, update.screenshot);
  }

  /** Records the handler's result: succeeded, or failed when it says `success: false`. */
  completeExecution(id: string, result: JobResult, logLines: number): Promise<Execution | undefined> {
    const outcome: ExecutionOutcome = result.success
      ? { status: 'succeeded', result: keepable(result), logLines }
      : {
          status: 'failed',
          result: keepable(result),
          error: result.error ?? 'The job reported that it did not succeed.',
          errorCode: 'NXF_JOB_UNSUCCESSFUL',
          logLines,
        };
    return this.store.finish(id, outcome);
  }

  /** Records a failure, a timeout or a cancellation with its error. */
  failExecution(
    id: string,
    status: FailureStatus,
    error: SerializedError & { code: string },
    logLines: number,
  ): Promise<Execution | undefined> {
    return this.store.finish(id, {
      status,
      error: error.message,
      errorCode: error.code,
      errorStack: error.stack,
      logLines,
    });
  }

  /** Executions matching `filters`, newest first. */
  getExecutions(filters: ExecutionFilters): Promise<Execution[]> {
    return this.store.list(filters);
  }

  getExecution(id: string): Promise<Execution | undefined> {
    return this.store.get(id);
  }

  /** An execution's log lines after `afterSeq`, in order. */
  logLines(id: string, afterSeq = 0, limit = 1000): Promise<ExecutionLogLine[]> {
    return this.logs.list(id, { afterSeq, limit });
  }

  /** A writer for the log of a running execution. */
  openLog(id: string): LogWriter {
    return createLogWriter(this.logs, id, this.logger, this.logOptions);
  }
}

/** The result as stored: data too large to keep is replaced by a note saying so. */
function keepable(result: JobResult): JobResult {
  let size: number;
  try {
    size = Buffer.byteLength(JSON.stringify(result.data ?? null));
  } catch (error) {
    return { ...result, data: { note: `The result could not be stored: ${errorMessage(error)}` } };
  }
  if (size <= maxResultBytes) return result;
  return { ...result, data: { note: `The result (${size} bytes) was larger than ${maxResultBytes} bytes.` } };
}
