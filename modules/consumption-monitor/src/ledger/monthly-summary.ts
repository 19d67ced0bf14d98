import { SELECT } from '../db.js';
import { calendarMonth, counterBoundaries, statementFromTally, type CalendarMonth } from '../energy/index.js';
import type { Runtime } from '../runtime.js';
import { intervalsOverlapping, rangeTallies, timeZoneOf } from './month-energy.js';

/** One endpoint's line of the monthly summary (the shape billing builds on, docs/consumption-monitor.md). */
export interface SummaryLine {
  endpointId: string;
  name: string;
  customer: string | null;
  rack: string | null;
  kwh: number;
  startKwh: number | null;
  endKwh: number | null;
  resets: number;
  coveragePct: number;
  estimated: boolean;
  adjustmentKwh: number;
  costAmount: number | null;
}

/** A month's kWh per endpoint from the ledger: a sum over the month's hours, by the billing rule. */
export async function monthlySummary(runtime: Runtime, monthText: string) {
  const month = calendarMonth(monthText, timeZoneOf(runtime));
  const endpoints = await runtime.endpoints.list();
  const [tallies, edges, ends] = await Promise.all([
    rangeTallies(runtime, month),
    intervalsOverlapping(runtime, month),
    firstAndLast(runtime),
  ]);
  const lines: SummaryLine[] = endpoints.map((endpoint) => {
    const tally = tallies.get(endpoint.id) ?? {
      milliwattHours: 0,
      coveredMs: 0,
      estimatedMilliwattHours: 0,
      estimated: false,
      resets: 0,
    };
    const readings = ends.get(endpoint.id) ?? [];
    const boundaries =
      endpoint.kind === 'counter'
        ? counterBoundaries({ readings, intervals: edges.get(endpoint.id) ?? [] }, month)
        : { startKwh: null, endKwh: null };
    const statement = statementFromTally(month, tally, boundaries);
    return {
      endpointId: endpoint.id,
      name: endpoint.name,
      customer: endpoint.customer,
      rack: endpoint.rack,
      kwh: statement.kwh,
      startKwh: statement.startKwh,
      endKwh: statement.endKwh,
      resets: statement.resets,
      coveragePct: Math.round(statement.coveragePct * 10) / 10,
      estimated: statement.estimated,
      adjustmentKwh: 0,
      costAmount: null,
    };
  });
  const totalMwh = [...tallies.values()].reduce((sum, tally) => sum + tally.milliwattHours, 0);
  return {
    month: month.month,
    timezone: month.timeZone,
    closed: false,
    endpoints: lines,
    totals: { kwh: totalMwh / 1_000_000, costAmount: null },
    currency: null,
  };
}

/** Each endpoint's first and last ok reading (where the counter's figures may start and end). */
async function firstAndLast(runtime: Runtime) {
  const rows = await runtime.db.query<{ endpoint_id: string; at: Date; value: number }>(
    `SELECT e.id AS endpoint_id, r.recorded_at AS at, r.value FROM cm_endpoint e CROSS JOIN LATERAL (
       (SELECT recorded_at, value FROM cm_reading WHERE endpoint_id = e.id AND status = 'ok' ORDER BY recorded_at LIMIT 1)
       UNION ALL
       (SELECT recorded_at, value FROM cm_reading WHERE endpoint_id = e.id AND status = 'ok' ORDER BY recorded_at DESC LIMIT 1)
     ) r ORDER BY 1, 2`,
    { type: SELECT },
  );
  const byEndpoint = new Map<string, { at: Date; value: number; status: 'ok' }[]>();
  for (const row of rows) {
    const list = byEndpoint.get(row.endpoint_id) ?? [];
    list.push({ at: new Date(row.at), value: row.value, status: 'ok' });
    byEndpoint.set(row.endpoint_id, list);
  }
  return byEndpoint;
}

export type { CalendarMonth };
