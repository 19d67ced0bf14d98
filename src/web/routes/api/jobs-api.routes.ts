import { koaBody } from 'koa-body';
import { corePermissions } from '../../../auth/permissions.js';
import { NxfError } from '../../../errors.js';
import type { AppContext, AppMiddleware, AppRouter } from '../../../http/app-context.js';
import { createRouter } from '../../../http/router.js';
import type { CoreServices } from '../../../core-services.js';
import { audited } from '../../audited.js';
import { requirePermission } from '../../middleware/guards.js';
import { jobJson } from '../jobs/job-json.js';

/** True for `POST /api/v1/jobs/:module/:job/run`, whose body `runDataBody` parses. */
export function isJobRunPath(path: string): boolean {
  return /^\/api\/v1\/jobs\/[^/]+\/[^/]+\/run$/.test(path);
}

/**
 * Parses the body of a run request: the run's data, any JSON value (a string or a number too). A body that is
 * not JSON, or too large to read, is the run data's own error rather than a generic bad request.
 */
export function runDataBody(): AppMiddleware {
  return koaBody({
    json: true,
    jsonStrict: false,
    jsonLimit: '1mb',
    urlencoded: false,
    multipart: false,
    text: false,
    onError: (error) => {
      const tooLarge = (error as { status?: number }).status === 413;
      throw new NxfError(
        'NXF_JOB_DATA_INVALID',
        tooLarge ? 'The run data must be at most 64 KB of JSON.' : 'The run data must be JSON.',
        { status: 400 },
      );
    },
  });
}

/** The run data of `POST …/run`: the JSON body, when there is one. */
function runData(ctx: AppContext): unknown {
  const body = (ctx.request as { body?: unknown }).body;
  if (body === undefined || body === null || body === '') return undefined;
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
