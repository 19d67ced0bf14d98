import { corePermissions } from '../../../auth/permissions.js';
import { NxfError } from '../../../errors.js';
import type { AppRouter } from '../../../http/app-context.js';
import { createRouter } from '../../../http/router.js';
import type { CoreServices } from '../../../core-services.js';
import { requirePermission } from '../../middleware/guards.js';
import { queryInt } from '../../query.js';
import { assertValidFilters, eventFilters, executionFilters } from '../jobs/filters.js';
import { eventJson, executionJson, logLineJson } from '../jobs/job-json.js';

/**
 * Executions and events for scripts: `GET /api/v1/executions?module=&job=&status=&since=&until=&limit=&offset=`,
 * `GET /api/v1/executions/:id` with its log lines (`?after=<seq>` for the next ones), and
 * `GET /api/v1/events?name=&source=&severity=&since=&until=&after=&limit=`. Bad filters answer 400 NXF_VALIDATION.
 */
export function executionsApiRoutes(services: CoreServices): AppRouter {
  const { executions, eventStore } = services;
  const router = createRouter({ prefix: '/api/v1' });

  router.get('/executions', requirePermission(corePermissions.executionsRead), async (ctx) => {
    const parsed = executionFilters(ctx);
    assertValidFilters(parsed);
    const list = await executions.getExecutions(parsed.filters);
    ctx.body = { executions: list.map(executionJson), limit: parsed.filters.limit, offset: parsed.filters.offset };
  });

  router.get('/executions/:id', requirePermission(corePermissions.executionsRead), async (ctx) => {
    const execution = await executions.getExecution(String(ctx.params.id));
    if (!execution) throw new NxfError('NXF_EXECUTION_NOT_FOUND', 'There is no such execution.', { status: 404 });
    const after = queryInt(ctx, 'after', 0, 0, 1_000_000);
    const logs = await executions.logLines(execution.id, after, 5000);
    ctx.body = { execution: executionJson(execution), logs: logs.map(logLineJson) };
  });

  router.get('/events', requirePermission(corePermissions.eventsRead), async (ctx) => {
    const parsed = eventFilters(ctx);
    assertValidFilters(parsed);
    ctx.body = { events: (await eventStore.list(parsed.filters)).map(eventJson) };
  });

  return router;
}
