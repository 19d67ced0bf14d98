import type { Database } from '../db/database.js';
import {
  toExecution,
  type Execution,
  type ExecutionFilters,
  type ExecutionOutcome,
  type ExecutionRow,
  type ExecutionScreenshot,
  type NewExecution,
} from './execution.js';

export type { Execution, ExecutionFilters, ExecutionOutcome, ExecutionScreenshot, NewExecution } from './execution.js';

const json = (value: unknown) => (value === undefined ? null : JSON.stringify(value));

/** The `executions` table. Status changes are conditional updates, so a row changes hands exactly once. */
export class ExecutionStore {
  constructor(private readonly db: Database) {}

  /** Records a run waiting to start. */
  async insertQueued(run: NewExecution): Promise<Execution> {
    const row = await this.db.one<ExecutionRow>(
      `INSERT INTO executions (module_name, job_name, trigger, attempt, retry_of, status, input, triggered_by, runner)
       VALUES ($1, $2, $3, $4, $5, 'queued', $6, $7, $8) RETURNING *`,
      [
        run.module,
        run.job,
        run.trigger,
        run.attempt,
        run.retryOf ?? null,
        json(run.input),
        run.triggeredBy,
        run.runner,
      ],
    );
    return toExecution(row as ExecutionRow);
  }

  /**
   * Claims the cron occurrence `scheduledFor` of a job for `runner`. Undefined when another process claimed it
   * first (the unique index), when the job is paused, or when a run of it is still queued or running anywhere.
   */
  async claimScheduled(
    module: string,
    job: string,
    scheduledFor: Date,
    runner: string,
  ): Promise<Execution | undefined> {
    const row = await this.db.one<ExecutionRow>(
      `INSERT INTO executions (module_name, job_name, trigger, attempt, status, scheduled_for, triggered_by, runner)
       SELECT $1, $2, 'schedule', 1, 'queued', $3, 'schedule', $4
        WHERE NOT EXISTS (SELECT 1 FROM job_states WHERE module_name = $1 AND job_name = $2 AND paused)
          AND NOT EXISTS (SELECT 1 FROM executions
                           WHERE module_name = $1 AND job_name = $2 AND status IN ('queued', 'running'))
       ON CONFLICT (module_name, job_name, scheduled_for) WHERE trigger = 'schedule' DO NOTHING
       RETURNING *`,
      [module, job, scheduledFor, runner],
    );
    return row && toExecution(row);
  }

  /** queued → running; false when the execution is no longer queued (cancelled meanwhile). */
  async markRunning(id: string): Promise<boolean> {
    const touched = await this.db.execute(
      `UPDATE executions SET status = 'running', started_at = clock_timestamp() WHERE id = $1 AND status = 'queued'`,
      [id],
    );
    return touched === 1;
  }

  /** Records how an unfinished execution ended; undefined when it had already ended. */
  async finish(id: string, outcome: ExecutionOutcome): Promise<Execution | undefined> {
    const row = await this.db.one<ExecutionRow>(
      `UPDATE executions
          SET status = $2, result = $3, error = $4, error_code = $5, error_stack = $6, log_lines = $7,
              finished_at = clock_timestamp(),
              duration_ms = CASE WHEN started_at IS NULL THEN NULL
                                 ELSE (extract(epoch FROM clock_timestamp() - started_at) * 1000)::integer END
        WHERE id = $1 AND status IN ('queued', 'running')
        RETURNING *`,
      [
        id,
        outcome.status,
        json(outcome.result),
        outcome.error?.slice(0, 10_000) ?? null,
        outcome.errorCode ?? null,
        outcome.errorStack?.slice(0, 20_000) ?? null,
        outcome.logLines,
      ],
    );
    return row && toExecution(row);
  }

  /** Adds a screenshot to an execution's list. */
  async addScreenshot(id: string, screenshot: ExecutionScreenshot): Promise<void> {
    await this.db.execute(`UPDATE executions SET screenshots = screenshots || $2::jsonb WHERE id = $1`, [
      id,
      JSON.stringify([screenshot]),
    ]);
  }

  async get(id: string): Promise<Execution | undefined> {
    if (!isUuid(id)) return undefined;
    const row = await this.db.one<ExecutionRow>('SELECT * FROM executions WHERE id = $1', [id]);
    return row && toExecution(row);
  }

