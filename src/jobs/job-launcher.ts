import Bree from 'bree';
import { Worker, type ResourceLimits } from 'node:worker_threads';
import { errorMessage, NxfError } from '../errors.js';
import type { Logger } from '../logger.js';
import type { RegisteredJob } from './registered-job.js';
import type { WorkerRunData } from './worker-protocol.js';

/** What the launcher needs: the worker entry, its limits, and whom to tell when a cron timer fires. */
export interface JobLauncherOptions {
  /** The worker entry every run starts (`dist/src/jobs/worker/job-worker.js`). */
  workerPath: string;
  /** Heap limits of each worker: a job that exceeds them is killed, not the server. */
  resourceLimits: ResourceLimits;
  logger: Logger;
  /** A job's cron timer fired; the scheduler decides whether this process runs that occurrence. */
  onTick(key: string, firedAt: Date): void;
}

/**
 * bree, adapted to executions: bree keeps each job's cron timer (later) and starts, tracks and stops the worker
 * threads, one at a time per job. What bree cannot know is per run: when its timer fires, the scheduler first
 * claims the occurrence in PostgreSQL (another process may have it) and records the execution, then calls
 * `launch` with the run's data, which reaches the worker as `workerData.run`.
 */
export class JobLauncher extends Bree {
  readonly #spawn: (name?: string) => Promise<void>;
  readonly #runData = new Map<string, WorkerRunData>();

  constructor(private readonly options: JobLauncherOptions) {
    const logger = options.logger.child({ component: 'bree' });
    super({
      root: false,
      doRootCheck: false,
      timeout: false,
      interval: 0,
      worker: { resourceLimits: options.resourceLimits },
      // The scheduler listens to each worker itself and records what happens; bree's reports are only traces.
      logger: {
        info: (message: unknown) => logger.trace(String(message)),
        warn: (message: unknown) => logger.warn(errorMessage(message)),
        error: (message: unknown) => logger.debug(errorMessage(message)),
      },
      errorHandler: (error) => logger.debug({ err: error }, 'worker error'),
      workerMessageHandler: () => undefined,
    });
    // bree's timers call `this.run(name)`; they reach the scheduler instead, which launches when it may.
    this.#spawn = this.run;
    this.run = async (name?: string) => {
      if (name) options.onTick(name, new Date());
    };
    this.createWorker = (filename, workerOptions) => {
      const name = (workerOptions.workerData as { job?: { name?: string } } | undefined)?.job?.name ?? '';
      const run = this.#runData.get(name);
      this.#runData.delete(name);
      return new Worker(filename, { ...workerOptions, workerData: { ...workerOptions.workerData, run } });
    };
  }

  /**
   * Adds a job to bree and starts its cron timer.
   * @throws NxfError NXF_JOB_SCHEDULE when bree refuses the cron expression.
   */
  async addJob(job: RegisteredJob): Promise<void> {
    const expression = job.definition.schedule?.trim();
    try {
      await this.add({
        name: job.key,
        path: this.options.workerPath,
        ...(expression ? { cron: expression, hasSeconds: job.hasSeconds } : {}),
      });
    } catch (error) {
      throw new NxfError(
        'NXF_JOB_SCHEDULE',
        `${job.key}: bree cannot schedule "${expression}": ${errorMessage(error)}`,
        {
          status: 400,
          cause: error,
        },
      );
    }
    if (expression) await this.start(job.key);
  }

  /** Starts a worker for one run of `key`; bree refuses a second worker of a job that is still running. */
  async launch(key: string, run: WorkerRunData): Promise<Worker> {
    if (this.workers.has(key)) {
      throw new NxfError('NXF_JOB_BUSY', `${key} is already running in this process.`, { status: 409 });
    }
    this.#runData.set(key, run);
    await this.#spawn(key);
    const worker = this.workers.get(key);
    if (!worker) throw new NxfError('NXF_JOB_LAUNCH', `${key}: bree did not start a worker.`, { status: 500 });
    return worker;
  }

  /** Stops the job's timer and forgets it; its worker must have ended already. */
  async removeJob(key: string): Promise<void> {
    if (this.config.jobs.some((job) => job.name === key)) await this.remove(key);
  }
}
