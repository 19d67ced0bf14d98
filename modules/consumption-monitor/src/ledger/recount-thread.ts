import { Worker } from 'node:worker_threads';
import type { CountedRecount, RecountPlan } from './count-recount.js';

type Answer = { counted: CountedRecount } | { error: string };

/**
 * Counts recounts in a thread of its own, so that a large import's counting (node's half of the work) runs on one
 * core while the import's thread keeps its COPYs flowing to PostgreSQL on the other: counted in the thread that
 * sends, the COPY stalled whenever an endpoint was being counted. Answers come in the order the plans were sent.
 */
export class RecountThread {
  readonly #worker = new Worker(new URL('./recount-worker.js', import.meta.url));
  readonly #waiting: { resolve(counted: CountedRecount): void; reject(error: Error): void }[] = [];
  #failure: Error | undefined;

  constructor() {
    this.#worker.on('message', (answer: Answer) => {
      const waiter = this.#waiting.shift();
      if ('error' in answer) waiter?.reject(new Error(`counting a recount failed: ${answer.error}`));
      else waiter?.resolve(answer.counted);
    });
    this.#worker.on('error', (error) => this.#fail(error));
    this.#worker.on('exit', (code) => this.#fail(new Error(`the recount thread stopped (exit code ${code})`)));
  }

  /** Counts `plan` (its added readings' memory is handed to the thread: the plan is not to be used again). */
  count(plan: RecountPlan): Promise<CountedRecount> {
    if (this.#failure) return Promise.reject(this.#failure);
    return new Promise((resolve, reject) => {
      this.#waiting.push({ resolve, reject });
      const handedOver = new Set(plan.added ? [plan.added.at.buffer, plan.added.value.buffer] : []);
      this.#worker.postMessage(plan, [...handedOver] as ArrayBuffer[]);
    });
  }

  /** Stops the thread; counts not answered yet fail. */
  async close(): Promise<void> {
    this.#fail(new Error('the recount thread stopped: closed'));
    await this.#worker.terminate();
  }

  #fail(error: Error): void {
    this.#failure ??= error;
    for (const waiter of this.#waiting.splice(0)) waiter.reject(this.#failure);
  }
}
