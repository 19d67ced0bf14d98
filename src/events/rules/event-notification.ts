import type { Notification } from '../../services/notifications/notification.js';
import { eventSubject } from '../builtin-events.js';
import type { NxfEvent } from '../event-bus.js';

/** Payload fields as text, for the one-line summary. */
const field = (payload: Record<string, unknown>, key: string) =>
  typeof payload[key] === 'string' || typeof payload[key] === 'number' ? String(payload[key]) : undefined;

/**
 * One sentence saying what happened: built for the built-in events, the payload's `message` for a module event
 * that has one, else the payload's JSON.
 */
export function summariseEvent(event: NxfEvent): string {
  const payload = (event.payload ?? {}) as Record<string, unknown>;
  const job = `${field(payload, 'module')}/${field(payload, 'job')}`;
  switch (event.name) {
    case 'job.failed':
      return `The job ${job} ${field(payload, 'status') === 'timed_out' ? 'timed out' : field(payload, 'status')} (attempt ${field(payload, 'attempt')}): ${field(payload, 'error')}`;
    case 'job.completed':
      return `The job ${job} succeeded (attempt ${field(payload, 'attempt')}).`;
    case 'job.started':
      return `The job ${job} started (${field(payload, 'trigger')}).`;
    case 'scraping.failed':
      return `Scraping ${field(payload, 'url')} for ${field(payload, 'module')} failed: ${field(payload, 'error')}`;
    case 'notification.failed':
      return `A notification to "${field(payload, 'channel')}" was not delivered: ${field(payload, 'error')}`;
    default: {
      // A module's event that says what happened in a sentence is told with it; the others as their JSON.
      if (typeof payload.message === 'string' && payload.message.trim() !== '') return payload.message.slice(0, 2000);
      const json = JSON.stringify(event.payload ?? null);
      return `${event.name} from ${event.source}: ${json.length > 2000 ? `${json.slice(0, 2000)}…` : json}`;
    }
  }
}

/** The notification a rule sends for an event; `heldBack` events of the same subject were not sent before it. */
export function notificationFor(event: NxfEvent, ruleName: string, heldBack: number): Notification {
  const subject = eventSubject(event);
  const more = heldBack > 0 ? ` ${heldBack} more like it were held back by the rule's quiet period.` : '';
  return {
    title: `${event.name}: ${subject}`.slice(0, 200),
    message: `${summariseEvent(event)}${more}`.slice(0, 10_000),
    severity: event.severity,
    data: {
      event: event.name,
      source: event.source,
      subject,
      rule: ruleName,
      occurredAt: event.at.toISOString(),
      ...(heldBack > 0 ? { heldBack } : {}),
    },
  };
}
