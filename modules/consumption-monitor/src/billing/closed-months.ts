import { SELECT } from '../db.js';
import { kwhFromMilliwattHours } from '../energy/index.js';
import { rangeTallies } from '../ledger/month-energy.js';
import type { Runtime } from '../runtime.js';
import { amountFromCents } from './cost.js';
import type { SummaryLine } from './summary-types.js';

/** A closed month as it was cut and issued. */
export interface ClosedMonth {
  month: string;
  timeZone: string;
  from: Date;
  to: Date;
  currency: string | null;
  closedAt: Date;
  closedBy: string | null;
  /** The ledger changed inside the month since its difference was last carried. */
  changed: boolean;
}

/** An issued line, with its exact figures. */
export interface IssuedLine extends SummaryLine {
  milliwattHours: number;
  adjustmentMilliwattHours: number;
  costCents: number | null;
}

interface CloseRow {
  month: string;
  time_zone: string;
  from_at: Date;
  to_at: Date;
  currency: string | null;
  closed_at: Date;
  closed_by: string | null;
  changed: boolean;
}

const toClosed = (row: CloseRow): ClosedMonth => ({
  month: row.month,
  timeZone: row.time_zone,
  from: new Date(row.from_at),
  to: new Date(row.to_at),
  currency: row.currency,
  closedAt: new Date(row.closed_at),
  closedBy: row.closed_by,
  changed: row.changed,
});

/** Every closed month, by month. */
export async function closedMonths(runtime: Pick<Runtime, 'db'>): Promise<Map<string, ClosedMonth>> {
  const rows = await runtime.db.query<CloseRow>('SELECT * FROM cm_month_close ORDER BY month', { type: SELECT });
  return new Map(rows.map((row) => [row.month, toClosed(row)]));
}

/** The lines issued with a closed month, in the order the summary lists endpoints. */
export async function issuedLines(runtime: Pick<Runtime, 'db'>, month: string): Promise<IssuedLine[]> {
  const rows = await runtime.db.query<{
    endpoint_id: string;
    name: string;
    customer: string | null;
    rack: string | null;
    milliwatt_hours: string;
    adjustment_milliwatt_hours: string;
    start_kwh: number | null;
    end_kwh: number | null;
    resets: number;
    coverage_pct: number;
    estimated: boolean;
    cost_cents: string | null;
  }>('SELECT * FROM cm_statement_line WHERE month = $1 ORDER BY lower(name)', { bind: [month], type: SELECT });
  return rows.map((row) => {
    const milliwattHours = Number(row.milliwatt_hours);
    const adjustmentMilliwattHours = Number(row.adjustment_milliwatt_hours);
    const costCents = row.cost_cents === null ? null : Number(row.cost_cents);
    return {
      endpointId: row.endpoint_id,
      name: row.name,
      customer: row.customer,
      rack: row.rack,
      kwh: kwhFromMilliwattHours(milliwattHours),
      startKwh: row.start_kwh,
      endKwh: row.end_kwh,
      resets: row.resets,
      coveragePct: row.coverage_pct,
      estimated: row.estimated,
      adjustmentKwh: kwhFromMilliwattHours(adjustmentMilliwattHours),
      costAmount: costCents === null ? null : amountFromCents(costCents),
      milliwattHours,
      adjustmentMilliwattHours,
      costCents,
    };
  });
}

/** `YYYY-MM` of the month before. */
export function previousMonth(month: string): string {
  const [year, number] = month.split('-').map(Number) as [number, number];
  return number === 1 ? `${year - 1}-12` : `${year}-${String(number - 1).padStart(2, '0')}`;
}

/** Energy of one closed month, per endpoint, found after it was issued and not carried yet (whole mWh). */
export type Outstanding = Map<string, Map<string, number>>;

/**
 * What the closed months right before `month` (back to the first open one) hold that their issued statements do
 * not: today's ledger sum less the issued figure less what was carried before. This is `month`'s adjustment when
 * it is the next open month. Only months the ledger changed in since are summed again.
 */
export async function outstandingBefore(
  runtime: Pick<Runtime, 'db'>,
  month: string,
  closed: Map<string, ClosedMonth>,
): Promise<Outstanding> {
  const outstanding: Outstanding = new Map();
  for (let m = previousMonth(month); closed.has(m); m = previousMonth(m)) {
    const close = closed.get(m) as ClosedMonth;
    if (!close.changed) continue;
    const [current, settled] = await Promise.all([rangeTallies(runtime, close), settledMilliwattHours(runtime, m)]);
    const byEndpoint = new Map<string, number>();
    for (const endpointId of new Set([...current.keys(), ...settled.keys()])) {
      const late = (current.get(endpointId)?.milliwattHours ?? 0) - (settled.get(endpointId) ?? 0);
      if (late !== 0) byEndpoint.set(endpointId, late);
    }
    outstanding.set(m, byEndpoint);
  }
  return outstanding;
}

/** Per endpoint, a closed month's issued mWh plus what was carried from it since. */
async function settledMilliwattHours(runtime: Pick<Runtime, 'db'>, month: string): Promise<Map<string, number>> {
  const rows = await runtime.db.query<{ endpoint_id: string; mwh: string }>(
    `SELECT endpoint_id, sum(mwh) AS mwh FROM (
       SELECT endpoint_id, milliwatt_hours AS mwh FROM cm_statement_line WHERE month = $1
       UNION ALL SELECT endpoint_id, milliwatt_hours FROM cm_adjustment_carry WHERE from_month = $1) s
     GROUP BY endpoint_id`,
    { bind: [month], type: SELECT },
  );
  return new Map(rows.map((row) => [row.endpoint_id, Number(row.mwh)]));
}

/** Sums outstanding energy per endpoint over months. */
export function adjustmentsOf(outstanding: Outstanding): Map<string, number> {
  const sum = new Map<string, number>();
  for (const byEndpoint of outstanding.values())
    for (const [endpointId, mwh] of byEndpoint) sum.set(endpointId, (sum.get(endpointId) ?? 0) + mwh);
  return sum;
}
