/** What every `job.*` event says about the run. */
export interface JobEventPayload {
  module: string;
  job: string;
  executionId: string;
  trigger: 'schedule' | 'manual' | 'retry';
  attempt: number;
}

/** `job.completed`: a run that succeeded. */
export interface JobCompletedPayload extends JobEventPayload {
  durationMs: number | null;
}

/** `job.failed`: a run that failed, timed out or was cancelled. */
export interface JobFailedPayload extends JobEventPayload {
  status: 'failed' | 'timed_out' | 'cancelled';
  error: string;
  code: string;
  durationMs: number | null;
  /** True when another attempt follows (the event is then a warning, not an error). */
  willRetry: boolean;
}

/** `scraping.failed`: a scrape of a device page failed after its retries. */
export interface ScrapingFailedPayload {
  module: string;
  /** The scrape's name, else the page's host: what the quiet period of a rule is kept per. */
  subject: string;
  /** The page, without credentials. */
  url: string;
  error: string;
  code: string;
  attempts: number;
  /** Where the screenshot was kept in the module's storage. */
  screenshotPath?: string;
  /** The execution that scraped, when a job did. */
  executionId?: string;
}

/** `module.*`: a lifecycle change. */
export interface ModuleEventPayload {
  module: string;
  version: string;
  actor: string;
  [extra: string]: unknown;
}

/** `notification.failed`: a notification that could not be delivered to a channel. */
export interface NotificationFailedPayload {
  channel: string;
  title: string;
  error: string;
  code: string;
  attempts: number;
  /** Who sent it: `core`, a module, or `rule:<name>` (that rule is not triggered by its own failure). */
  source: string;
}

/** The built-in events and their payloads; `EventBus.emit` checks these names' payloads at compile time. */
export interface BuiltinEvents {
  'job.started': JobEventPayload;
  'job.completed': JobCompletedPayload;
  'job.failed': JobFailedPayload;
  'scraping.failed': ScrapingFailedPayload;
  'module.installed': ModuleEventPayload;
  'module.enabled': ModuleEventPayload;
  'module.disabled': ModuleEventPayload;
  'module.uninstalled': ModuleEventPayload;
  'module.upgraded': ModuleEventPayload;
  'notification.failed': NotificationFailedPayload;
}

/** The payload type of event `N`: the built-in's, else anything. */
export type PayloadOf<N extends string> = N extends keyof BuiltinEvents ? BuiltinEvents[N] : unknown;

/**
 * What an event is about, for the quiet period of notification rules ("at most once per period per rule and
 * subject"): the payload's `subject` when it has one (modules set it, e.g. per endpoint), the job for `job.*`,
 * the module for `module.*`, the channel for `notification.failed`, else the event's name and source.
 */
export function eventSubject(event: { name: string; source: string; payload: unknown }): string {
  const payload = (event.payload ?? {}) as Record<string, unknown>;
  const text = (key: string) => (typeof payload[key] === 'string' ? (payload[key] as string) : undefined);
  const subject =
    text('subject') ??
    (event.name.startsWith('job.') && text('module') && text('job') ? `${text('module')}/${text('job')}` : undefined) ??
    (event.name.startsWith('module.') ? text('module') : undefined) ??
    (event.name === 'notification.failed' ? text('channel') : undefined);
  return (subject ?? `${event.source}:${event.name}`).slice(0, 200);
}
