import type { JobContext, JobResult } from 'nxforge/module';
import { collect } from '../collect/collect.js';
import { endpointsToRead } from '../collect/due-endpoints.js';
import { createRuntime } from '../runtime.js';

/**
 * `collect-consumption`: reads the endpoints that are due (a scheduled run), every enabled one ("Run now"), or
 * those named in the data `{"endpointIds": […]}`, `batchSize` at a time, and stores every attempt.
 */
export async function handler(context: JobContext): Promise<JobResult> {
  const runtime = createRuntime(context);
  const data = (context.data ?? {}) as { endpointIds?: unknown };
  const endpoints = await endpointsToRead(runtime, {
    scheduled: context.trigger !== 'manual', // a retry of a scheduled run reads what is still due
    endpointIds: data.endpointIds,
    now: new Date(),
  });
  context.logger.info(`reading ${endpoints.length} endpoint(s)`, { batchSize: context.config.batchSize });
  const summary = await collect(runtime, endpoints, {
    batchSize: Number(context.config.batchSize ?? 5),
    screenshotOnError: context.config.screenshotOnError !== false,
    signal: context.signal,
  });
  const { readings, ...counts } = summary;
  context.logger.info('collection done', counts);
  return { success: true, data: { ...counts, readings: readings.slice(0, 200) } };
}
