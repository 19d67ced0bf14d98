import nodemailer from 'nodemailer';
import { NxfError } from '../../../errors.js';
import { describeData, type OutgoingNotification } from '../notification.js';
import type { ChannelDriver, ChannelValues } from './channel-driver.js';

const addressPattern = /^[^\s@<>,;]+@[^\s@<>,;]+$/;

/** The recipients of a comma- or semicolon-separated list. */
function recipients(list: unknown): string[] {
  return String(list ?? '')
    .split(/[,;]/)
    .map((address) => address.trim())
    .filter(Boolean);
}

/** Subject and plain-text body of the e-mail for `notification`. */
export function emailContent(notification: OutgoingNotification): { subject: string; text: string } {
  const facts = describeData(notification.data).map(([key, value]) => `${key}: ${value}`);
  const text = [
    notification.message,
    '',
    ...facts,
    ...(facts.length > 0 ? [''] : []),
    `Severity: ${notification.severity}`,
    `Source: ${notification.source}`,
    `Sent: ${notification.sentAt.toISOString()}`,
    '',
    '— NxForge',
  ].join('\n');
  return { subject: `[NxForge] [${notification.severity.toUpperCase()}] ${notification.title}`, text };
}

/** SMTP failures worth another try: no connection, timeouts, and 4xx replies ("try again later"). */
function smtpError(error: unknown): NxfError {
  const { code, responseCode, message } = error as { code?: string; responseCode?: number; message?: string };
  const transient =
    (responseCode !== undefined && responseCode >= 400 && responseCode < 500) ||
    ['ECONNECTION', 'ETIMEDOUT', 'ESOCKET', 'EDNS', 'ECONNRESET', 'ECONNREFUSED'].includes(String(code));
  const reason = code === 'EAUTH' ? 'the SMTP server refused the user name or password' : (message ?? String(error));
  return new NxfError('NXF_DELIVERY_FAILED', `E-mail not sent: ${reason}`, {
    status: 502,
    details: { transient, responseStatus: responseCode },
    cause: error,
  });
}

function transportFor(values: ChannelValues, timeoutMs: number) {
  const security = String(values.security ?? 'starttls');
  return nodemailer.createTransport({
    host: String(values.host),
    port: Number(values.port ?? (security === 'tls' ? 465 : 587)),
    secure: security === 'tls',
    requireTLS: security === 'starttls',
    ignoreTLS: security === 'none',
    auth: values.username ? { user: String(values.username), pass: String(values.password ?? '') } : undefined,
    tls: { rejectUnauthorized: values.verifyCertificate !== false },
    connectionTimeout: timeoutMs,
    greetingTimeout: timeoutMs,
    socketTimeout: timeoutMs,
  });
}

/** E-mail over SMTP with nodemailer: implicit TLS, STARTTLS or plain, optional authentication. */
export const emailChannel: ChannelDriver = {
  type: 'email',
  label: 'E-mail',
  fields: [
    { name: 'host', label: 'SMTP server', type: 'text', required: true },
    { name: 'port', label: 'Port', type: 'number', default: 587, help: '587 for STARTTLS, 465 for TLS, 25 for plain.' },
    {
      name: 'security',
      label: 'Security',
      type: 'select',
      default: 'starttls',
      options: [
        { value: 'starttls', label: 'STARTTLS (required)' },
        { value: 'tls', label: 'TLS from the start' },
        { value: 'none', label: 'None (trusted network only)' },
      ],
    },
    { name: 'verifyCertificate', label: "Verify the server's certificate", type: 'checkbox', default: true },
    { name: 'username', label: 'User name', type: 'text', help: 'Leave empty for a server without authentication.' },
    { name: 'password', label: 'Password', type: 'password', secret: true },
    { name: 'from', label: 'From', type: 'text', required: true, help: 'e.g. NxForge <nxforge@example.com>' },
    { name: 'to', label: 'To', type: 'text', required: true, help: 'One or more addresses, separated by commas.' },
  ],
  validate: (values) => {
    const errors: Record<string, string> = {};
    const port = Number(values.port ?? 587);
    if (port < 1 || port > 65535) errors.port = 'A port is from 1 to 65535.';
    const from = /<([^>]+)>\s*$/.exec(String(values.from))?.[1] ?? String(values.from);
    if (!addressPattern.test(from.trim())) errors.from = 'Enter an address, e.g. nxforge@example.com.';
    const to = recipients(values.to);
    if (to.length === 0 || to.some((address) => !addressPattern.test(address)))
      errors.to = 'Enter addresses separated by commas.';
    if (values.password && !values.username) errors.username = 'A password needs a user name.';
    return errors;
  },
  async deliver(notification, values, context) {
    const transport = transportFor(values, context.timeoutMs);
    try {
      const info = await transport.sendMail({
        from: String(values.from),
        to: recipients(values.to),
        ...emailContent(notification),
      });
      return { responseStatus: Number(/^\d{3}/.exec(String(info.response))?.[0] ?? 250) };
    } catch (error) {
      throw smtpError(error);
    } finally {
      transport.close();
    }
  },
  describe: (values) => `${String(values.host)} → ${recipients(values.to).join(', ')}`,
};
