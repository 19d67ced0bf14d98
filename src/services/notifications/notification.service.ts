import type { Database } from '../../db/database.js';
import { errorMessage, isNxfError } from '../../errors.js';
import type { Logger } from '../../logger.js';
import type { SecretBox } from '../crypto/secret-box.js';
import type { HttpService } from '../http/http.service.js';
import { withRetries, type RetryPolicy } from '../retry.js';
import { ChannelStore, type StoredChannel } from './channel-store.js';
import { verifyChannelConfig, type ChannelType, type ChannelValues } from './channels/channel-driver.js';
import { channelDriver } from './channels/index.js';
import { DeliveryLog } from './delivery-log.js';
import { verifyNotification, type Notification, type OutgoingNotification } from './notification.js';

/** A channel given inline rather than by name. */
export interface NotificationChannel {
  /** `email`, `webhook` or `slack`. */
  type: ChannelType;
  /** The type's settings, secrets included (e.g. `{ url, secret }` for a webhook). */
  config: Record<string, unknown>;
  /** Shown in the delivery records; default the type. */
  name?: string;
}

/** Where to deliver: the name (or id) of a channel configured in Settings, or an inline channel. */
export type ChannelTarget = string | NotificationChannel;

/** The outcome for one channel. */
export interface DeliveryResult {
  /** Channel name (or the target as given, when no such channel exists). */
  channel: string;
  /** Channel type, when the channel was found. */
  type?: ChannelType;
  /** True once one attempt was delivered. */
  success: boolean;
  /** Tries made; 0 when the channel could not be used at all. */
  attempts: number;
  /** HTTP status or SMTP reply code of the last try. */
  responseStatus?: number;
  /** Why it was not delivered, for people. */
  error?: string;
  /** Why it was not delivered, for code (NXF_DELIVERY_FAILED, NXF_CHANNEL_NOT_FOUND…). */
  errorCode?: string;
}

/** What a module with `notifications:send` gets. */
export interface NotificationSender {
  /**
   * Delivers `notification` to each channel (default: every enabled configured channel), retrying transient
   * failures with backoff and recording every attempt. Resolves with one result per channel; a channel's failure
   * never stops the others. @throws NxfError NXF_NOTIFICATION_INVALID for a malformed notification.
   */
  send(notification: Notification, channels?: ChannelTarget[]): Promise<DeliveryResult[]>;
}

/** The core's notification service: sending, the configured channels and the delivery records. */
export interface NotificationService extends NotificationSender {
  /** The channels configured in Settings. */
  readonly channels: ChannelStore;
  /** Every delivery attempt. */
  readonly deliveries: DeliveryLog;
  /** Sends a test message to one configured channel (enabled or not), as the Settings page's button does. */
  sendTest(channelId: string, requestedBy: string): Promise<DeliveryResult>;
  /** A sender whose deliveries are recorded with `source` (a module's name). */
  forSource(source: string): NotificationSender;
}

/** What the notification service is built from. */
export interface NotificationServiceOptions {
  /** Holds the channels and the delivery records. */
  db: Database;
  /** Seals the channels' secret settings. */
  box: SecretBox;
  /** Carries webhook and Slack posts. */
  http: HttpService;
  /** Failed deliveries are logged here. */
  logger: Logger;
  /** Backoff between attempts (default 2 retries, from 500 ms). */
  retry?: RetryPolicy;
  /** Budget of one attempt in ms (default 10 000). */
  timeoutMs?: number;
  /** Told of each channel a notification could not be delivered to (the core emits `notification.failed`). */
  onFailure?(result: DeliveryResult, notification: OutgoingNotification): void;
}

interface ResolvedChannel {
  id?: string;
  name: string;
  type: ChannelType;
  values: ChannelValues;
}

