import type { ModuleContext, RequestContext } from 'nxforge/module';
import { correctReadingAudited } from '../api/billing-api.js';
import { readingQuery, sendCsv } from '../api/consumption-api.js';
import { BillingError } from '../billing/billing-error.js';
import { importReadings } from '../import/import-readings.js';
import { ImportRequestError, importRows } from '../import/import-source.js';
import { energySeries } from '../ledger/energy-series.js';
import { checkCorrection } from '../readings/reading-correction.js';
import type { Runtime } from '../runtime.js';

const pageSize = 50;

/** History: per endpoint and date range, a chart drawn on the server and the readings, paged and filterable. */
export function registerHistoryPage(ctx: ModuleContext, runtime: Runtime): void {
  const defaults = (request: RequestContext) => {
    const q = request.query as Record<string, string | undefined>;
    const to = q.to || new Date(Date.now() + 86_400_000).toISOString().slice(0, 10);
    const from = q.from || new Date(Date.now() - 7 * 86_400_000).toISOString().slice(0, 10);
    return { ...q, from, to } as Record<string, string | undefined> & { from: string; to: string };
  };
  ctx.ui.get('/consumption/history', async (request) => {
    const endpoints = await runtime.endpoints.list();
    const q = defaults(request);
    if (!q.endpointId && endpoints[0]) q.endpointId = endpoints[0].id;
    request.query = {
      ...q,
      limit: String(pageSize),
      offset: String(Math.max(0, (Number(q.page ?? 1) - 1) * pageSize)),
    };
    const query = readingQuery(ctx, request);
    const endpoint = endpoints.find((e) => e.id === query.endpointId);
    const { readings, total } = await runtime.readings.list(query);
    const bucket = q.bucket === 'day' ? 'day' : 'hour';
    const series = endpoint
      ? [
          {
            label: `kWh per ${bucket}`,
            points: (await energySeries(runtime, endpoint.id, query.from!, query.to!, bucket)).map((p) => ({
              x: new Date(p.at),
              y: p.kwh,
            })),
          },
        ]
      : [];
    request.body = ctx.render('history', {
      canCorrect: ctx.can('consumption-monitor:write'),
      back: request.url,
      title: 'History',
      endpoints,
      endpoint,
      q,
      readings,
      total,
      page: Math.floor(query.offset / pageSize) + 1,
      pages: Math.max(1, Math.ceil(total / pageSize)),
      series,
      bucket,
      chartTitle: endpoint ? `${endpoint.name}: energy per ${bucket}` : '',
      chartUnit: 'kWh',
      csvQuery: new URLSearchParams({
        endpointId: query.endpointId ?? '',
        from: q.from,
        to: q.to,
        status: q.status ?? '',
      }).toString(),
    });
  });
  ctx.ui.get('/consumption/history.csv', async (request) => {
    request.query = { ...defaults(request), limit: '100000', offset: '0' };
    const { readings } = await runtime.readings.list(readingQuery(ctx, request, 100_000));
    await sendCsv(request, runtime, readings);
  });
  ctx.ui.post('/consumption/history/import', async (request) => {
    try {
      const result = await importReadings(runtime, await importRows(request), {
        clientGone: () => request.req.socket.destroyed,
      });
      await ctx.audit('readings.import', 'readings', { ...result });
      ctx.flash('success', `Imported ${result.imported} readings; ${result.duplicates} duplicates were skipped.`);
    } catch (error) {
      if (!(error instanceof ImportRequestError)) throw error;
      const lines = error.details.slice(0, 5).map((d) => (d.line > 0 ? `line ${d.line}: ${d.message}` : d.message));
      ctx.flash('error', [error.message, ...lines].join(' '));
    }
    request.redirect('/consumption/history');
  });
  // A reading's "Correct" form: the same correction as the API's, then back to the same page of the history.
  ctx.ui.post('/consumption/history/readings/:id/correct', async (request) => {
    const form = (request.request.body ?? {}) as Record<string, string | undefined>;
    const back = form.back?.startsWith('/consumption/history') ? form.back : '/consumption/history';
    const value = form.value?.trim() ? Number(form.value.trim().replace(',', '.')) : undefined;
    const checked = checkCorrection({ status: form.status, value, reason: form.reason });
    const id = String(request.params.id ?? '');
    if ('errors' in checked) {
      ctx.flash('error', `The reading was not corrected: ${Object.values(checked.errors).join(' ')}`);
    } else {
      try {
        const after = await correctReadingAudited(ctx, runtime, id, checked);
        ctx.flash('success', `The reading of ${after.at} is ${after.status === 'ok' ? 'counted' : 'not counted'} now.`);
      } catch (error) {
        if (!(error instanceof BillingError)) throw error;
        ctx.flash('error', `The reading was not corrected: ${error.message}`);
      }
    }
    request.redirect(back);
  });
}
