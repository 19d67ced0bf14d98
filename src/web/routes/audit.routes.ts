import type { AuditQuery } from '../../audit/audit-log.js';
import { corePermissions } from '../../auth/permissions.js';
import type { AppRouter } from '../../http/app-context.js';
import { createRouter } from '../../http/router.js';
import type { CoreServices } from '../../core-services.js';
import { requirePermission } from '../middleware/guards.js';
import { queryDay as day, queryPaging } from '../query.js';

const pageSize = 50;

/** The audit log page for administrators: filter by user, action (or a family such as `module.`) and dates. */
export function auditRoutes(services: CoreServices): AppRouter {
  const { audit, views } = services;
  const router = createRouter();
  router.get('/admin/audit', requirePermission(corePermissions.auditView), async (ctx) => {
    const text = (name: string) =>
      typeof ctx.query[name] === 'string' ? (ctx.query[name] as string).trim().slice(0, 100) : '';
    const { offset } = queryPaging(ctx, { defaultLimit: pageSize, maxLimit: pageSize });
    const filter = { actor: text('actor'), action: text('action'), from: text('from'), to: text('to') };
    const query: AuditQuery = {
      actor: filter.actor || undefined,
      action: filter.action || undefined,
      from: day(filter.from),
      // "to" is inclusive: entries before the next day.
      to: day(filter.to, 1),
      limit: pageSize + 1,
      offset,
    };
    const entries = await audit.query(query);
    const actions = await audit.actions();
    const families = [...new Set(actions.map((a) => `${a.split('.')[0]}.`))];
    const params = (moreOffset: number) => new URLSearchParams({ ...filter, offset: String(moreOffset) }).toString();
    views.page(ctx, 'pages/audit', {
      title: 'Audit log',
      entries: entries.slice(0, pageSize),
      filter,
      actionChoices: [...families, ...actions].sort(),
      older: entries.length > pageSize ? `/admin/audit?${params(offset + pageSize)}` : undefined,
      newer: offset > 0 ? `/admin/audit?${params(Math.max(0, offset - pageSize))}` : undefined,
    });
  });
  return router;
}
