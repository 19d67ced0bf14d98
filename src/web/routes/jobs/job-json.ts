import type { StoredEvent } from '../../../events/event-store.js';
import type { ExecutionLogLine } from '../../../jobs/execution-log-store.js';
import type { Execution } from '../../../jobs/execution-store.js';
import type { JobStatus } from '../../../jobs/job-status.js';

const iso = (date: Date | null | undefined) => (date ? date.toISOString() : null);

/** An execution as the JSON API shows it. */
export function executionJson(execution: Execution) {
  return {
    id: execution.id,
    module: execution.module,
    job: execution.job,
    trigger: execution.trigger,
    attempt: execution.attempt,
    retryOf: execution.retryOf,
    status: execution.status,
    scheduledFor: iso(execution.scheduledFor),
    input: execution.input ?? null,
    triggeredBy: execution.triggeredBy,
    runner: execution.runner,
    queuedAt: iso(execution.queuedAt),
    startedAt: iso(execution.startedAt),
    finishedAt: iso(execution.finishedAt),
    durationMs: execution.durationMs,
    result: execution.result ?? null,
    error: execution.errorCode
      ? { code: execution.errorCode, message: execution.error, stack: execution.errorStack }
      : null,
    screenshots: execution.screenshots,
    logLines: execution.logLines,
  };
}

/** A job as the JSON API shows it. */
export function jobJson(job: JobStatus) {
  return {
    module: job.module,
    job: job.job,
    name: job.name,
    description: job.description,
    schedule: job.schedule,
    nextRunAt: iso(job.nextRunAt),
    paused: job.paused,
    timeoutMs: job.timeoutMs,
    retries: job.retries,
    running: job.active.some((e) => e.status === 'running'),
    active: job.active.map((e) => ({ id: e.id, status: e.status, trigger: e.trigger })),
    lastExecution: job.lastExecution
      ? {
          id: job.lastExecution.id,
          status: job.lastExecution.status,
          queuedAt: iso(job.lastExecution.queuedAt),
          finishedAt: iso(job.lastExecution.finishedAt),
        }
      : null,
    config: job.config,
    builtin: job.builtin,
  };
}

/** A log line as the JSON API shows it. */
export function logLineJson(line: ExecutionLogLine) {
  return { seq: line.seq, at: iso(line.at), level: line.level, message: line.message, fields: line.fields };
}

/** An event as the JSON API shows it. */
export function eventJson(event: StoredEvent) {
  return {
    id: event.id,
    name: event.name,
    source: event.source,
    severity: event.severity,
    subject: event.subject,
    payload: event.payload ?? null,
    at: iso(event.at),
  };
}
