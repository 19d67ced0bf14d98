import { describeData, type OutgoingNotification, type Severity } from '../notification.js';
import { httpUrlErrors, type ChannelDriver } from './channel-driver.js';
import { postJson } from './webhook-channel.js';

/** Attachment colour per severity (the bar beside a Slack message). */
export const slackColours: Record<Severity, string> = {
  info: '#1f5fbf',
  warning: '#e0a100',
  error: '#d93025',
  critical: '#7a0a0a',
};

/** The incoming-webhook payload: a one-line text plus an attachment with colour, details and fields. */
export function slackPayload(
  notification: OutgoingNotification,
  options: { channel?: string; username?: string } = {},
): object {
  const fields = [
    { title: 'Severity', value: notification.severity, short: true },
    { title: 'Source', value: notification.source, short: true },
    ...describeData(notification.data).map(([title, value]) => ({ title, value, short: value.length <= 40 })),
  ];
  return {
    text: `[${notification.severity.toUpperCase()}] ${notification.title}`,
    ...(options.channel ? { channel: options.channel } : {}),
    ...(options.username ? { username: options.username } : {}),
    attachments: [
      {
        fallback: `[${notification.severity.toUpperCase()}] ${notification.title}: ${notification.message}`,
        color: slackColours[notification.severity],
        title: notification.title,
        text: notification.message,
        fields,
        footer: 'NxForge',
        ts: Math.floor(notification.sentAt.getTime() / 1000),
      },
    ],
  };
}

/** Slack (or a compatible chat) through an incoming webhook. */
export const slackChannel: ChannelDriver = {
  type: 'slack',
  label: 'Slack',
  fields: [
    {
      name: 'webhookUrl',
      label: 'Incoming webhook URL',
      type: 'url',
      secret: true,
      required: true,
      help: 'From the Slack app: https://hooks.slack.com/services/…',
    },
    {
      name: 'channel',
      label: 'Channel override',
      type: 'text',
      help: "Optional, e.g. #ops; default the webhook's own channel.",
    },
    { name: 'username', label: 'Post as', type: 'text', help: 'Optional display name.' },
  ],
  validate: (values) => httpUrlErrors('webhookUrl', values.webhookUrl),
  deliver: (notification, values, context) =>
    postJson(
      String(values.webhookUrl),
      JSON.stringify(
        slackPayload(notification, {
          channel: values.channel as string | undefined,
          username: values.username as string | undefined,
        }),
      ),
      {},
      context,
    ),
  describe: (values) => (values.channel ? `Slack ${String(values.channel)}` : 'Slack incoming webhook'),
};
