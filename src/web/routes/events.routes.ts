import { corePermissions } from '../../auth/permissions.js';
import { severities } from '../../events/event-bus.js';
import type { StoredEvent } from '../../events/event-store.js';
import type { AppRouter } from '../../http/app-context.js';
import { createRouter } from '../../http/router.js';
import type { CoreServices } from '../../core-services.js';
import { requirePermission } from '../middleware/guards.js';
import { eventFilters, filterQuery } from './jobs/filters.js';

/** Rows per page of the Events page. */
const pageSize = 100;

/**
 * The Events page (`events:read`): filter by name or prefix, source, minimum severity and dates; new events
 * matching the filter appear at the top without a reload (htmx polls for events newer than the newest shown).
 */
export function eventsRoutes(services: CoreServices): AppRouter {
  const { eventStore, views } = services;
  const router = createRouter({ prefix: '/events' });
  router.use(requirePermission(corePermissions.eventsRead));

  /** The poll's query: the filter and the newest event shown. */
  const pollQuery = (form: Record<string, string>, events: StoredEvent[], after = '0') =>
    filterQuery(form, { after: events[0]?.id ?? after });

  router.get('/', async (ctx) => {
    const { filters, form, errors } = eventFilters(ctx);
    const valid = Object.keys(errors).length === 0;
    const events = valid ? await eventStore.list({ ...filters, afterId: undefined, limit: pageSize }) : [];
    views.page(ctx, 'pages/events/index', {
      title: 'Events',
      status: valid ? 200 : 422,
      events,
      form,
      errors,
      filtered: Object.values(form).some(Boolean),
      sources: [...new Set([...(await eventStore.sources()), 'core', ...(form.source ? [form.source] : [])])].sort(),
      severities,
      // Paging back or a filter with an end shows history: no live refresh.
      live: valid && !filters.beforeId && !filters.until,
      pollQuery: pollQuery(form, events),
      older:
        events.length === pageSize ? `/events?${filterQuery(form, { before: events.at(-1)?.id ?? '' })}` : undefined,
    });
  });

  router.get('/poll', async (ctx) => {
    const { filters, form, errors } = eventFilters(ctx);
    const after = filters.afterId ?? '0';
    const events = Object.keys(errors).length === 0 ? await eventStore.list({ ...filters, limit: pageSize }) : [];
    views.fragment(ctx, 'pages/events/_poll', { events, pollQuery: pollQuery(form, events, after) });
  });

  return router;
}
