import type { Worker } from 'node:worker_threads';
import { errorMessage } from '../errors.js';
import type { EventBus } from '../events/event-bus.js';
import { emitScrapeFailure } from '../events/scrape-events.js';
import type { Logger } from '../logger.js';
import type { NotificationService } from '../services/notifications/notification.service.js';
import type { BrowserPool } from '../services/scraping/browser-pool.js';
import type { Execution } from './execution-store.js';
import type { ExecutionTracker, FailureStatus } from './execution-tracker.js';
import type { JobLauncher } from './job-launcher.js';
import type { JobResult } from './job-types.js';
import type { LogWriter } from './log-writer.js';
import type { RegisteredJob } from './registered-job.js';
import { SlotBroker } from './slot-broker.js';
import { createWorkerCalls, type WorkerCallHandler } from './worker-calls.js';
import { serializeError, type SerializedError, type WorkerMessage, type WorkerRunData } from './worker-protocol.js';

/** What running an execution needs from the scheduler. */
export interface RunEnvironment {
  launcher: JobLauncher;
  tracker: ExecutionTracker;
  events: EventBus;
  browserPool: BrowserPool;
  notifications: Pick<NotificationService, 'forSource'>;
  logger: Logger;
  /** What every worker gets besides its run. */
  base: Pick<WorkerRunData, 'databaseUrl' | 'storageRoot' | 'credentialsKey'>;
  /** A job's timeout when its manifest gives none (ms). */
  defaultTimeoutMs: number;
  /** How long an aborted handler has to stop before its worker is terminated (ms). */
  abortGraceMs: number;
}

/** How a run ended, before it is recorded. */
type Outcome =
  | { kind: 'result'; result: JobResult }
  | { kind: 'failure'; status: FailureStatus; error: SerializedError & { code: string } };

/** A failure outcome with a coded error. */
const failure = (status: FailureStatus, code: string, message: string, stack?: string): Outcome => ({
  kind: 'failure',
  status,
  error: { code, message, stack },
});

/** How long a worker may take to close its connections after its result before it is terminated. */
const closeGraceMs = 5_000;

/**
 * One execution in one worker thread, seen from the main thread: it streams the log into the execution,
 * answers the worker's calls, enforces the timeout, and records the outcome exactly once — a result, a thrown
 * error, an uncaught exception, `process.exit`, the heap limit, a timeout or a cancellation.
 */
export class JobRun {
  /** Resolves with the execution as recorded once it has ended (undefined if it could not be recorded). */
  readonly settled: Promise<Execution | undefined>;
  /** Resolves once the worker thread is gone. */
  readonly exited: Promise<void>;
  #resolveSettled!: (execution: Execution | undefined) => void;
  #resolveExited!: () => void;
  #outcome?: Outcome;
  #crash?: SerializedError & { code: string };
  #timer?: NodeJS.Timeout;
  #worker?: Worker;
  readonly #broker: SlotBroker;
  readonly #calls: WorkerCallHandler;
  readonly #log: LogWriter;
  readonly #writes = new Set<Promise<unknown>>();

