import type { ModuleLogger, ModuleServices, SettingValue, Severity } from 'nxforge/module';
import type { Sequelize } from 'sequelize';
import { EndpointStore } from './endpoints/endpoint-store.js';
import { ReadingStore } from './readings/reading-store.js';

/** What the module's code needs, whether it runs for a page (ModuleContext) or in a job (JobContext). */
export interface Runtime {
  db: Sequelize;
  services: ModuleServices;
  logger: ModuleLogger;
  settings: Readonly<Record<string, SettingValue | undefined>>;
  emit(name: string, payload?: unknown, options?: { severity?: Severity }): Promise<void>;
  endpoints: EndpointStore;
  readings: ReadingStore;
}

/** Builds the runtime over a module or job context. */
export function createRuntime(context: {
  db: Sequelize;
  services: ModuleServices;
  logger: ModuleLogger;
  settings: Readonly<Record<string, SettingValue | undefined>>;
  events: { emit: Runtime['emit'] };
}): Runtime {
  return {
    db: context.db,
    get services() {
      return context.services;
    },
    logger: context.logger,
    settings: context.settings,
    emit: (name, payload, options) => context.events.emit(name, payload, options),
    endpoints: new EndpointStore(context.db, context.services.secrets),
    readings: new ReadingStore(context.db),
  };
}

/** A number setting, or its fallback. */
export function numberSetting(runtime: Pick<Runtime, 'settings'>, key: string, fallback: number): number {
  const value = runtime.settings[key];
  return typeof value === 'number' && Number.isFinite(value) ? value : fallback;
}
