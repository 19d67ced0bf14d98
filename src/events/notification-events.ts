import type { OutgoingNotification } from '../services/notifications/notification.js';
import type { DeliveryResult } from '../services/notifications/notification.service.js';
import type { EventBus } from './event-bus.js';

/** Emits `notification.failed` (severity error, source the sender) for a channel a notification did not reach. */
export async function emitNotificationFailure(
  events: EventBus,
  result: DeliveryResult,
  notification: OutgoingNotification,
): Promise<void> {
  await events.emit(
    'notification.failed',
    {
      channel: result.channel,
      title: notification.title,
      error: result.error ?? 'The notification was not delivered.',
      code: result.errorCode ?? 'NXF_DELIVERY_FAILED',
      attempts: result.attempts,
      source: notification.source,
    },
    { source: 'core', severity: 'error' },
  );
}
