import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Database } from '../db/database.js';
import { errorMessage, NxfError } from '../errors.js';
import type { EventBus } from '../events/event-bus.js';
import type { Logger } from '../logger.js';
import type { LoadedModule } from '../modules/loaded-module.js';
import type { JobDefinition } from '../modules/manifest/manifest-types.js';
import { effectiveSettings, type SettingValue } from '../modules/settings/setting-values.js';
import type { CoreServiceSet } from '../services/core-service-set.js';
import { coreJobs, coreOwner } from './builtin/core-jobs.js';
import type { Execution } from './execution-store.js';
import type { ExecutionTracker } from './execution-tracker.js';
import { JobEventEmitter } from './job-events.js';
import { JobLane } from './job-lane.js';
import { JobLauncher } from './job-launcher.js';
import { JobRun, type RunEnvironment } from './job-run.js';
import { JobStateStore } from './job-state-store.js';
import { jobStatus, type JobStatus } from './job-status.js';
import {
  coreJobOwner,
  describeJob,
  jobKey,
  occurrenceAt,
  type JobOwner,
  type RegisteredJob,
} from './registered-job.js';
import { newRunnerId, RunnerLiveness } from './runner-liveness.js';

/** Timings and limits; the defaults suit production, tests shorten them. */
export interface SchedulerTuning {
  /** Timeout of a job whose manifest gives none (default 10 minutes). */
  defaultTimeoutMs?: number;
  /** How long an aborted handler has before its worker is terminated (default 2 s). */
  abortGraceMs?: number;
  /** How long a running execution may finish when its module is disabled (default 10 s). */
  unmountGraceMs?: number;
  /** The same at shutdown (default 10 s). */
  shutdownGraceMs?: number;
  /** First retry delay; each further one doubles (default 5 s, at most `retryMaxMs`, default 5 minutes). */
  retryBaseMs?: number;
  retryMaxMs?: number;
  /** How often executions left by stopped processes are looked for (default 60 s). */
  sweepIntervalMs?: number;
  /** Heap limit of a job's worker in MB (default 256): beyond it the job fails, the server keeps running. */
  workerHeapMb?: number;
}

/** What the scheduler is built from. */
export interface SchedulerOptions {
  db: Database;
  logger: Logger;
  events: EventBus;
  tracker: ExecutionTracker;
  toolkit: Pick<CoreServiceSet, 'browserPool' | 'notifications'>;
  /** `$NXFORGE_DATA_DIR/storage`, for the services of jobs. */
  storageRoot: string;
  /** Key of module secrets (`keyring.derive('credentials')`). */
  credentialsKey: Buffer;
  /** The recorded status of a module (`ENABLED`, `DISABLED`…), to explain why its jobs cannot run. */
  moduleStatus(name: string): Promise<string | undefined>;
  tuning?: SchedulerTuning;
}

const workerPath = path.join(path.dirname(fileURLToPath(import.meta.url)), 'worker', 'job-worker.js');

/**
 * The scheduler (the v5 plan's SchedulerService) on bree: jobs of enabled modules and the core's own, each run
 * in a worker thread, one at a time per job in a process. Scheduled runs are claimed in PostgreSQL, so with
 * several NxForge processes on one database each cron occurrence runs once; manual runs run in the process
 * that accepted them. Paused state and saved config live in `job_states` and survive restarts.
 */
export class Scheduler {
  /** This process, as executions record it. */
  readonly runner = newRunnerId();
  /** Cron timers fired in this process, and the occurrences it claimed (the others ran elsewhere or not at all). */
  readonly ticks = { fired: 0, claimed: 0 };
  readonly states: JobStateStore;
  readonly #jobs = new Map<string, JobLane>();
  readonly #launcher: JobLauncher;
  readonly #liveness: RunnerLiveness;
  readonly #env: RunEnvironment;
  readonly #emit: JobEventEmitter;
  readonly #tuning: Required<SchedulerTuning>;
  #sweepTimer?: NodeJS.Timeout;
  #stopping = false;

