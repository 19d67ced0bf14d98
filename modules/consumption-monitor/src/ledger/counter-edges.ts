import { SELECT } from '../db.js';
import type { CalendarMonth, EnergyInterval, Reading } from '../energy/index.js';
import type { Runtime } from '../runtime.js';
import { intervalsByEndpoint, type IntervalRow } from './month-energy.js';

/** What `counterBoundaries` needs of an endpoint for one month: its first and last ok reading, the edges' intervals. */
export interface CounterEdges {
  readings: Reading[];
  intervals: EnergyInterval[];
}

/**
 * Each endpoint's counter edges of `month`, read by index rather than by reading the month: the first and last ok
 * reading, and at each edge the month's interval that `counterBoundaries` would pick there — the first one
 * overlapping the month that ends at or after the edge (the later of the month's start and the first reading, the
 * earlier of its end and the last reading). Two lookups per endpoint, whatever the readings stored.
 */
export async function counterEdges(runtime: Pick<Runtime, 'db'>, month: CalendarMonth) {
  const ends = await firstAndLast(runtime);
  const ids: string[] = [];
  const edges: Date[] = [];
  const fromMs = month.from.getTime();
  const toMs = month.to.getTime();
  for (const [endpointId, readings] of ends) {
    const first = readings[0];
    const last = readings.at(-1);
    if (!first || !last || last.at.getTime() < fromMs || first.at.getTime() >= toMs) continue;
    ids.push(endpointId, endpointId);
    edges.push(new Date(Math.max(fromMs, first.at.getTime())), new Date(Math.min(toMs, last.at.getTime())));
  }
  const rows =
    ids.length === 0
      ? []
      : await runtime.db.query<IntervalRow>(
          `SELECT DISTINCT ON (x.endpoint_id, i.end_at) x.endpoint_id, i.start_at, i.end_at, i.start_value, i.end_value,
                  i.milliwatt_hours, i.gap, i.reset, i.estimated
           FROM unnest($1::uuid[], $2::timestamptz[]) AS x (endpoint_id, edge)
           CROSS JOIN LATERAL (
             SELECT * FROM cm_energy_interval WHERE endpoint_id = x.endpoint_id AND end_at >= x.edge
               AND end_at > $3 AND start_at < $4 ORDER BY end_at LIMIT 1) i
           ORDER BY x.endpoint_id, i.end_at`,
          { bind: [ids, edges, month.from, month.to], type: SELECT },
        );
  const intervals = intervalsByEndpoint(rows);
  const result = new Map<string, CounterEdges>();
  for (const [endpointId, readings] of ends)
    result.set(endpointId, { readings, intervals: intervals.get(endpointId) ?? [] });
  return result;
}

/** Each endpoint's first and last ok reading (where the counter's figures may start and end). */
async function firstAndLast(runtime: Pick<Runtime, 'db'>) {
  const rows = await runtime.db.query<{ endpoint_id: string; at: Date; value: number }>(
    `SELECT e.id AS endpoint_id, r.recorded_at AS at, r.value FROM cm_endpoint e CROSS JOIN LATERAL (
       (SELECT recorded_at, value FROM cm_reading WHERE endpoint_id = e.id AND status = 'ok' ORDER BY recorded_at LIMIT 1)
       UNION ALL
       (SELECT recorded_at, value FROM cm_reading WHERE endpoint_id = e.id AND status = 'ok' ORDER BY recorded_at DESC LIMIT 1)
     ) r ORDER BY 1, 2`,
    { type: SELECT },
  );
  const byEndpoint = new Map<string, Reading[]>();
  for (const row of rows) {
    const list = byEndpoint.get(row.endpoint_id) ?? [];
    list.push({ at: new Date(row.at), value: row.value, status: 'ok' });
    byEndpoint.set(row.endpoint_id, list);
  }
  return byEndpoint;
}
