import type { Severity } from '../events/event-bus.js';
import type { ModuleLogLevel } from '../logger.js';
import type { SettingValue } from '../settings/setting-values.js';
import type { ScrapeReport } from '../services/scraping/scrape-reports.js';
import type { JobResult, JobTrigger } from './job-types.js';

/**
 * The messages between the main thread and a job's worker thread. Plain data only: they cross a
 * MessagePort by structured clone. Messages from one side arrive in the order they were posted, which is what
 * keeps an execution's log in order.
 */

/** What the worker needs to build the JobContext and import the handler (`workerData.run`). */
export interface WorkerRunData {
  executionId: string;
  module: string;
  job: string;
  trigger: JobTrigger;
  attempt: number;
  data: unknown;
  config: Record<string, SettingValue | undefined>;
  settings: Record<string, SettingValue | undefined>;
  /** Absolute path of the handler module. */
  handlerPath: string;
  /** The module's declared capabilities. */
  capabilities: string[];
  /** For the run's own database connection (only opened with a `database:*` capability). */
  databaseUrl: string;
  /** The module's database role, which that connection takes at startup; undefined without isolation. */
  databaseRole?: string;
  /** `$NXFORGE_DATA_DIR/storage`. */
  storageRoot: string;
  /** The key the core seals module secrets with (`keyring.derive('credentials')`), for `services.secrets`. */
  credentialsKey: Uint8Array;
}

/** An error as it crosses the thread boundary. */
export interface SerializedError {
  message: string;
  stack?: string;
  code?: string;
  name?: string;
}

/** Requests the worker makes of the main thread, answered with a `reply`. */
export type WorkerCallMethod = 'acquireSlot' | 'releaseSlot' | 'contextOpened' | 'notify' | 'emit';

/** Worker → main. */
export type WorkerMessage =
  | { type: 'log'; seq: number; level: ModuleLogLevel; at: number; message: string; fields?: Record<string, unknown> }
  | { type: 'result'; result: JobResult; at: number }
  | { type: 'failure'; error: SerializedError }
  /** The handler's resources are closed; the worker may be terminated. */
  | { type: 'closed' }
  | { type: 'scrape'; name?: string; url: string; report: ScrapeReport }
  | { type: 'call'; id: number; method: WorkerCallMethod; args: unknown };

/** Main → worker. */
export type MainMessage =
  { type: 'abort'; reason: string } | { type: 'reply'; id: number; value?: unknown; error?: SerializedError };

/** Arguments of the `emit` call. */
export interface EmitCall {
  name: string;
  payload: unknown;
  severity?: Severity;
}

/** Serializes anything thrown, keeping an NxfError's code. */
export function serializeError(error: unknown): SerializedError {
  if (error instanceof Error) {
    const code = (error as { code?: unknown }).code;
    return {
      message: error.message,
      stack: error.stack,
      name: error.name,
      code: typeof code === 'string' ? code : undefined,
    };
  }
  return { message: String(error) };
}