  constructor(private readonly options: SchedulerOptions) {
    const { tuning = {} } = options;
    this.#tuning = {
      defaultTimeoutMs: tuning.defaultTimeoutMs ?? 600_000,
      abortGraceMs: tuning.abortGraceMs ?? 2_000,
      unmountGraceMs: tuning.unmountGraceMs ?? 10_000,
      shutdownGraceMs: tuning.shutdownGraceMs ?? 10_000,
      retryBaseMs: tuning.retryBaseMs ?? 5_000,
      retryMaxMs: tuning.retryMaxMs ?? 300_000,
      sweepIntervalMs: tuning.sweepIntervalMs ?? 60_000,
      workerHeapMb: tuning.workerHeapMb ?? 256,
    };
    this.states = new JobStateStore(options.db);
    this.#launcher = new JobLauncher({
      workerPath,
      resourceLimits: { maxOldGenerationSizeMb: this.#tuning.workerHeapMb, maxYoungGenerationSizeMb: 32 },
      logger: options.logger,
      onTick: (key, firedAt) => void this.#tick(key, firedAt),
    });
    this.#liveness = new RunnerLiveness(options.db.url, this.runner, options.tracker.store, options.logger);
    this.#emit = new JobEventEmitter(options.events, options.logger);
    this.#env = {
      launcher: this.#launcher,
      tracker: options.tracker,
      events: options.events,
      browserPool: options.toolkit.browserPool,
      notifications: options.toolkit.notifications,
      logger: options.logger.child({ component: 'jobs' }),
      base: {
        databaseUrl: options.db.url,
        storageRoot: options.storageRoot,
        credentialsKey: new Uint8Array(options.credentialsKey),
      },
      defaultTimeoutMs: this.#tuning.defaultTimeoutMs,
      abortGraceMs: this.#tuning.abortGraceMs,
    };
  }

  /** Takes this process's runner lock, ends what stopped processes left unfinished, registers the core's jobs. */
  async start(): Promise<void> {
    await this.#liveness.start();
    await this.#sweep();
    this.#sweepTimer = setInterval(() => void this.#sweep(), this.#tuning.sweepIntervalMs);
    this.#sweepTimer.unref();
    for (const [id, definition] of Object.entries(coreJobs)) await this.registerJob(coreOwner, id, definition);
  }

  /** Stops every job: queued runs are dropped, running ones get the shutdown grace, then are cancelled. */
  async stop(): Promise<void> {
    if (this.#stopping) return;
    this.#stopping = true;
    clearInterval(this.#sweepTimer);
    await Promise.all(
      [...this.#jobs.keys()].map((key) =>
        this.#unregister(key, 'NxForge is shutting down.', this.#tuning.shutdownGraceMs),
      ),
    );
    await this.#emit.idle();
    await this.#liveness.stop();
  }

  /**
   * Registers a job: bree gets its cron timer. Registering a job again replaces it.
   * @throws NxfError NXF_JOB_HANDLER, NXF_JOB_SCHEDULE, NXF_JOB_RESERVED (a module named `core`).
   */
  async registerJob(owner: JobOwner, id: string, definition: JobDefinition): Promise<RegisteredJob> {
    if (owner !== coreOwner && owner.name === coreJobOwner) {
      throw new NxfError(
        'NXF_JOB_RESERVED',
        `Jobs of a module named "${coreJobOwner}" would mix with the core's own.`,
        {
          status: 409,
        },
      );
    }
    const job = describeJob(owner, id, definition);
    if (this.#jobs.has(job.key)) await this.#unregister(job.key, 'The job was registered again.', 0);
    await this.#launcher.addJob(job);
    this.#jobs.set(
      job.key,
      new JobLane(job, { start: (e) => this.#start(job, e), drop: (e, r) => this.#drop(job, e, r) }),
    );
    return job;
  }

  /** Registers every job of a mounted module; if one cannot be registered, none stays. */
  async registerModule(module: LoadedModule): Promise<void> {
    const owner: JobOwner = {
      name: module.name,
      directory: module.directory,
      entry: module.manifest.entry,
      capabilities: module.manifest.permissions,
      settings: () => module.settings,
    };
    try {
      for (const [id, definition] of Object.entries(module.manifest.jobs))
        await this.registerJob(owner, id, definition);
    } catch (error) {
      await this.unregisterModule(module.name, 'The module failed to load.', 0);
      throw error;
    }
  }

  /** Removes a module's jobs; a running execution has `graceMs` to finish, then is cancelled. */
  async unregisterModule(module: string, reason: string, graceMs = this.#tuning.unmountGraceMs): Promise<void> {
    const keys = [...this.#jobs.values()].filter((lane) => lane.job.module === module).map((lane) => lane.job.key);
    await Promise.all(keys.map((key) => this.#unregister(key, reason, graceMs)));
  }

  /** Deletes a module's executions and job states (uninstall with purge). */
  async purgeModule(module: string): Promise<void> {
    await this.options.tracker.store.deleteModule(module);
    await this.states.deleteModule(module);
  }

  /**
   * Runs a job now ("Run now", `POST /api/v1/jobs/:module/:job/run`), after any run of it in progress here.
   * @throws NxfError NXF_JOB_NOT_FOUND, NXF_JOB_MODULE_DISABLED, NXF_JOB_DATA_INVALID.
   */
  async executeJob(module: string, job: string, options: { data?: unknown; actor: string }): Promise<Execution> {
    const lane = await this.#lane(module, job);
    const execution = await this.options.tracker.startExecution({
      module,
      job,
      trigger: 'manual',
      attempt: 1,
      input: checkData(options.data),
      triggeredBy: options.actor,
      runner: this.runner,
    });
    lane.enqueue(execution);
    return execution;
  }

  /** Stops a job's scheduled runs (in every process) until it is resumed; "Run now" still works. */
  async pauseJob(module: string, job: string, actor: string): Promise<void> {
    await this.#lane(module, job);
    await this.states.setPaused(module, job, true, actor);
  }

  async resumeJob(module: string, job: string, actor: string): Promise<void> {
    await this.#lane(module, job);
    await this.states.setPaused(module, job, false, actor);
  }

  /** Saves config values (validated by the caller against the job's definitions). */
  async saveJobConfig(module: string, job: string, values: Record<string, SettingValue | null>, actor: string) {
    await this.#lane(module, job);
    await this.states.saveConfig(module, job, values, actor);
  }

  /** What is known about a registered job. @throws NxfError NXF_JOB_NOT_FOUND, NXF_JOB_MODULE_DISABLED. */
  async getJobStatus(module: string, job: string): Promise<JobStatus> {
    const lane = await this.#lane(module, job);
    const [state, active, last] = await Promise.all([
      this.states.get(module, job),
      this.options.tracker.store.unfinished(module, job),
      this.options.tracker.store.list({ module, job, limit: 1 }),
    ]);
    return jobStatus(lane.job, state, { active, last: last[0] }, this.#tuning.defaultTimeoutMs);
  }

  /** Every registered job, by module and job id. */
  async listJobs(): Promise<JobStatus[]> {
    const [states, latest, unfinished] = await Promise.all([
      this.states.all(),
      this.options.tracker.store.latestPerJob(),
      this.options.tracker.store.unfinished(),
    ]);
    return [...this.#jobs.values()]
      .map(({ job }) =>
        jobStatus(
          job,
          states.get(job.key) ?? { paused: false, config: {}, updatedAt: null, updatedBy: null },
          { last: latest.get(job.key), active: unfinished.filter((e) => jobKey(e.module, e.job) === job.key) },
          this.#tuning.defaultTimeoutMs,
        ),
      )
      .sort((a, b) => a.module.localeCompare(b.module) || a.job.localeCompare(b.job));
  }

  /** A registered job, if there is one by that name. */
  registeredJob(module: string, job: string): RegisteredJob | undefined {
    return this.#jobs.get(jobKey(module, job))?.job;
  }

  /** The lane of a registered job, or why there is none. */
  async #lane(module: string, job: string): Promise<JobLane> {
    const lane = this.#jobs.get(jobKey(module, job));
    if (lane) return lane;
    const status = module === coreJobOwner ? undefined : await this.options.moduleStatus(module);
    if (status && !['ENABLED', 'REMOVED'].includes(status)) {
      throw new NxfError('NXF_JOB_MODULE_DISABLED', `The module ${module} is ${status}: enable it to run its jobs.`, {
        status: 409,
      });
    }
    throw new NxfError('NXF_JOB_NOT_FOUND', `There is no job ${job} of ${module}.`, { status: 404 });
  }

  /** A cron timer fired: claim the occurrence for this process, or leave it to the one that has it. */
  async #tick(key: string, firedAt: Date): Promise<void> {
    const lane = this.#jobs.get(key);
    const occurrence = lane && occurrenceAt(lane.job, firedAt);
    if (!lane || lane.closed || !occurrence || this.#stopping) return;
    this.ticks.fired += 1;
    try {
      const { module, job } = lane.job;
      const claimed = await this.options.tracker.store.claimScheduled(module, job, occurrence, this.runner);
      if (claimed) {
        this.ticks.claimed += 1;
        lane.enqueue(claimed);
      } else
        this.#env.logger.debug({ job: key, occurrence }, 'scheduled run skipped: paused, busy or claimed elsewhere');
    } catch (error) {
      this.#env.logger.error({ job: key, error: errorMessage(error) }, 'could not claim a scheduled run');
    }
  }

  async #start(job: RegisteredJob, execution: Execution): Promise<JobRun | undefined> {
    const state = await this.states.get(job.module, job.job);
    const run = await JobRun.start(this.#env, job, execution, {
      config: effectiveSettings(job.definition.config ?? {}, state.config),
      settings: { ...job.owner.settings() },
    });
    if (!run) return undefined;
    this.#emit.started(execution);
    void run.settled.then((ended) => ended && this.#afterRun(job, ended));
    return run;
  }

  /** Retries a failed attempt when the job has retries left, and says how the run ended. */
  async #afterRun(job: RegisteredJob, execution: Execution): Promise<void> {
    const lane = this.#jobs.get(job.key);
    const retryable = execution.status === 'failed' || execution.status === 'timed_out';
    const willRetry = retryable && execution.attempt <= (job.definition.retries ?? 0) && !!lane && !lane.closed;
    if (willRetry) {
      try {
        const retry = await this.options.tracker.startExecution({
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
        this.#env.logger.error({ job: job.key, error: errorMessage(error) }, 'could not queue a retry');
      }
    }
    this.#emit.ended(execution, willRetry);
  }

  #retryDelay(attempt: number): number {
    return Math.min(this.#tuning.retryBaseMs * 2 ** (attempt - 1), this.#tuning.retryMaxMs);
  }

  async #drop(job: RegisteredJob, execution: Execution, reason: string): Promise<void> {
    const ended = await this.options.tracker.failExecution(
      execution.id,
      'cancelled',
      { code: 'NXF_JOB_CANCELLED', message: reason },
      0,
    );
    if (ended) this.#emit.ended(ended, false);
  }

  async #unregister(key: string, reason: string, graceMs: number): Promise<void> {
    const lane = this.#jobs.get(key);
    if (!lane) return;
    this.#jobs.delete(key);
    await lane.close(graceMs, reason);
    await this.#launcher.removeJob(key);
  }

  async #sweep(): Promise<void> {
    try {
      for (const execution of await this.#liveness.sweep()) this.#emit.ended(execution, false);
    } catch (error) {
      this.#env.logger.warn({ error: errorMessage(error) }, 'could not look for executions of stopped processes');
    }
  }
}

/** Manual-run data: JSON of at most 64 KB. */
function checkData(data: unknown): unknown {
  if (data === undefined || data === null) return undefined;
  let json: string;
  try {
    json = JSON.stringify(data);
  } catch {
    throw new NxfError('NXF_JOB_DATA_INVALID', 'The run data must be JSON.', { status: 400 });
  }
  if (Buffer.byteLength(json) > 64 * 1024) {
    throw new NxfError('NXF_JOB_DATA_INVALID', 'The run data must be at most 64 KB of JSON.', { status: 400 });
  }
  return JSON.parse(json) as unknown;
}
