import { NxfError } from '../errors.js';
import { severities, type EventBus } from '../events/event-bus.js';
import type { Notification } from '../services/notifications/notification.js';
import type { ChannelTarget, NotificationService } from '../services/notifications/notification.service.js';
import type { RegisteredJob } from './registered-job.js';
import type { SlotBroker } from './slot-broker.js';
import type { EmitCall, WorkerCallMethod } from './worker-protocol.js';

/** What the main thread does for a job's worker. */
export interface WorkerCallDeps {
  events: EventBus;
  notifications: Pick<NotificationService, 'forSource'>;
  broker: SlotBroker;
}

/** Answers one call of a worker; the job is the worker's, so nothing it asks can act for another module. */
export type WorkerCallHandler = (method: WorkerCallMethod, args: unknown) => Promise<unknown>;

/** The calls a job's worker may make: browser slots, notifications, the module's events. */
export function createWorkerCalls(deps: WorkerCallDeps, job: RegisteredJob): WorkerCallHandler {
  const module = job.module;
  const argument = (args: unknown) => (args ?? {}) as Record<string, unknown>;
  return async (method, args) => {
    switch (method) {
      case 'acquireSlot':
        return deps.broker.acquire();
      case 'releaseSlot':
        return deps.broker.release(Number(argument(args).slotId));
      case 'contextOpened': {
        const { slotId, contextId } = argument(args);
        return deps.broker.contextOpened(Number(slotId), typeof contextId === 'string' ? contextId : undefined);
      }
      case 'notify': {
        // The worker's services check the capability too; the main thread does not take its word for it.
        if (!job.owner.capabilities.includes('notifications:send')) {
          throw new NxfError('NXF_CAPABILITY_DENIED', `${module} does not declare notifications:send.`, {
            status: 403,
          });
        }
        const { notification, channels } = argument(args);
        return deps.notifications
          .forSource(module)
          .send(notification as Notification, channels as ChannelTarget[] | undefined);
      }
      case 'emit':
        return emitModuleEvent(deps.events, module, args as EmitCall);
      default:
        throw new NxfError('NXF_JOB_CALL', `Unknown request from a job worker: ${String(method)}.`, { status: 400 });
    }
  };
}

/** `<module>.<name>` from a job, as `ctx.events.emit` does for the module's pages. */
async function emitModuleEvent(events: EventBus, module: string, call: EmitCall): Promise<void> {
  if (typeof call?.name !== 'string' || !/^[a-z0-9_.-]{1,100}$/i.test(call.name)) {
    throw new NxfError('NXF_EVENT_INVALID', 'An event name is 1–100 letters, digits, dots, dashes or underscores.', {
      status: 400,
    });
  }
  if (call.severity !== undefined && !severities.includes(call.severity)) {
    throw new NxfError('NXF_EVENT_INVALID', `Severity must be one of ${severities.join(', ')}.`, { status: 400 });
  }
  const name = call.name.startsWith(`${module}.`) ? call.name : `${module}.${call.name}`;
  await events.emit(name, call.payload, { source: module, severity: call.severity });
}
