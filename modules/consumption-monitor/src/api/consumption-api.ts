import { stringify } from 'csv-stringify/sync';
import type { ModuleContext, RequestContext } from 'nxforge/module';
import { isUuid } from '../endpoints/endpoint-store.js';
import { EnergyInputError } from '../energy/index.js';
import { energySeries } from '../ledger/energy-series.js';
import { monthOf } from '../ledger/month-energy.js';
import { monthlySummary } from '../ledger/monthly-summary.js';
import { cachedLiveTiles } from '../live/live-data.js';
import type { ReadingQuery } from '../readings/reading-store.js';
import type { Reading } from '../readings/reading.js';
import type { Runtime } from '../runtime.js';
import { spreadsheetSafe } from './csv-cells.js';

/** `/consumption/…` of the JSON API. */
export function registerConsumptionApi(ctx: ModuleContext, runtime: Runtime): void {
  ctx.api.get('/consumption/live', async (request) => {
    const tiles = await cachedLiveTiles(runtime);
    request.body = { endpoints: tiles.map(({ lastValue: _v, kind: _k, ...tile }) => tile) };
  });
  ctx.api.get('/consumption/energy', async (request) => {
    const query = readingQuery(ctx, request);
    if (!query.endpointId || !query.from || !query.to) {
      ctx.fail(400, 'NXF_VALIDATION', 'endpointId, from and to are required.', {
        endpointId: 'required',
        from: 'required',
        to: 'required',
      });
    }
    const bucket = request.query.bucket === 'day' ? 'day' : 'hour';
    request.body = {
      endpointId: query.endpointId,
      bucket,
      points: await energySeries(runtime, query.endpointId!, query.from!, query.to!, bucket),
    };
  });
  ctx.api.get('/consumption/monthly-summary', async (request) => {
    const month = typeof request.query.month === 'string' ? request.query.month : monthOf(runtime, new Date()).month;
    try {
      request.body = await monthlySummary(runtime, month);
    } catch (error) {
      if (error instanceof EnergyInputError) ctx.fail(400, 'NXF_VALIDATION', error.message, { month: error.message });
      throw error;
    }
  });
  ctx.api.get('/consumption/readings', async (request) => {
    const query = readingQuery(ctx, request);
    const { readings, total } = await runtime.readings.list(query);
    if (request.query.format === 'csv') return sendCsv(request, runtime, readings);
    request.body = { readings, total, limit: query.limit, offset: query.offset };
  });
}

/** The filters of a readings request, checked: bad ones answer 400 NXF_VALIDATION naming the parameter. */
export function readingQuery(ctx: Pick<ModuleContext, 'fail'>, request: RequestContext, maxLimit = 1000): ReadingQuery {
  const q = request.query as Record<string, string | undefined>;
  const errors: Record<string, string> = {};
  const date = (name: 'from' | 'to') => {
    if (!q[name]) return undefined;
    const value = new Date(q[name]!);
    if (Number.isNaN(value.getTime()))
      errors[name] = 'An ISO-8601 date or time, e.g. 2026-11-01 or 2026-11-01T00:00:00Z.';
    return value;
  };
  const integer = (name: 'limit' | 'offset', fallback: number, max: number) => {
    if (q[name] === undefined || q[name] === '') return fallback;
    const value = Number(q[name]);
    if (!Number.isInteger(value) || value < 0 || value > max) errors[name] = `A whole number from 0 to ${max}.`;
    return value;
  };
  const status = q.status || undefined;
  if (status && !['ok', 'suspect', 'error'].includes(status)) errors.status = 'ok, suspect or error.';
  if (q.endpointId && !isUuid(q.endpointId)) errors.endpointId = 'An endpoint id.';
  const query: ReadingQuery = {
    endpointId: q.endpointId || undefined,
    from: date('from'),
    to: date('to'),
    status: status as Reading['status'] | undefined,
    limit: integer('limit', 100, maxLimit),
    offset: integer('offset', 0, Number.MAX_SAFE_INTEGER),
  };
  if (Object.keys(errors).length > 0) ctx.fail(400, 'NXF_VALIDATION', 'Bad readings query; see details.', errors);
  return query;
}

/** The readings as CSV (a header, one row each, with the endpoint's name), downloaded as a file. */
export async function sendCsv(request: RequestContext, runtime: Runtime, readings: Reading[]): Promise<void> {
  const names = new Map((await runtime.endpoints.list()).map((endpoint) => [endpoint.id, endpoint.name]));
  const columns = [
    'id',
    'endpointId',
    'endpoint',
    'at',
    'value',
    'status',
    'reason',
    'raw',
    'errorCode',
    'error',
    'screenshot',
    'reset',
  ];
  request.type = 'text/csv; charset=utf-8';
  request.set('Content-Disposition', 'attachment; filename="readings.csv"');
  request.body = stringify(
    readings.map((reading) => ({ ...reading, endpoint: names.get(reading.endpointId) ?? '' })),
    { header: true, columns, cast: { boolean: String, string: spreadsheetSafe } },
  );
}