/** Creates the notification service. */
export function createNotificationService(options: NotificationServiceOptions): NotificationService {
  const channels = new ChannelStore(options.db, options.box);
  const deliveries = new DeliveryLog(options.db);
  const context = { http: options.http, timeoutMs: options.timeoutMs ?? 10_000 };

  /** One try, recorded whatever its outcome; resolves with the answer's status, rethrows the failure. */
  async function attemptOnce(
    channel: ResolvedChannel,
    notification: OutgoingNotification,
    attempt: number,
  ): Promise<number | undefined> {
    const started = Date.now();
    const record = (status: 'delivered' | 'failed', responseStatus?: number, error?: string) =>
      deliveries.record({
        channelId: channel.id,
        channelName: channel.name,
        channelType: channel.type,
        source: notification.source,
        title: notification.title,
        severity: notification.severity,
        attempt,
        status,
        responseStatus,
        error,
        durationMs: Date.now() - started,
      });
    try {
      const { responseStatus } = await channelDriver(channel.type).deliver(notification, channel.values, context);
      await record('delivered', responseStatus);
      return responseStatus;
    } catch (error) {
      await record('failed', answerOf(error), errorMessage(error));
      throw error;
    }
  }

  /** One channel, retried while the failure is transient; the result says how it ended. */
  async function deliver(channel: ResolvedChannel, notification: OutgoingNotification): Promise<DeliveryResult> {
    let attempts = 0;
    try {
      const responseStatus = await withRetries(() => attemptOnce(channel, notification, ++attempts), options.retry);
      return { channel: channel.name, type: channel.type, success: true, attempts, responseStatus };
    } catch (error) {
      options.logger.warn(
        { channel: channel.name, attempts, error: errorMessage(error) },
        'notification not delivered',
      );
      return failed(channel.name, error, { type: channel.type, attempts, responseStatus: answerOf(error) });
    }
  }

  /** A target as a channel with its settings, or the reason it cannot be used. */
  async function resolve(target: ChannelTarget): Promise<ResolvedChannel | DeliveryResult> {
    try {
      if (typeof target !== 'string') {
        const driver = channelDriver(target?.type);
        return {
          name: target.name ?? driver.type,
          type: driver.type,
          values: verifyChannelConfig(driver, target.config ?? {}),
        };
      }
      const stored = (await channels.findByName(target)) ?? (await channels.get(target));
      if (!stored)
        return failed(target, {
          code: 'NXF_CHANNEL_NOT_FOUND',
          message: `No notification channel called "${target}".`,
        });
      if (!stored.enabled)
        return failed(
          stored.name,
          { code: 'NXF_CHANNEL_DISABLED', message: `The channel "${stored.name}" is disabled.` },
          { type: stored.type },
        );
      return await fromStored(stored);
    } catch (error) {
      return failed(typeof target === 'string' ? target : (target?.name ?? String(target?.type)), error);
    }
  }

  const fromStored = async (stored: StoredChannel): Promise<ResolvedChannel> => ({
    id: stored.id,
    name: stored.name,
    type: stored.type,
    values: await channels.values(stored),
  });

  const sendAs = (source: string) => async (notification: Notification, targets?: ChannelTarget[]) => {
    verifyNotification(notification);
    const outgoing: OutgoingNotification = { ...notification, source, sentAt: new Date() };
    const list: ChannelTarget[] = targets ?? (await channels.list()).filter((c) => c.enabled).map((c) => c.id);
    const results = await Promise.all(
      list.map(async (target) => {
        const resolved = await resolve(target);
        return 'values' in resolved ? deliver(resolved, outgoing) : resolved;
      }),
    );
    for (const result of results) if (!result.success) options.onFailure?.(result, outgoing);
    return results;
  };

  return {
    channels,
    deliveries,
    send: sendAs('core'),
    forSource: (source) => ({ send: sendAs(source) }),
    async sendTest(channelId, requestedBy) {
      const stored = await channels.get(channelId);
      if (!stored)
        return failed(channelId, { code: 'NXF_CHANNEL_NOT_FOUND', message: 'No such notification channel.' });
      const notification: OutgoingNotification = {
        title: 'Test notification from NxForge',
        message: `${requestedBy} sent this from Settings → Notifications to check the "${stored.name}" channel.`,
        severity: 'info',
        data: { channel: stored.name, requestedBy },
        source: 'settings',
        sentAt: new Date(),
      };
      try {
        return await deliver(await fromStored(stored), notification);
      } catch (error) {
        return failed(stored.name, error, { type: stored.type });
      }
    },
  };
}

/** The HTTP status or SMTP reply code a failed delivery got, if it got one. */
function answerOf(error: unknown): number | undefined {
  return isNxfError(error) ? (error.details as { responseStatus?: number } | undefined)?.responseStatus : undefined;
}

function failed(channel: string, error: unknown, extra: Partial<DeliveryResult> = {}): DeliveryResult {
  const { code, message } = error as { code?: string; message?: string };
  return {
    channel,
    success: false,
    attempts: 0,
    ...extra,
    error: message ?? String(error),
    errorCode: code ?? 'NXF_DELIVERY_FAILED',
  };
}
