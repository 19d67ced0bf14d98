import type { MessagePort } from 'node:worker_threads';
import { NxfError, isNxfCode } from '../../errors.js';
import type { MainMessage, WorkerCallMethod, WorkerMessage } from '../worker-protocol.js';

/**
 * The worker's end of the conversation with the main thread: posts messages, makes calls answered by a
 * `reply`, and turns an `abort` (or bree's `cancel`) into the job's abort signal.
 */
export class WorkerPort {
  readonly #pending = new Map<number, { resolve(value: unknown): void; reject(error: unknown): void }>();
  readonly #abort = new AbortController();
  #nextId = 1;

  constructor(private readonly port: MessagePort) {
    port.on('message', (message: MainMessage | string) => this.#receive(message));
  }

  /** Aborted when the main thread cancels the run or its timeout passes. */
  get signal(): AbortSignal {
    return this.#abort.signal;
  }

  post(message: WorkerMessage): void {
    this.port.postMessage(message);
  }

  /** Asks the main thread to do something for the job; rejects with the main thread's error. */
  call<T>(method: WorkerCallMethod, args: unknown): Promise<T> {
    const id = this.#nextId++;
    return new Promise<T>((resolve, reject) => {
      this.#pending.set(id, { resolve: resolve as (value: unknown) => void, reject });
      this.post({ type: 'call', id, method, args });
    });
  }

  /** Lets the worker end once nothing else keeps it alive. */
  close(): void {
    this.port.close();
  }

  #receive(message: MainMessage | string): void {
    if (message === 'cancel' || (typeof message === 'object' && message.type === 'abort')) {
      const reason = typeof message === 'object' ? message.reason : 'The run was cancelled.';
      this.#abort.abort(new NxfError('NXF_JOB_ABORTED', reason));
      return;
    }
    if (typeof message !== 'object' || message.type !== 'reply') return;
    const pending = this.#pending.get(message.id);
    this.#pending.delete(message.id);
    if (!pending) return;
    if (message.error) {
      const { code, message: text } = message.error;
      pending.reject(new NxfError(isNxfCode(code) ? code : 'NXF_JOB_CALL', text));
    } else {
      pending.resolve(message.value);
    }
  }
}
