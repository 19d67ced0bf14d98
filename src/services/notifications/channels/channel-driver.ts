import { NxfError } from '../../../errors.js';
import type { HttpService } from '../../http/http.service.js';
import type { OutgoingNotification } from '../notification.js';

/** The kinds of channel NxForge delivers to. */
export const channelTypes = ['email', 'webhook', 'slack'] as const;
/** One of `channelTypes`. */
export type ChannelType = (typeof channelTypes)[number];

/** One setting of a channel, as the settings form shows it and as its config stores it. */
export interface ChannelField {
  /** Key in the channel's config. */
  name: string;
  /** Form label. */
  label: string;
  /** Form control, and how the value is parsed (`number` → number, `checkbox` → boolean, else text). */
  type: 'text' | 'number' | 'password' | 'select' | 'checkbox' | 'url';
  /** Encrypted at rest and never shown back; left blank on edit, it keeps its stored value. */
  secret?: boolean;
  /** Must have a value. */
  required?: boolean;
  /** Value of a new channel. */
  default?: string | number | boolean;
  /** Hint under the control. */
  help?: string;
  /** Choices of a `select`. */
  options?: ReadonlyArray<{ value: string; label: string }>;
}

/** A channel's parsed settings, secret ones included. */
export type ChannelValues = Record<string, string | number | boolean | undefined>;

/** What a channel may use to deliver. */
export interface DeliveryContext {
  /** HTTP client with its own retries off: the notification service retries and records each attempt. */
  http: HttpService;
  /** Budget of one attempt in ms. */
  timeoutMs: number;
}

/** What a successful delivery learnt from the other side. */
export interface DeliveryReceipt {
  /** HTTP status (webhook, Slack) or SMTP reply code (e-mail). */
  responseStatus?: number;
}

/** A channel type: its settings, their checks, and how it delivers (one file per type). */
export interface ChannelDriver {
  /** The type this driver delivers. */
  type: ChannelType;
  /** Name people see, e.g. "Slack". */
  label: string;
  /** Its settings, in form order. */
  fields: readonly ChannelField[];
  /** Checks beyond presence and type (URL schemes, addresses…): field name → message; tolerates missing values. */
  validate(values: ChannelValues): Record<string, string>;
  /** Delivers once; throws a coded error whose `details.transient` says whether another try may help. */
  deliver(
    notification: OutgoingNotification,
    values: ChannelValues,
    context: DeliveryContext,
  ): Promise<DeliveryReceipt>;
  /** Where it delivers, without secrets, for the channel list (e.g. "smtp.example.com → ops@example.com"). */
  describe(values: ChannelValues): string;
}

/**
 * Parses raw settings (form strings, or typed JSON from a module) against `driver`'s fields and checks them.
 * @throws NxfError NXF_CHANNEL_CONFIG with field → message in `details`.
 */
export function verifyChannelConfig(driver: ChannelDriver, raw: Record<string, unknown>): ChannelValues {
  const values: ChannelValues = {};
  const errors: Record<string, string> = {};
  for (const field of driver.fields) {
    const parsed = parseField(field, raw[field.name]);
    if (parsed.error) errors[field.name] = parsed.error;
    else if (parsed.value === undefined && field.required)
      errors[field.name] = `Enter the ${field.label.toLowerCase()}.`;
    else values[field.name] = parsed.value;
  }
  // The type's own checks run even when some fields failed, so the form shows every problem at once.
  for (const [name, message] of Object.entries(driver.validate(values))) errors[name] ??= message;
  if (Object.keys(errors).length > 0) {
    const summary = Object.entries(errors)
      .map(([name, message]) => `${name}: ${message}`)
      .join('; ');
    throw new NxfError('NXF_CHANNEL_CONFIG', `Invalid ${driver.label} channel settings — ${summary}`, {
      status: 422,
      details: errors,
    });
  }
  return values;
}

function parseField(field: ChannelField, raw: unknown): { value?: string | number | boolean; error?: string } {
  if (field.type === 'checkbox') {
    if (raw === undefined || raw === '' || raw === null) return { value: false };
    if (typeof raw === 'boolean') return { value: raw };
    return { value: ['on', 'true', '1'].includes(String(raw).toLowerCase()) };
  }
  if (raw === undefined || raw === null || (typeof raw === 'string' && raw.trim() === '')) return { value: undefined };
  if (field.type === 'number') {
    const number = typeof raw === 'number' ? raw : Number(String(raw).trim());
    return Number.isInteger(number) ? { value: number } : { error: 'Enter a whole number.' };
  }
  if (typeof raw !== 'string' && typeof raw !== 'number') return { error: 'Enter text.' };
  const text = String(raw).trim();
  if (text.length > 2000) return { error: 'At most 2000 characters.' };
  if (field.options && !field.options.some((option) => option.value === text)) {
    return { error: `Choose one of ${field.options.map((option) => option.label).join(', ')}.` };
  }
  return { value: text };
}

/** `{ [field]: message }` when `value` is not an absolute http(s) URL, else `{}`. */
export function httpUrlErrors(field: string, value: unknown): Record<string, string> {
  try {
    const url = new URL(String(value));
    return url.protocol === 'http:' || url.protocol === 'https:'
      ? {}
      : { [field]: 'Use an http:// or https:// address.' };
  } catch {
    return { [field]: 'Enter a full address, e.g. https://hooks.example.com/nxforge.' };
  }
}
