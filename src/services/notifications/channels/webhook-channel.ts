import { createHmac, timingSafeEqual } from 'node:crypto';
import { isNxfError, NxfError } from '../../../errors.js';
import type { OutgoingNotification } from '../notification.js';
import { httpUrlErrors, type ChannelDriver, type DeliveryContext, type DeliveryReceipt } from './channel-driver.js';

/** Header carrying `sha256=<hex HMAC-SHA256 of the raw body>` when the channel has a secret. */
export const signatureHeader = 'X-NxForge-Signature';
/** Header carrying the send time in Unix seconds (also in the body, so the signature covers it). */
export const timestampHeader = 'X-NxForge-Timestamp';

/** `sha256=<hex>`: the HMAC-SHA256 of `rawBody` under `secret`, as sent in X-NxForge-Signature. */
export function signWebhookBody(secret: string, rawBody: string): string {
  return `sha256=${createHmac('sha256', secret).update(rawBody, 'utf8').digest('hex')}`;
}

/** What a receiver does: constant-time check that `signature` is the body's signature under `secret`. */
export function verifyWebhookSignature(secret: string, rawBody: string, signature: string | undefined): boolean {
  const expected = Buffer.from(signWebhookBody(secret, rawBody));
  const given = Buffer.from(signature ?? '');
  return expected.length === given.length && timingSafeEqual(expected, given);
}

/** The JSON body: the notification, who sent it and when (`timestamp` lets receivers refuse replays). */
export function webhookBody(notification: OutgoingNotification): string {
  return JSON.stringify({
    title: notification.title,
    message: notification.message,
    severity: notification.severity,
    data: notification.data ?? {},
    source: notification.source,
    sentAt: notification.sentAt.toISOString(),
    timestamp: Math.floor(notification.sentAt.getTime() / 1000),
  });
}

/** POSTs `body` as JSON and maps the answer: 2xx delivered; 429, 5xx and network failures transient. */
export async function postJson(
  url: string,
  body: string,
  headers: Record<string, string>,
  context: DeliveryContext,
): Promise<DeliveryReceipt> {
  try {
    const response = await context.http.createClient({ timeout: context.timeoutMs, retries: 0 }).post(url, body, {
      headers: { 'Content-Type': 'application/json', ...headers },
      // The body is sent exactly as signed: no re-serialisation.
      transformRequest: [(data: unknown) => data],
      maxRedirects: 0,
    });
    return { responseStatus: response.status };
  } catch (error) {
    if (!isNxfError(error)) throw error;
    const { status, transient } = (error.details ?? {}) as { status?: number; transient?: boolean };
    throw new NxfError('NXF_DELIVERY_FAILED', error.message, {
      status: 502,
      details: { transient: transient ?? false, responseStatus: status },
      cause: error,
    });
  }
}

/** Webhook: a JSON POST, signed with HMAC-SHA256 when the channel has a secret. */
export const webhookChannel: ChannelDriver = {
  type: 'webhook',
  label: 'Webhook',
  fields: [
    { name: 'url', label: 'URL', type: 'url', required: true, help: 'Receives a JSON POST per notification.' },
    {
      name: 'secret',
      label: 'Signing secret',
      type: 'password',
      secret: true,
      help: `Optional. Signs each body: ${signatureHeader}: sha256=HMAC-SHA256(secret, body).`,
    },
  ],
  validate: (values) => httpUrlErrors('url', values.url),
  async deliver(notification, values, context) {
    const body = webhookBody(notification);
    const headers: Record<string, string> = {
      [timestampHeader]: String(Math.floor(notification.sentAt.getTime() / 1000)),
    };
    if (typeof values.secret === 'string' && values.secret !== '')
      headers[signatureHeader] = signWebhookBody(values.secret, body);
    return postJson(String(values.url), body, headers, context);
  },
  describe: (values) => {
    try {
      const url = new URL(String(values.url));
      return `${url.origin}${url.pathname}`;
    } catch {
      return String(values.url);
    }
  },
};
