import type { DatabaseNotifications } from '../db/notifications.js';
import { errorMessage, isNxfError, NxfError } from '../errors.js';
import type { EventBus } from '../events/event-bus.js';
import type { ModuleLogStore } from './module-log.js';
import { canTransition, type ModuleStatus } from './module-status.js';
import type { ModuleRecord, ModuleStore } from './module-store.js';

/** Who did it and why, for the module's log and the audit log. */
export interface Actor {
  name: string;
  reason?: string;
}

/** The LISTEN/NOTIFY channel on which processes announce module changes to each other. */
export const moduleChannel = 'nxforge_modules';

/**
 * Writes down what happens to modules: the state in `modules`, a line with time, actor and reason in the
 * module's log, the `module.*` event, and the announcement to other NxForge processes.
 */
export class ModuleJournal {
  constructor(
    private readonly store: ModuleStore,
    private readonly logs: ModuleLogStore,
    private readonly events: EventBus,
    private readonly notifications: DatabaseNotifications,
  ) {}

  /**
   * Records a new state (and the enabled flag when given); clears any error.
   * @throws NxfError NXF_MODULE_STATE (409) for a step the lifecycle does not allow.
   */
  async transition(record: ModuleRecord, to: ModuleStatus, actor: Actor, enabled?: boolean): Promise<void> {
    if (!canTransition(record.status, to)) {
      throw new NxfError('NXF_MODULE_STATE', `${record.name} cannot go from ${record.status} to ${to}.`, {
        status: 409,
      });
    }
    await this.store.setStatus(record.name, to, enabled);
    await this.log(record.name, 'info', `${record.status} → ${to}`, actor, { from: record.status, to });
  }

  /** Emits `module.<event>` and tells the other processes to look at the module's record again. */
  async announce(
    record: Pick<ModuleRecord, 'name' | 'version'>,
    event: string,
    actor: Actor,
    extra: object = {},
  ): Promise<void> {
    await this.events.emit(`module.${event}`, {
      module: record.name,
      version: record.version,
      actor: actor.name,
      ...extra,
    });
    await this.notifications.notify(moduleChannel, record.name);
  }

  /** Keeps why an action failed on the record and in the log; the state stays as it was. */
  async failure(record: ModuleRecord, action: string, error: unknown, actor: Actor): Promise<void> {
    await this.store.setError(record.name, errorMessage(error), isNxfError(error) ? error.details : undefined);
    await this.log(record.name, 'error', `${action} failed: ${errorMessage(error)}`, actor, {
      code: isNxfError(error) ? error.code : undefined,
    });
  }

  async log(
    module: string,
    level: 'info' | 'error',
    message: string,
    actor: Actor,
    fields: Record<string, unknown> = {},
  ): Promise<void> {
    await this.logs.write({
      module,
      kind: 'lifecycle',
      level,
      message,
      actor: actor.name,
      fields: { ...fields, reason: actor.reason },
    });
  }
}
