import { corePermissions, roleHasPermission } from '../../../auth/permissions.js';
import { isNxfError } from '../../../errors.js';
import type { JobStatus } from '../../../jobs/job-status.js';
import { parseSettingsForm } from '../../../settings/setting-values.js';
import type { AppContext, AppRouter } from '../../../http/app-context.js';
import { createRouter } from '../../../http/router.js';
import type { CoreServices } from '../../../core-services.js';
import { audited } from '../../audited.js';
import { formString } from '../../forms.js';
import { requirePermission } from '../../middleware/guards.js';
import { setFlash } from '../../render/flash.js';
import { isHtmxRequest } from '../../render/htmx.js';

/** Whether the signed-in user holds `permission` (for showing buttons; the routes check it themselves). */
export const may = (ctx: AppContext, permission: string) =>
  !!ctx.state.user && roleHasPermission(ctx.state.user.role, permission);

/**
 * The Jobs page (`jobs:read`): every registered job with its schedule, next run, last result and paused state,
 * refreshed live; a job's page with its recent executions and config. "Run now", pause and resume need
 * `jobs:run`; editing a job's config needs `settings:manage`.
 */
export function jobsRoutes(services: CoreServices): AppRouter {
  const { scheduler, executions, audit, views } = services;
  const router = createRouter({ prefix: '/jobs' });
  router.use(requirePermission(corePermissions.jobsRead));
  const run = requirePermission(corePermissions.jobsRun);
  const params = (ctx: AppContext) => ({ module: String(ctx.params.module), job: String(ctx.params.job) });
  const actor = (ctx: AppContext) => ctx.state.user?.username ?? 'unknown';

  const listData = async (ctx: AppContext) => ({ jobs: await scheduler.listJobs(), canRun: may(ctx, 'jobs:run') });

  const showJob = async (ctx: AppContext, extra: Record<string, unknown> = {}) => {
    const { module, job } = params(ctx);
    const j = await scheduler.getJobStatus(module, job);
    views.page(ctx, 'pages/jobs/detail', {
      title: j.name,
      j,
      recent: await executions.getExecutions({ module, job, limit: 10 }),
      canRun: may(ctx, corePermissions.jobsRun),
      canConfigure: may(ctx, corePermissions.settingsManage),
      values: j.config,
      errors: {},
      ...extra,
    });
  };

  router.get('/', async (ctx) => views.page(ctx, 'pages/jobs/index', { title: 'Jobs', ...(await listData(ctx)) }));
  router.get('/rows', async (ctx) => views.fragment(ctx, 'pages/jobs/_rows', await listData(ctx)));
  router.get('/:module/:job', (ctx) => showJob(ctx));

  router.post('/:module/:job/run', run, async (ctx) => {
    const { module, job } = params(ctx);
    const text = formString(ctx, 'data').trim();
    let data: unknown;
    try {
      data = text === '' ? undefined : JSON.parse(text);
    } catch (error) {
      return showJob(ctx, { status: 422, runData: text, runError: `Not JSON: ${(error as Error).message}` });
    }
    try {
      const execution = await audited(audit, ctx, 'job.run', `${module}/${job}`, () =>
        scheduler.executeJob(module, job, { data, actor: actor(ctx) }),
      );
      ctx.status = 303;
      ctx.redirect(`/executions/${execution.id}`);
    } catch (error) {
      if (!isNxfError(error, 'NXF_JOB_DATA_INVALID')) throw error;
      await showJob(ctx, { status: 422, runData: text, runError: error.message });
    }
  });

  for (const action of ['pause', 'resume'] as const) {
    router.post(`/:module/:job/${action}`, run, async (ctx) => {
      const { module, job } = params(ctx);
      await audited(audit, ctx, `job.${action}`, `${module}/${job}`, () =>
        action === 'pause' ? scheduler.pauseJob(module, job, actor(ctx)) : scheduler.resumeJob(module, job, actor(ctx)),
      );
      const text = `${module}/${job} is ${action === 'pause' ? 'paused: it runs only when started by hand' : 'on its schedule again'}.`;
      if (isHtmxRequest(ctx)) {
        ctx.state.flash.push({ kind: 'success', text });
        const j: JobStatus = await scheduler.getJobStatus(module, job);
        return views.fragment(ctx, 'pages/jobs/_row', { j, canRun: true });
      }
      setFlash(ctx, 'success', text);
      ctx.status = 303;
      ctx.redirect(formString(ctx, 'back') === 'detail' ? `/jobs/${module}/${job}` : '/jobs');
    });
  }

  router.post('/:module/:job/config', requirePermission(corePermissions.settingsManage), async (ctx) => {
    const { module, job } = params(ctx);
    const j = await scheduler.getJobStatus(module, job);
    const form = (ctx.request as { body?: Record<string, unknown> }).body ?? {};
    const { values, errors } = parseSettingsForm(j.configDefinitions, form);
    const respond = async (data: Record<string, unknown>) =>
      views.respond(
        ctx,
        { page: 'pages/jobs/detail', fragment: 'pages/jobs/_config-form' },
        {
          title: j.name,
          j,
          recent: isHtmxRequest(ctx) ? [] : await executions.getExecutions({ module, job, limit: 10 }),
          canRun: may(ctx, corePermissions.jobsRun),
          canConfigure: true,
          ...data,
        },
      );
    if (Object.keys(errors).length > 0) return respond({ status: 422, values: form, errors });
    await audited(audit, ctx, 'job.config', `${module}/${job}`, () =>
      scheduler.saveJobConfig(module, job, values, actor(ctx)),
    );
    const text = 'Config saved; the next run uses it.';
    if (!isHtmxRequest(ctx)) {
      setFlash(ctx, 'success', text);
      ctx.status = 303;
      return ctx.redirect(`/jobs/${module}/${job}`);
    }
    ctx.state.flash.push({ kind: 'success', text });
    const saved = await scheduler.getJobStatus(module, job);
    await respond({ j: saved, values: saved.config, errors: {} });
  });

  return router;
}
