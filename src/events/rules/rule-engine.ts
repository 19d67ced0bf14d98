import { errorMessage } from '../../errors.js';
import type { Logger } from '../../logger.js';
import type { NotificationService } from '../../services/notifications/notification.service.js';
import { eventSubject } from '../builtin-events.js';
import { matches, severities, type NxfEvent } from '../event-bus.js';
import { notificationFor } from './event-notification.js';
import type { RuleFiringStore } from './rule-firings.js';
import type { NotificationRule, RuleStore } from './rule-store.js';

/** How long the enabled rules are kept in memory; a rule changed in another process applies after this. */
export const rulesTtlMs = 2_000;

/**
 * Turns events into notifications (Settings → Notification rules): each enabled rule whose pattern matches the
 * event's name and whose minimum severity it reaches sends to its channels — at most once per quiet period
 * for the same subject, the period kept in PostgreSQL for every process. Deliveries run in the background, so
 * emitting an event never waits for an SMTP server; every attempt is recorded by the notification service.
 */
export class RuleEngine {
  readonly #pending = new Set<Promise<void>>();
  #rules?: { list: NotificationRule[]; loadedAt: number };

  constructor(
    private readonly rules: RuleStore,
    private readonly firings: RuleFiringStore,
    private readonly notifications: Pick<NotificationService, 'forSource'>,
    private readonly logger: Logger,
  ) {}

  /** The event bus's recorder: starts the deliveries the event calls for. */
  async handle(event: NxfEvent): Promise<void> {
    for (const rule of await this.#enabledRules()) {
      if (!appliesTo(rule, event)) continue;
      const delivery = this.#notify(rule, event).catch((error: unknown) =>
        this.logger.error(
          { rule: rule.name, event: event.name, error: errorMessage(error) },
          'notification rule failed',
        ),
      );
      this.#pending.add(delivery);
      void delivery.finally(() => this.#pending.delete(delivery));
    }
  }

  /** Forgets the cached rules (after a change made in this process). */
  invalidate(): void {
    this.#rules = undefined;
  }

  /** Resolves once the deliveries started so far have ended (shutdown, tests). */
  async idle(): Promise<void> {
    while (this.#pending.size > 0) await Promise.allSettled([...this.#pending]);
  }

  async #notify(rule: NotificationRule, event: NxfEvent): Promise<void> {
    const { send, heldBack } = await this.firings.claim(rule.id, eventSubject(event), rule.quietSeconds);
    if (!send) return;
    await this.notifications
      .forSource(`rule:${rule.name}`)
      .send(notificationFor(event, rule.name, heldBack), rule.channelIds);
  }

  async #enabledRules(): Promise<NotificationRule[]> {
    if (!this.#rules || Date.now() - this.#rules.loadedAt > rulesTtlMs) {
      this.#rules = { list: await this.rules.enabled(), loadedAt: Date.now() };
    }
    return this.#rules.list;
  }
}

/**
 * Whether a rule applies: pattern and severity match, and the event is not the failure of this very rule's own
 * delivery (which would notify about itself in a loop).
 */
function appliesTo(rule: NotificationRule, event: NxfEvent): boolean {
  if (!matches(rule.eventPattern, event.name)) return false;
  if (severities.indexOf(event.severity) < severities.indexOf(rule.minSeverity)) return false;
  const source = (event.payload as { source?: unknown } | null)?.source;
  return !(event.name === 'notification.failed' && source === `rule:${rule.name}`);
}
