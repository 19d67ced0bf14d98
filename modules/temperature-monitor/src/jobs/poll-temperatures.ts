import type { JobContext, JobResult } from 'nxforge/module';
import { pollHosts } from '../poll/poll-hosts.js';
import { readSettings } from '../settings.js';
import { createSql } from '../store/sql.js';

/**
 * `poll-temperatures`, every minute: reads the hosts that are due. "Run now" reads every enabled host; run data
 * `{"hostId": 3}` reads that one host.
 */
export async function handler(context: JobContext): Promise<JobResult> {
  const settings = readSettings(context.settings);
  const data = (context.data ?? {}) as { hostId?: unknown };
  const hostId = typeof data.hostId === 'number' ? data.hostId : undefined;
  const summary = await pollHosts(
    {
      sql: createSql(context.db),
      services: context.services,
      settings,
      logger: context.logger,
      emit: (name, payload, options) => context.events.emit(name, payload, options),
      signal: context.signal,
    },
    {
      all: context.trigger === 'manual',
      concurrency: typeof context.config.concurrency === 'number' ? context.config.concurrency : 8,
      hostId,
    },
  );
  context.logger.info(
    `polled ${summary.hosts} hosts: ${summary.ok} ok, ${summary.unreachable} unreachable, ${summary.error} with errors`,
    { ...summary },
  );
  return {
    success: summary.crashed === 0,
    data: summary,
    ...(summary.crashed > 0 ? { error: `${summary.crashed} hosts could not be polled; see the log` } : {}),
  };
}
