import { SELECT } from '../db.js';
import { kwhFromMilliwattHours } from '../energy/index.js';
import type { Runtime } from '../runtime.js';
import { timeZoneOf } from './month-energy.js';

/** Energy of one hour or day of an endpoint, from the ledger. */
export interface EnergyPoint {
  /** The bucket's start (a UTC hour, or local midnight of the day in the module's zone). */
  at: string;
  kwh: number;
  /** Share of the bucket inside intervals that are not gaps, 0–100 (hours only). */
  coveragePct: number | null;
}

/** Energy per hour or per day (days in the module's `timezone`) of an endpoint over [from, to). */
export async function energySeries(
  runtime: Runtime,
  endpointId: string,
  from: Date,
  to: Date,
  bucket: 'hour' | 'day',
): Promise<EnergyPoint[]> {
  const rows = await runtime.db.query<{ at: Date; mwh: string; covered: string | null }>(
    bucket === 'hour'
      ? `SELECT hour AS at, milliwatt_hours AS mwh, covered_ms AS covered FROM cm_energy_hour
         WHERE endpoint_id = $1 AND hour >= $2 AND hour < $3 ORDER BY hour`
      : `SELECT (date_trunc('day', hour AT TIME ZONE $4) AT TIME ZONE $4) AS at, sum(milliwatt_hours) AS mwh, NULL AS covered
         FROM cm_energy_hour WHERE endpoint_id = $1 AND hour >= $2 AND hour < $3 GROUP BY 1 ORDER BY 1`,
    { bind: bucket === 'hour' ? [endpointId, from, to] : [endpointId, from, to, timeZoneOf(runtime)], type: SELECT },
  );
  return rows.map((row) => ({
    at: new Date(row.at).toISOString(),
    kwh: kwhFromMilliwattHours(Number(row.mwh)),
    coveragePct: row.covered === null ? null : Math.round((Number(row.covered) / 36_000) * 10) / 10,
  }));
}
