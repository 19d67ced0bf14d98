import { corePermissions } from '../../../auth/permissions.js';
import type { AppContext, AppRouter } from '../../../http/app-context.js';
import { createRouter } from '../../../http/router.js';
import type { CoreServices } from '../../../core-services.js';
import { audited } from '../../audited.js';
import { requirePermission } from '../../middleware/guards.js';
import { jobJson } from '../jobs/job-json.js';

/** The run data of `POST …/run`: the JSON body, when there is one. */
function runData(ctx: AppContext): unknown {
  const body = (ctx.request as { body?: unknown }).body;
  if (body === undefined || body === null) return undefined;
  if (typeof body === 'object' && !Array.isArray(body) && Object.keys(body).length === 0) return undefined;
  return body;
}

/**
 * Jobs for scripts: list them (`jobs:read`), run one now with optional JSON data, pause or resume it
 * (`jobs:run`). Errors: 404 NXF_JOB_NOT_FOUND, 409 NXF_JOB_MODULE_DISABLED, 400 NXF_JOB_DATA_INVALID.
 */
export function jobsApiRoutes(services: CoreServices): AppRouter {
  const { scheduler, audit } = services;
  const router = createRouter({ prefix: '/api/v1/jobs' });
  const actor = (ctx: AppContext) => ctx.state.user?.username ?? 'api';
  const params = (ctx: AppContext) => ({ module: String(ctx.params.module), job: String(ctx.params.job) });

  router.get('/', requirePermission(corePermissions.jobsRead), async (ctx) => {
    ctx.body = { jobs: (await scheduler.listJobs()).map(jobJson) };
  });

  router.get('/:module/:job', requirePermission(corePermissions.jobsRead), async (ctx) => {
    const { module, job } = params(ctx);
    ctx.body = { job: jobJson(await scheduler.getJobStatus(module, job)) };
  });

  router.post('/:module/:job/run', requirePermission(corePermissions.jobsRun), async (ctx) => {
    const { module, job } = params(ctx);
    const execution = await audited(audit, ctx, 'job.run', `${module}/${job}`, () =>
      scheduler.executeJob(module, job, { data: runData(ctx), actor: actor(ctx) }),
    );
    ctx.status = 202;
    ctx.set('Location', `/api/v1/executions/${execution.id}`);
    ctx.body = { executionId: execution.id, status: execution.status };
  });

  for (const action of ['pause', 'resume'] as const) {
    router.post(`/:module/:job/${action}`, requirePermission(corePermissions.jobsRun), async (ctx) => {
      const { module, job } = params(ctx);
      await audited(audit, ctx, `job.${action}`, `${module}/${job}`, () =>
        action === 'pause' ? scheduler.pauseJob(module, job, actor(ctx)) : scheduler.resumeJob(module, job, actor(ctx)),
      );
      ctx.body = { module, job, paused: action === 'pause' };
    });
  }

  return router;
}
