import { NxfError } from '../../../errors.js';
import type { ChannelDriver, ChannelType } from './channel-driver.js';
import { emailChannel } from './email-channel.js';
import { slackChannel } from './slack-channel.js';
import { webhookChannel } from './webhook-channel.js';

/** Every channel type NxForge delivers to, by type. */
export const channelDrivers: Record<ChannelType, ChannelDriver> = {
  email: emailChannel,
  webhook: webhookChannel,
  slack: slackChannel,
};

/** The driver of `type`; NXF_CHANNEL_CONFIG for an unknown type. */
export function channelDriver(type: string): ChannelDriver {
  const driver = channelDrivers[type as ChannelType];
  if (!driver) {
    throw new NxfError('NXF_CHANNEL_CONFIG', `"${type}" is not a channel type (email, webhook, slack).`, {
      status: 422,
      details: { type: 'Choose email, webhook or slack.' },
    });
  }
  return driver;
}
