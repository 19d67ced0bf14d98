import { corePermissions } from '../../../auth/permissions.js';
import { NxfError } from '../../../errors.js';
import type { Execution } from '../../../jobs/execution-store.js';
import { executionStatuses } from '../../../jobs/job-types.js';
import type { AppContext, AppRouter } from '../../../http/app-context.js';
import { createRouter } from '../../../http/router.js';
import type { CoreServices } from '../../../core-services.js';
import { requirePermission } from '../../middleware/guards.js';
import { queryInt } from '../../query.js';
import { executionFilters, filterQuery } from './filters.js';
import { may } from './jobs.routes.js';

/** Log lines shown on an execution's page at first; the live poll brings the rest in batches. */
const pageLines = 2000;

/**
 * The Executions page (`executions:read`): filter by module, job, status and dates, refreshed live; an
 * execution's page with its outcome, its log (growing live while it runs), screenshots and events.
 */
export function executionsRoutes(services: CoreServices): AppRouter {
  const { executions, eventStore, scheduler, views, toolkit } = services;
  const router = createRouter({ prefix: '/executions' });
  router.use(requirePermission(corePermissions.executionsRead));

  const load = async (ctx: AppContext): Promise<Execution> => {
    const execution = await executions.getExecution(String(ctx.params.id));
    if (!execution) throw new NxfError('NXF_EXECUTION_NOT_FOUND', 'There is no such execution.', { status: 404 });
    return execution;
  };

  router.get('/', async (ctx) => {
    const { filters, form, errors } = executionFilters(ctx);
    const valid = Object.keys(errors).length === 0;
    const list = valid ? await executions.getExecutions({ ...filters, limit: 51 }) : [];
    const offset = filters.offset ?? 0;
    const jobs = await scheduler.listJobs();
    views.page(ctx, 'pages/executions/index', {
      title: 'Executions',
      status: valid ? 200 : 422,
      executions: list.slice(0, 50),
      form,
      errors,
      filtered: Object.values(form).some(Boolean),
      modules: [...new Set([...jobs.map((j) => j.module), ...(form.module ? [form.module] : [])])].sort(),
      statuses: executionStatuses,
      live: offset === 0 && valid ? filterQuery(form) : undefined,
      older: list.length > 50 ? `/executions?${filterQuery(form, { offset: offset + 50 })}` : undefined,
      newer: offset > 0 ? `/executions?${filterQuery(form, { offset: Math.max(0, offset - 50) })}` : undefined,
    });
  });

  router.get('/rows', async (ctx) => {
    const { filters, errors } = executionFilters(ctx);
    const list = Object.keys(errors).length === 0 ? await executions.getExecutions({ ...filters, limit: 50 }) : [];
    views.fragment(ctx, 'pages/executions/_rows', { executions: list });
  });

  router.get('/:id', async (ctx) => {
    const e = await load(ctx);
    const lines = await executions.logLines(e.id, 0, pageLines);
    views.page(ctx, 'pages/executions/detail', {
      title: `${e.module}/${e.job} execution`,
      ...(await pageData(ctx, e)),
      lines,
      after: lines.at(-1)?.seq ?? 0,
      truncated: lines.length === pageLines,
    });
  });

  router.get('/:id/poll', async (ctx) => {
    const e = await load(ctx);
    const lines = await executions.logLines(e.id, queryInt(ctx, 'after', 0, 0, 1_000_000), 500);
    views.fragment(ctx, 'pages/executions/_poll', {
      ...(await pageData(ctx, e)),
      lines,
      after: lines.at(-1)?.seq ?? queryInt(ctx, 'after', 0, 0, 1_000_000),
    });
  });

  router.get('/:id/screenshots/:index', async (ctx) => {
    const e = await load(ctx);
    const shot = e.screenshots[Number(ctx.params.index)];
    if (!shot) throw new NxfError('NXF_NOT_FOUND', 'This execution has no such screenshot.', { status: 404 });
    const file = await toolkit.storage.forModule(e.module).readFile(shot.path);
    ctx.type = 'image/png';
    ctx.set('Cache-Control', 'private, max-age=3600');
    ctx.body = file;
  });

  /** What the execution page and its poll show besides the log. */
  async function pageData(ctx: AppContext, e: Execution) {
    const job = scheduler.registeredJob(e.module, e.job);
    const running = e.status === 'queued' || e.status === 'running';
    // While it runs, the poll shows only the log and the status; the events come with the end.
    const events =
      running && ctx.path.endsWith('/poll') ? [] : await eventStore.list({ executionId: e.id, limit: 100 });
    // The job's end event follows its final record by a moment: keep polling until it is there (10 s at most).
    const ended = events.some((event) => event.name === 'job.completed' || event.name === 'job.failed');
    const recent = !!e.finishedAt && Date.now() - e.finishedAt.getTime() < 10_000;
    return {
      e,
      live: running || (!ended && recent),
      jobName: job?.definition.name ?? `${e.module}/${e.job}`,
      jobRegistered: !!job,
      canRun: may(ctx, corePermissions.jobsRun),
      events,
    };
  }

  return router;
}