  /** Executions matching `filters`, newest first. */
  async list(filters: ExecutionFilters = {}): Promise<Execution[]> {
    const rows = await this.db.select<ExecutionRow>(
      `SELECT * FROM executions
        WHERE ($1::text IS NULL OR module_name = $1) AND ($2::text IS NULL OR job_name = $2)
          AND ($3::text IS NULL OR status = $3)
          AND ($4::timestamptz IS NULL OR queued_at >= $4) AND ($5::timestamptz IS NULL OR queued_at < $5)
        ORDER BY queued_at DESC, id DESC LIMIT $6 OFFSET $7`,
      [
        filters.module ?? null,
        filters.job ?? null,
        filters.status ?? null,
        filters.since ?? null,
        filters.until ?? null,
        Math.min(Math.max(filters.limit ?? 50, 1), 500),
        Math.max(filters.offset ?? 0, 0),
      ],
    );
    return rows.map(toExecution);
  }

  /** The latest execution of each of `jobs`, by `module/job` (one index probe per job, however long the history). */
  async latestPerJob(jobs: ReadonlyArray<{ module: string; job: string }>): Promise<Map<string, Execution>> {
    const rows = await this.db.select<ExecutionRow>(
      `SELECT latest.* FROM unnest($1::text[], $2::text[]) AS j(module_name, job_name)
       CROSS JOIN LATERAL (
         SELECT * FROM executions x WHERE x.module_name = j.module_name AND x.job_name = j.job_name
          ORDER BY x.queued_at DESC, x.id DESC LIMIT 1) AS latest`,
      [jobs.map((j) => j.module), jobs.map((j) => j.job)],
    );
    return new Map(rows.map((row) => [`${row.module_name}/${row.job_name}`, toExecution(row)]));
  }

  /** Unfinished executions (queued or running) in any process, of one job or all, oldest first. */
  async unfinished(module?: string, job?: string): Promise<Execution[]> {
    const rows = await this.db.select<ExecutionRow>(
      `SELECT * FROM executions WHERE status IN ('queued', 'running')
          AND ($1::text IS NULL OR module_name = $1) AND ($2::text IS NULL OR job_name = $2)
        ORDER BY queued_at`,
      [module ?? null, job ?? null],
    );
    return rows.map(toExecution);
  }

  /** The processes that own unfinished executions, other than `self`. */
  async runnersWithUnfinished(self: string): Promise<string[]> {
    const rows = await this.db.select<{ runner: string }>(
      `SELECT DISTINCT runner FROM executions WHERE status IN ('queued', 'running') AND runner <> $1`,
      [self],
    );
    return rows.map((row) => row.runner);
  }

  /** Ends the unfinished executions of a process that is gone: running ones failed, queued ones cancelled. */
  async interruptRunner(runner: string): Promise<Execution[]> {
    const rows = await this.db.select<ExecutionRow>(
      `UPDATE executions
          SET status = CASE WHEN status = 'running' THEN 'failed' ELSE 'cancelled' END,
              error_code = CASE WHEN status = 'running' THEN 'NXF_JOB_INTERRUPTED' ELSE 'NXF_JOB_CANCELLED' END,
              error = CASE WHEN status = 'running'
                           THEN 'The NxForge process running this job stopped before it finished.'
                           ELSE 'The NxForge process that queued this run stopped before it started.' END,
              finished_at = clock_timestamp(),
              duration_ms = CASE WHEN started_at IS NULL THEN NULL
                                 ELSE (extract(epoch FROM clock_timestamp() - started_at) * 1000)::integer END
        WHERE runner = $1 AND status IN ('queued', 'running')
        RETURNING *`,
      [runner],
    );
    return rows.map(toExecution);
  }

  /** Deletes finished executions older than `before` (retention); returns how many. */
  async deleteFinishedBefore(before: Date): Promise<number> {
    return this.db.execute(`DELETE FROM executions WHERE finished_at < $1 AND status NOT IN ('queued', 'running')`, [
      before,
    ]);
  }

  /** Deletes every execution of a module (its log lines go with them). */
  async deleteModule(module: string): Promise<number> {
    return this.db.execute('DELETE FROM executions WHERE module_name = $1', [module]);
  }
}

/** True for the textual form of a UUID (anything else cannot be an execution id). */
export function isUuid(value: string): boolean {
  return /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(value);
}
