import type { JobEventPayload } from '../events/builtin-events.js';
import type { EventBus } from '../events/event-bus.js';
import type { Logger } from '../logger.js';
import type { Execution } from './execution-store.js';

/**
 * Emits the `job.*` events (source: the job's module). They are sent in the background so a run never waits
 * for the events table or a notification rule; `idle()` waits for those in flight (shutdown, tests).
 */
export class JobEventEmitter {
  readonly #pending = new Set<Promise<void>>();

  constructor(
    private readonly events: EventBus,
    private readonly logger: Logger,
  ) {}

  /** `job.started`. */
  started(execution: Execution): void {
    this.#send(this.events.emit('job.started', payloadOf(execution), { source: execution.module }));
  }

  /** `job.completed` (info), or `job.failed`: a warning when a retry follows or it was cancelled, else an error. */
  ended(execution: Execution, willRetry: boolean): void {
    if (execution.status === 'succeeded') {
      const payload = { ...payloadOf(execution), durationMs: execution.durationMs };
      this.#send(this.events.emit('job.completed', payload, { source: execution.module }));
      return;
    }
    if (execution.status !== 'failed' && execution.status !== 'timed_out' && execution.status !== 'cancelled') return;
    const severity = willRetry || execution.status === 'cancelled' ? 'warning' : 'error';
    const payload = {
      ...payloadOf(execution),
      status: execution.status,
      error: execution.error ?? 'The job failed.',
      code: execution.errorCode ?? 'NXF_JOB_FAILED',
      durationMs: execution.durationMs,
      willRetry,
    };
    this.#send(this.events.emit('job.failed', payload, { source: execution.module, severity }));
  }

  async idle(): Promise<void> {
    while (this.#pending.size > 0) await Promise.allSettled([...this.#pending]);
  }

  #send(emitting: Promise<void>): void {
    const tracked = emitting.catch((error: unknown) => this.logger.error({ err: error }, 'could not emit a job event'));
    this.#pending.add(tracked);
    void tracked.finally(() => this.#pending.delete(tracked));
  }
}

function payloadOf(execution: Execution): JobEventPayload {
  return {
    module: execution.module,
    job: execution.job,
    executionId: execution.id,
    trigger: execution.trigger,
    attempt: execution.attempt,
  };
}
