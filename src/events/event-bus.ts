import type { Logger } from '../logger.js';
import type { PayloadOf } from './builtin-events.js';

export const severities = ['info', 'warning', 'error', 'critical'] as const;
export type Severity = (typeof severities)[number];

/** Something that happened, as subscribers receive it. */
export interface NxfEvent<P = unknown> {
  /** Dotted name: built-in (`job.failed`, `module.enabled`) or `<module>.<event>`. */
  name: string;
  /** Who emitted it: `core` or a module name. */
  source: string;
  severity: Severity;
  payload: P;
  at: Date;
}

export type EventHandler = (event: NxfEvent) => void | Promise<void>;

/** Receives every event after the subscribers (the events store persists them). */
export type EventRecorder = (event: NxfEvent) => Promise<void>;

/**
 * The in-process event bus (typed `emit`, `subscribe`, `unsubscribe`; docs/modules.md). Subscriptions match a name exactly, or a prefix ending in `*` (`job.*`, `*`).
 * A subscriber that throws is logged and does not stop the others; `emit` resolves once all have run.
 */
export class EventBus {
  readonly #subscriptions = new Map<string, Set<EventHandler>>();
  readonly #recorders: EventRecorder[] = [];

  constructor(private readonly logger: Logger) {}

  /** Calls `handler` for every event matching `pattern`; returns the unsubscribe function. */
  subscribe(pattern: string, handler: EventHandler): () => void {
    let handlers = this.#subscriptions.get(pattern);
    if (!handlers) this.#subscriptions.set(pattern, (handlers = new Set()));
    handlers.add(handler);
    return () => this.unsubscribe(pattern, handler);
  }

  unsubscribe(pattern: string, handler: EventHandler): void {
    const handlers = this.#subscriptions.get(pattern);
    handlers?.delete(handler);
    if (handlers?.size === 0) this.#subscriptions.delete(pattern);
  }

  /** Adds a recorder that sees every event (persistence, notification rules). */
  addRecorder(recorder: EventRecorder): void {
    this.#recorders.push(recorder);
  }

  /**
   * Delivers an event to its subscribers and recorders. Built-in events (`job.failed`, `scraping.failed`…) must
   * carry their typed payload (see builtin-events.ts); other names carry anything.
   */
  async emit<N extends string>(
    name: N,
    payload: PayloadOf<N>,
    options: { source?: string; severity?: Severity } = {},
  ): Promise<void> {
    const event: NxfEvent<PayloadOf<N>> = {
      name,
      payload,
      source: options.source ?? 'core',
      severity: options.severity ?? 'info',
      at: new Date(),
    };
    const handlers = [...this.#subscriptions]
      .filter(([pattern]) => matches(pattern, name))
      .flatMap(([, set]) => [...set]);
    await Promise.all([
      ...handlers.map((handler) => this.#deliver(handler, event as NxfEvent)),
      ...this.#recorders.map((record) => this.#deliver(record, event as NxfEvent)),
    ]);
  }

  /** Number of subscriptions, for tests and diagnostics. */
  get subscriptionCount(): number {
    return [...this.#subscriptions.values()].reduce((sum, set) => sum + set.size, 0);
  }

  async #deliver(handler: (event: NxfEvent) => unknown, event: NxfEvent): Promise<void> {
    try {
      await handler(event);
    } catch (error) {
      this.logger.error({ err: error, event: event.name }, 'event subscriber failed');
    }
  }
}

/** `a.b` matches `a.b`, `a.*` and `*`. */
export function matches(pattern: string, name: string): boolean {
  return pattern === name || pattern === '*' || (pattern.endsWith('*') && name.startsWith(pattern.slice(0, -1)));
}
