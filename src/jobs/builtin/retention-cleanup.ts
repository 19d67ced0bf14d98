import { Database } from '../../db/database.js';
import { EventStore } from '../../events/event-store.js';
import { RuleFiringStore } from '../../events/rules/rule-firings.js';
import { ExecutionStore } from '../execution-store.js';
import type { JobContext, JobResult } from '../job-types.js';

const dayMs = 24 * 3600 * 1000;

/**
 * The core's retention job (`core/retention-cleanup`), run like any job in a worker thread: deletes finished
 * executions (with their log lines) and events older than the days in its config, and forgets notification-rule
 * quiet periods that are over.
 */
export async function handler(context: JobContext<{ executionDays?: number; eventDays?: number }>): Promise<JobResult> {
  const { executionDays = 30, eventDays = 30 } = context.config;
  const db = new Database(context.db, '');
  const now = Date.now();
  const executions = await new ExecutionStore(db).deleteFinishedBefore(new Date(now - executionDays * dayMs));
  context.logger.info(`deleted ${executions} executions finished over ${executionDays} days ago`);
  const events = await new EventStore(db).deleteBefore(new Date(now - eventDays * dayMs));
  context.logger.info(`deleted ${events} events over ${eventDays} days old`);
  const quietPeriods = await new RuleFiringStore(db).deleteExpired();
  return { success: true, data: { executions, events, quietPeriods } };
}
