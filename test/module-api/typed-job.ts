import type { JobContext, JobHandler, JobResult } from 'nxforge/module';

/** The job's config, as its manifest declares it. */
interface CheckConfig {
  threshold: number;
}

/** A job handler written in TypeScript against `nxforge/module`; the test build type-checks it. */
export const handler: JobHandler<CheckConfig> = async (
  context: JobContext<CheckConfig>,
): Promise<JobResult<{ over: boolean }>> => {
  context.logger.info('checking', { threshold: context.config.threshold });
  await context.events.emit('checked', { subject: 'typed' });
  return { success: true, data: { over: context.config.threshold > 10 } };
};
