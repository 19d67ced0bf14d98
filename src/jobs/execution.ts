import type { ExecutionStatus, JobTrigger } from './job-types.js';

/** A screenshot kept with an execution: a file in the module's storage folder. */
export interface ExecutionScreenshot {
  /** Relative to the module's storage folder. */
  path: string;
  /** What was scraped (the scrape's name or host). */
  name: string;
  at: string;
}

/** One run of one job (a row of `executions`). */
export interface Execution {
  id: string;
  module: string;
  job: string;
  trigger: JobTrigger;
  attempt: number;
  /** The attempt this one repeats. */
  retryOf: string | null;
  status: ExecutionStatus;
  /** The cron occurrence a scheduled run is for. */
  scheduledFor: Date | null;
  /** Data given to a manual run. */
  input: unknown;
  triggeredBy: string;
  /** The NxForge process that ran it. */
  runner: string;
  queuedAt: Date;
  startedAt: Date | null;
  finishedAt: Date | null;
  durationMs: number | null;
  result: unknown;
  error: string | null;
  errorCode: string | null;
  errorStack: string | null;
  screenshots: ExecutionScreenshot[];
  logLines: number;
}

/** Which executions to list; every field narrows. */
export interface ExecutionFilters {
  module?: string;
  job?: string;
  status?: ExecutionStatus;
  /** Queued at or after. */
  since?: Date;
  /** Queued before. */
  until?: Date;
  /** Default 50, at most 500. */
  limit?: number;
  offset?: number;
}

/** How an execution ended. */
export interface ExecutionOutcome {
  status: Exclude<ExecutionStatus, 'queued' | 'running'>;
  result?: unknown;
  error?: string;
  errorCode?: string;
  errorStack?: string;
  logLines: number;
}

/** What a new queued execution is. */
export interface NewExecution {
  module: string;
  job: string;
  trigger: JobTrigger;
  attempt: number;
  retryOf?: string;
  input?: unknown;
  triggeredBy: string;
  runner: string;
}

/** A row of `executions` as the driver returns it. */
export interface ExecutionRow {
  id: string;
  module_name: string;
  job_name: string;
  trigger: JobTrigger;
  attempt: number;
  retry_of: string | null;
  status: ExecutionStatus;
  scheduled_for: Date | null;
  input: unknown;
  triggered_by: string;
  runner: string;
  queued_at: Date;
  started_at: Date | null;
  finished_at: Date | null;
  duration_ms: number | null;
  result: unknown;
  error: string | null;
  error_code: string | null;
  error_stack: string | null;
  screenshots: ExecutionScreenshot[];
  log_lines: number;
}

/** A row as an Execution. */
export const toExecution = (row: ExecutionRow): Execution => ({
  id: row.id,
  module: row.module_name,
  job: row.job_name,
  trigger: row.trigger,
  attempt: row.attempt,
  retryOf: row.retry_of,
  status: row.status,
  scheduledFor: row.scheduled_for,
  input: row.input,
  triggeredBy: row.triggered_by,
  runner: row.runner,
  queuedAt: row.queued_at,
  startedAt: row.started_at,
  finishedAt: row.finished_at,
  durationMs: row.duration_ms,
  result: row.result,
  error: row.error,
  errorCode: row.error_code,
  errorStack: row.error_stack,
  screenshots: row.screenshots ?? [],
  logLines: row.log_lines,
});
