import type { Execution } from './execution-store.js';
import type { JobRun } from './job-run.js';
import type { RegisteredJob } from './registered-job.js';

/** What a lane asks of the scheduler. */
export interface LaneHandlers {
  /** Starts a queued execution; undefined when it was cancelled before it could start. */
  start(execution: Execution): Promise<JobRun | undefined>;
  /** Records that a queued execution will never run (the lane is closing). */
  drop(execution: Execution, reason: string): Promise<void>;
}

/**
 * The runs of one job in this process, one at a time and in order (bree runs one worker per job): manual runs
 * queue behind a running one, retries wait for their backoff, and closing the lane drops what has not started
 * and lets the running execution finish within a grace period before cancelling it.
 */
export class JobLane {
  readonly #queue: Execution[] = [];
  readonly #waiting = new Map<string, { execution: Execution; timer: NodeJS.Timeout }>();
  #active?: JobRun;
  /** The start in progress: closing waits for it, so a run starting just then is not missed. */
  #starting?: Promise<JobRun | undefined>;
  #pumping = false;
  #closed = false;

  constructor(
    readonly job: RegisteredJob,
    private readonly handlers: LaneHandlers,
  ) {}

  /** The run in progress in this process, if any. */
  get active(): JobRun | undefined {
    return this.#active;
  }

  get closed(): boolean {
    return this.#closed;
  }

  /** Queues an execution to run as soon as the ones before it have. */
  enqueue(execution: Execution): void {
    if (this.#closed) {
      void this.handlers.drop(execution, 'The job was removed before this run could start.');
      return;
    }
    this.#queue.push(execution);
    void this.#pump();
  }

  /** Queues an execution after `delayMs` (a retry's backoff). */
  enqueueLater(execution: Execution, delayMs: number): void {
    const timer = setTimeout(() => {
      this.#waiting.delete(execution.id);
      this.enqueue(execution);
    }, delayMs);
    timer.unref();
    this.#waiting.set(execution.id, { execution, timer });
  }

  /**
   * Stops taking runs: drops the queued and waiting ones, gives the running execution `graceMs` to finish, then
   * cancels it; resolves once its worker is gone.
   */
  async close(graceMs: number, reason: string): Promise<void> {
    this.#closed = true;
    const dropped = [...this.#queue.splice(0), ...[...this.#waiting.values()].map((w) => w.execution)];
    for (const { timer } of this.#waiting.values()) clearTimeout(timer);
    this.#waiting.clear();
    await Promise.all(dropped.map((execution) => this.handlers.drop(execution, reason)));
    await this.#starting;
    const active = this.#active;
    if (!active) return;
    let timer: NodeJS.Timeout | undefined;
    const graceOver = new Promise<'grace over'>(
      (resolve) => (timer = setTimeout(() => resolve('grace over'), graceMs)),
    );
    if ((await Promise.race([active.settled, graceOver])) === 'grace over') active.cancel(reason);
    clearTimeout(timer);
    await active.exited;
  }

  async #pump(): Promise<void> {
    if (this.#pumping) return;
    this.#pumping = true;
    try {
      while (!this.#closed && this.#queue.length > 0) {
        const next = this.#queue.shift() as Execution;
        this.#starting = this.handlers.start(next).then((run) => (this.#active = run));
        const run = await this.#starting;
        if (!run) continue;
        await run.exited;
        this.#active = undefined;
      }
    } finally {
      this.#pumping = false;
    }
  }
}
