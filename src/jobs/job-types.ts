import type { Sequelize } from 'sequelize';
import type { Severity } from '../events/event-bus.js';
import type { ModuleLogger } from '../logger.js';
import type { ModuleServices } from '../services/module-services.js';
import type { SettingDefinition, SettingValue } from '../settings/setting-values.js';

/** A job a module's manifest declares under `jobs`. */
export interface JobDefinition {
  name: string;
  description: string;
  /** Handler module, relative to the entry's folder (`./jobs/collect`) or the module's (`./dist/jobs/collect.js`). */
  handler: string;
  /** Cron expression, or null for a job that only runs on demand. */
  schedule: string | null;
  /** Milliseconds after which a run is stopped. */
  timeout?: number;
  /** Further attempts after a failed one. */
  retries?: number;
  /** The job's settings, editable from the Jobs page; handlers receive the values. */
  config?: Record<string, SettingDefinition>;
}

/** Why an execution ran: its cron schedule, a person or script ("Run now"), or a retry of a failed attempt. */
export type JobTrigger = 'schedule' | 'manual' | 'retry';

/** Where an execution is in its life; the last four are final. */
export type ExecutionStatus = 'queued' | 'running' | 'succeeded' | 'failed' | 'timed_out' | 'cancelled';

/** Every status, in life order. */
export const executionStatuses: readonly ExecutionStatus[] = [
  'queued',
  'running',
  'succeeded',
  'failed',
  'timed_out',
  'cancelled',
];

/** What a job handler returns: whether it did its work, and what to keep of it. */
export interface JobResult<T = unknown> {
  /** False records the execution as failed (and retries it when the job has retries left). */
  success: boolean;
  /** Stored with the execution as JSON and shown on its page (at most 256 KB). */
  data?: T;
  /** Why it did not succeed, shown with a failed execution. */
  error?: string;
}

/** A job's own events, emitted as `<module>.<name>` (e.g. `consumption-monitor.threshold_exceeded`). */
export interface JobEvents {
  /** Emits `<module>.<name>` through the core's event bus; resolves once the main thread has it. */
  emit(name: string, payload?: unknown, options?: { severity?: Severity }): Promise<void>;
}

/**
 * What a job handler receives, in its worker thread. Everything reaches the core
 * through messages to the main thread, except `db` (the worker's own connection) and `services`, which are
 * built in the worker with the module's capabilities.
 */
export interface JobContext<Config = Record<string, SettingValue | undefined>> {
  /** The execution's id, as shown on the Executions page. */
  readonly executionId: string;
  /** The module's name. */
  readonly module: string;
  /** The job's id in the manifest's `jobs`. */
  readonly job: string;
  /** Why it runs. */
  readonly trigger: JobTrigger;
  /** 1 for the first attempt, 2 for the first retry… */
  readonly attempt: number;
  /** The JSON data given to "Run now" (API or page), else undefined. */
  readonly data: unknown;
  /** The job's `config`: its defaults merged with the values saved on the Jobs page. */
  readonly config: Readonly<Config>;
  /** The module's settings (saved, else defaults). */
  readonly settings: Readonly<Record<string, SettingValue | undefined>>;
  /** Each line is stored with the execution, in order, and shown live on its page. */
  readonly logger: ModuleLogger;
  /** Core services per the module's capabilities; scraping drives the main process's shared browsers. */
  readonly services: ModuleServices;
  /** Sequelize on a connection of this run's own (closed when the handler ends); needs `database:*`. */
  readonly db: Sequelize;
  /** Emits the module's own events. */
  readonly events: JobEvents;
  /** Aborted when the run is cancelled or overruns its timeout; the worker is terminated shortly after. */
  readonly signal: AbortSignal;
}

/** A job handler module exports `handler` (or a default export) of this type. */
export type JobHandler<Config = Record<string, SettingValue | undefined>> = (
  context: JobContext<Config>,
) => Promise<JobResult>;