  private constructor(
    private readonly env: RunEnvironment,
    readonly job: RegisteredJob,
    readonly execution: Execution,
  ) {
    this.settled = new Promise((resolve) => (this.#resolveSettled = resolve));
    this.exited = new Promise((resolve) => (this.#resolveExited = resolve));
    this.#broker = new SlotBroker(env.browserPool, env.logger);
    this.#calls = createWorkerCalls({ ...env, broker: this.#broker }, job);
    this.#log = env.tracker.openLog(execution.id);
  }

  /**
   * Starts a queued execution in a worker. Undefined when the execution was cancelled before it could start;
   * a worker that cannot be started is recorded as a failure.
   */
  static async start(
    env: RunEnvironment,
    job: RegisteredJob,
    execution: Execution,
    inputs: Pick<WorkerRunData, 'config' | 'settings'>,
  ): Promise<JobRun | undefined> {
    if (!(await env.tracker.markRunning(execution.id))) return undefined;
    const run = new JobRun(env, job, execution);
    await run.#launch(inputs);
    return run;
  }

  /** Ends the run now, recorded as cancelled: the handler is aborted and its worker terminated. */
  cancel(reason: string): void {
    void this.#finish(failure('cancelled', 'NXF_JOB_CANCELLED', reason));
    this.#stop(reason);
  }

  async #launch(inputs: Pick<WorkerRunData, 'config' | 'settings'>): Promise<void> {
    const { job, execution } = this;
    const timeoutMs = job.definition.timeout ?? this.env.defaultTimeoutMs;
    try {
      this.#worker = await this.env.launcher.launch(job.key, {
        ...this.env.base,
        ...inputs,
        executionId: execution.id,
        module: job.module,
        job: job.job,
        trigger: execution.trigger,
        attempt: execution.attempt,
        data: execution.input ?? undefined,
        handlerPath: job.handlerPath,
        capabilities: [...job.owner.capabilities],
        databaseRole: job.owner.databaseRole,
      });
    } catch (error) {
      await this.#finish(failure('failed', 'NXF_JOB_LAUNCH', `The worker could not start: ${errorMessage(error)}`));
      this.#resolveExited();
      return;
    }
    const worker = this.#worker;
    worker.on('message', (message: WorkerMessage) => this.#receive(message));
    worker.on('error', (error) => (this.#crash = crashOf(error)));
    worker.once('exit', (code) => void this.#exited(code));
    this.#timer = setTimeout(() => {
      const seconds = Math.round(timeoutMs / 100) / 10;
      void this.#finish(failure('timed_out', 'NXF_JOB_TIMEOUT', `The job did not finish within ${seconds} s.`));
      this.#stop(`The job overran its timeout of ${seconds} s.`);
    }, timeoutMs);
  }

  #receive(message: WorkerMessage): void {
    switch (message.type) {
      case 'log':
        if (!this.#outcome) {
          this.#log.push({
            at: new Date(message.at),
            level: message.level,
            message: message.message,
            fields: message.fields ?? null,
          });
        }
        return;
      case 'result':
        void this.#finish({ kind: 'result', result: message.result });
        return this.#closeLater();
      case 'failure':
        void this.#finish(
          failure('failed', message.error.code ?? 'NXF_JOB_FAILED', message.error.message, message.error.stack),
        );
        return this.#closeLater();
      case 'scrape':
        return this.#track(this.#recordScrape(message));
      case 'call':
        return this.#track(this.#answer(message.id, message.method, message.args));
      case 'closed':
        void this.#worker?.terminate();
        return;
    }
  }

  async #answer(id: number, method: Parameters<WorkerCallHandler>[0], args: unknown): Promise<void> {
    try {
      this.#worker?.postMessage({ type: 'reply', id, value: await this.#calls(method, args) });
    } catch (error) {
      this.#worker?.postMessage({ type: 'reply', id, error: serializeError(error) });
    }
  }

  async #recordScrape(message: Extract<WorkerMessage, { type: 'scrape' }>): Promise<void> {
    const { report } = message;
    if (report.screenshotPath && report.recordScreenshot !== false) {
      const name = message.name ?? message.url;
      const screenshot = { path: report.screenshotPath, name, at: new Date().toISOString() };
      await this.env.tracker.updateExecution(this.execution.id, { screenshot });
    }
    await emitScrapeFailure(this.env.events, this.job.module, message, report, this.execution.id);
  }

  /** Keeps a write the final record must wait for (a screenshot recorded after the run ended would be lost). */
  #track(work: Promise<void>): void {
    const tracked = work.catch((error: unknown) =>
      this.env.logger.warn({ executionId: this.execution.id, error: errorMessage(error) }, 'a job worker call failed'),
    );
    this.#writes.add(tracked);
    void tracked.finally(() => this.#writes.delete(tracked));
  }

  /** Records the outcome; only the first one counts. */
  async #finish(outcome: Outcome): Promise<void> {
    if (this.#outcome) return;
    this.#outcome = outcome;
    clearTimeout(this.#timer);
    let execution: Execution | undefined;
    try {
      await Promise.all(this.#writes);
      const logLines = await this.#log.close();
      execution =
        outcome.kind === 'result'
          ? await this.env.tracker.completeExecution(this.execution.id, outcome.result, logLines)
          : await this.env.tracker.failExecution(this.execution.id, outcome.status, outcome.error, logLines);
    } catch (error) {
      this.env.logger.error({ err: error, executionId: this.execution.id }, 'could not record how a job ended');
    }
    this.#resolveSettled(execution);
  }

  async #exited(code: number): Promise<void> {
    const crash: SerializedError & { code: string } = this.#crash ?? {
      code: 'NXF_JOB_EXITED',
      message: `The job ended its worker (exit code ${code}) before returning a result.`,
    };
    await this.#finish(failure('failed', crash.code, crash.message, crash.stack));
    await this.#broker.releaseAll();
    this.#resolveExited();
  }

  /** Asks the handler to stop (its abort signal), then terminates the worker if it has not ended by itself. */
  #stop(reason: string): void {
    this.#worker?.postMessage({ type: 'abort', reason });
    setTimeout(() => void this.#worker?.terminate(), this.env.abortGraceMs).unref();
  }

  /** After the outcome, the worker closes its connections and says so; one that does not is terminated. */
  #closeLater(): void {
    setTimeout(() => void this.#worker?.terminate(), closeGraceMs).unref();
  }
}

/** An uncaught exception, rejected promise or heap overflow in the worker, as a coded error. */
function crashOf(error: Error & { code?: string }): SerializedError & { code: string } {
  if (error.code === 'ERR_WORKER_OUT_OF_MEMORY') {
    return {
      code: 'NXF_JOB_OUT_OF_MEMORY',
      message: `The job ran out of memory: ${error.message}`,
      stack: error.stack,
    };
  }
  return { code: 'NXF_JOB_CRASHED', message: `Uncaught in the job: ${error.message}`, stack: error.stack };
}
