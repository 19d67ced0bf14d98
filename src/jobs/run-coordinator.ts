import { errorMessage } from '../errors.js';
import { effectiveSettings } from '../settings/setting-values.js';
import type { Execution } from './execution-store.js';
import type { JobEventEmitter } from './job-events.js';
import type { JobLane, LaneHandlers } from './job-lane.js';
import { JobRun, type RunEnvironment } from './job-run.js';
import type { JobStateStore } from './job-state-store.js';
import type { RegisteredJob } from './registered-job.js';

/** Retry backoff: the first delay, doubled for each further attempt, capped. */
export interface RetryBackoff {
  baseMs: number;
  maxMs: number;
}

/**
 * What happens around each run of a job: it starts with the job's current config and the module's settings,
 * `job.started` is emitted, and once it has ended a failed attempt is retried after its backoff when the job
 * has retries left, and `job.completed` or `job.failed` says how it went.
 */
export class RunCoordinator {
  constructor(
    private readonly env: RunEnvironment,
    private readonly states: JobStateStore,
    private readonly events: JobEventEmitter,
    private readonly runner: string,
    private readonly backoff: RetryBackoff,
    private readonly laneOf: (key: string) => JobLane | undefined,
  ) {}

  /** The handlers of a job's lane. */
  handlersFor(job: RegisteredJob): LaneHandlers {
    return {
      start: (execution) => this.#start(job, execution),
      drop: (execution, reason) => this.#drop(execution, reason),
    };
  }

  async #start(job: RegisteredJob, execution: Execution): Promise<JobRun | undefined> {
    const state = await this.states.get(job.module, job.job);
    const run = await JobRun.start(this.env, job, execution, {
      config: effectiveSettings(job.definition.config ?? {}, state.config),
      settings: { ...job.owner.settings() },
    });
    if (!run) return undefined;
    this.events.started(execution);
    void run.settled.then((ended) => ended && this.#afterRun(job, ended));
    return run;
  }

  /** Retries a failed attempt when the job has retries left, and says how the run ended. */
  async #afterRun(job: RegisteredJob, execution: Execution): Promise<void> {
    const lane = this.laneOf(job.key);
    const retryable = execution.status === 'failed' || execution.status === 'timed_out';
    const willRetry = retryable && execution.attempt <= (job.definition.retries ?? 0) && !!lane && !lane.closed;
    if (willRetry) {
      try {
        const retry = await this.env.tracker.startExecution({
          module: job.module,
          job: job.job,
          trigger: 'retry',
          attempt: execution.attempt + 1,
          retryOf: execution.id,
          input: execution.input ?? undefined,
          triggeredBy: 'retry',
          runner: this.runner,
        });
        lane.enqueueLater(retry, this.#retryDelay(execution.attempt));
      } catch (error) {
        this.env.logger.error({ job: job.key, error: errorMessage(error) }, 'could not queue a retry');
      }
    }
    this.events.ended(execution, willRetry);
  }

  #retryDelay(attempt: number): number {
    return Math.min(this.backoff.baseMs * 2 ** (attempt - 1), this.backoff.maxMs);
  }

  /** A queued run that will never start (its lane closed): recorded as cancelled. */
  async #drop(execution: Execution, reason: string): Promise<void> {
    const ended = await this.env.tracker.failExecution(
      execution.id,
      'cancelled',
      { code: 'NXF_JOB_CANCELLED', message: reason },
      0,
    );
    if (ended) this.events.ended(ended, false);
  }
}
