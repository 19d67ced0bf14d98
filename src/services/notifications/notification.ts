import { NxfError } from '../../errors.js';

/** How bad it is; decides the Slack colour and the e-mail subject tag. */
export const severities = ['info', 'warning', 'error', 'critical'] as const;
/** One of `severities`. */
export type Severity = (typeof severities)[number];

/** A message for people. */
export interface Notification {
  /** One line, e.g. "Rack 7 over 90 % of its power budget". */
  title: string;
  /** The details, plain text. */
  message: string;
  /** info, warning, error or critical. */
  severity: Severity;
  /** Facts shown as fields (Slack), lines (e-mail) or passed on as JSON (webhook). */
  data?: Record<string, unknown>;
}

/** What every channel receives: the notification plus who sent it and when. */
export interface OutgoingNotification extends Notification {
  /** `core`, a module name, or `settings` for a test message. */
  source: string;
  /** When `send` was called; the same for every channel and attempt. */
  sentAt: Date;
}

/**
 * Checks a notification before any delivery is attempted.
 * @throws NxfError NXF_NOTIFICATION_INVALID naming the bad field.
 */
export function verifyNotification(notification: Notification): void {
  const problems: string[] = [];
  if (typeof notification?.title !== 'string' || notification.title.trim() === '' || notification.title.length > 200) {
    problems.push('title must be 1–200 characters');
  }
  if (typeof notification?.message !== 'string' || notification.message.length > 10_000) {
    problems.push('message must be text of at most 10 000 characters');
  }
  if (!(severities as readonly string[]).includes(notification?.severity)) {
    problems.push(`severity must be one of ${severities.join(', ')}`);
  }
  if (
    notification?.data !== undefined &&
    (typeof notification.data !== 'object' || notification.data === null || Array.isArray(notification.data))
  ) {
    problems.push('data must be an object');
  }
  if (problems.length > 0) {
    throw new NxfError('NXF_NOTIFICATION_INVALID', `Invalid notification: ${problems.join('; ')}.`, {
      status: 400,
      details: problems,
    });
  }
}

/** `data` as "key: value" pairs for people. */
export function describeData(data: Record<string, unknown> = {}): Array<[string, string]> {
  return Object.entries(data).map(([key, value]) => [key, typeof value === 'string' ? value : JSON.stringify(value)]);
}
