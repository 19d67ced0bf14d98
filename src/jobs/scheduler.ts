import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Database } from '../db/database.js';
import { errorMessage, NxfError } from '../errors.js';
import type { EventBus } from '../events/event-bus.js';
import type { Logger } from '../logger.js';
import type { JobDefinition } from './job-types.js';
import type { SettingValue } from '../settings/setting-values.js';
import type { CoreServiceSet } from '../services/core-service-set.js';
import { coreJobs, coreOwner } from './builtin/core-jobs.js';
import type { Execution } from './execution-store.js';
import type { ExecutionTracker } from './execution-tracker.js';
import { JobEventEmitter } from './job-events.js';
import { JobLane } from './job-lane.js';
import { JobLauncher } from './job-launcher.js';
import type { RunEnvironment } from './job-run.js';
import { JobStateStore } from './job-state-store.js';
import { describeJobs, type JobStatus } from './job-status.js';
import {
  coreJobOwner,
  describeJob,
  jobKey,
  occurrenceAt,
  type JobOwner,
  type RegisteredJob,
} from './registered-job.js';
import { RunCoordinator } from './run-coordinator.js';
import { checkRunData } from './run-data.js';
import { resolveTuning, type SchedulerTuning } from './scheduler-tuning.js';

export type { SchedulerTuning } from './scheduler-tuning.js';
import { newRunnerId, RunnerLiveness } from './runner-liveness.js';

/** What the scheduler needs of a module to run its jobs: its name and folder, its manifest, its settings. */
export interface JobModule {
  name: string;
  /** The module's folder; job handlers are found from it. */
  directory: string;
  manifest: { entry: string; permissions: readonly string[]; jobs: Record<string, JobDefinition> };
  /** The PostgreSQL role its runs' connections take (docs/modules.md, "Database isolation"). */
  databaseRole?: string;
  /** The module's settings as they are now. */
  settings(): Record<string, SettingValue | undefined>;
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
 * The scheduler on bree: jobs of enabled modules and the core's own, each run
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
  readonly #runs: RunCoordinator;
  readonly #tuning: Required<SchedulerTuning>;
  #sweepTimer?: NodeJS.Timeout;
  #stopping = false;

  constructor(private readonly options: SchedulerOptions) {
    this.#tuning = resolveTuning(options.tuning);
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
    const backoff = { baseMs: this.#tuning.retryBaseMs, maxMs: this.#tuning.retryMaxMs };
    this.#runs = new RunCoordinator(this.#env, this.states, this.#emit, this.runner, backoff, (key) =>
      this.#jobs.get(key),
    );
  }

  /** The timings and limits in force, defaults filled in. */
  get tuning(): Readonly<Required<SchedulerTuning>> {
    return this.#tuning;
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
    this.#jobs.set(job.key, new JobLane(job, this.#runs.handlersFor(job)));
    return job;
  }

  /** Registers every job of a mounted module; if one cannot be registered, none stays. */
  async registerModule(module: JobModule): Promise<void> {
    const owner: JobOwner = {
      name: module.name,
      directory: module.directory,
      entry: module.manifest.entry,
      capabilities: module.manifest.permissions,
      databaseRole: module.databaseRole,
      settings: module.settings,
    };
    const registered: string[] = [];
    try {
      for (const [id, definition] of Object.entries(module.manifest.jobs)) {
        registered.push((await this.registerJob(owner, id, definition)).key);
      }
    } catch (error) {
      await Promise.all(registered.map((key) => this.#unregister(key, 'The module failed to load.', 0)));
      throw error;
    }
  }

  /** Removes a module's jobs; a running execution has `graceMs` to finish, then is cancelled. */
  async unregisterModule(module: string, reason: string, graceMs = this.#tuning.unmountGraceMs): Promise<void> {
    // The core's own jobs never go with a module, even one that (wrongly) calls itself `core`.
    const keys = [...this.#jobs.values()]
      .filter((lane) => lane.job.module === module && lane.job.owner !== coreOwner)
      .map((lane) => lane.job.key);
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
      input: checkRunData(options.data),
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
    const [status] = await describeJobs([lane.job], this.#statusSources(), this.#tuning.defaultTimeoutMs);
    return status as JobStatus;
  }

  /** Every registered job, by module and job id. */
  async listJobs(): Promise<JobStatus[]> {
    const jobs = [...this.#jobs.values()].map((lane) => lane.job);
    return describeJobs(jobs, this.#statusSources(), this.#tuning.defaultTimeoutMs);
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

  #statusSources() {
    return { states: this.states, executions: this.options.tracker.store };
  }

  async #unregister(key: string, reason: string, graceMs: number): Promise<void> {
    const lane = this.#jobs.get(key);
    if (!lane) return;
    this.#jobs.delete(key);
    // A run cannot outlast its own timeout anyway: the grace is the shorter of the two.
    await lane.close(Math.min(graceMs, lane.job.definition.timeout ?? graceMs), reason);
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
