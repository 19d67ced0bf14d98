import { SELECT } from '../db.js';
import { assertTimeZone } from '../energy/months.js';
import {
  bucketCover,
  HOUR_MS,
  calendarMonth,
  addTally,
  monthContaining,
  sumTallies,
  tallyRange,
  type CalendarMonth,
  type EnergyInterval,
  type EnergyTally,
  type TimeRange,
} from '../energy/index.js';
import type { Runtime } from '../runtime.js';

const DAY_MS = 24 * HOUR_MS;

/** The module's `timezone` setting, or UTC when it is not an IANA zone (logged). */
export function timeZoneOf(runtime: Pick<Runtime, 'settings' | 'logger'>): string {
  const zone =
    typeof runtime.settings.timezone === 'string' && runtime.settings.timezone ? runtime.settings.timezone : 'UTC';
  try {
    assertTimeZone(zone);
    return zone;
  } catch {
    runtime.logger.warn(`the timezone setting "${zone}" is not an IANA time zone; months are cut in UTC`);
    return 'UTC';
  }
}

/** The calendar month containing `at`, in the module's zone. */
export function monthOf(runtime: Pick<Runtime, 'settings' | 'logger'>, at: Date): CalendarMonth {
  const zone = timeZoneOf(runtime);
  return calendarMonth(monthContaining(at, zone), zone);
}

/**
 * What each endpoint's ledger holds of `range`: the sum of its whole UTC days and of the whole UTC hours before and
 * after them, plus, where the range starts or ends inside an hour (a zone offset of half an hour), the share of the
 * intervals over those pieces. A month is about 30 day rows and at most 24 hour rows an endpoint, not 744 hours.
 */
export async function rangeTallies(
  runtime: Pick<Runtime, 'db'>,
  range: TimeRange,
  endpointIds?: string[],
): Promise<Map<string, EnergyTally>> {
  const cover = bucketCover(range);
  const days = bucketCover(cover.whole, DAY_MS);
  const noHours = { from: cover.whole.from, to: cover.whole.from };
  const firstHours = days.head ?? noHours;
  const lastHours = days.tail ?? noHours;
  const only = endpointIds ? 'AND endpoint_id = ANY($7::uuid[])' : '';
  const hours = (from: string, to: string) =>
    `SELECT endpoint_id, milliwatt_hours, covered_ms, estimated_milliwatt_hours, estimated::int AS estimated_hours,
            resets FROM cm_energy_hour WHERE hour >= ${from} AND hour < ${to} ${only}`;
  const rows = await runtime.db.query<{
    endpoint_id: string;
    mwh: string;
    covered: string;
    est_mwh: string;
    estimated: boolean;
    resets: string;
  }>(
    `SELECT endpoint_id, sum(milliwatt_hours) AS mwh, sum(covered_ms) AS covered, sum(estimated_milliwatt_hours) AS est_mwh,
            sum(estimated_hours) > 0 AS estimated, sum(resets) AS resets
     FROM (${hours('$1', '$2')}
       UNION ALL ${hours('$3', '$4')}
       UNION ALL SELECT endpoint_id, milliwatt_hours, covered_ms, estimated_milliwatt_hours, estimated_hours, resets
         FROM cm_energy_day WHERE day >= $5 AND day < $6 ${only}) AS ledger
     GROUP BY endpoint_id`,
    {
      bind: [
        ...[firstHours.from, firstHours.to, lastHours.from, lastHours.to, days.whole.from, days.whole.to],
        ...(endpointIds ? [endpointIds] : []),
      ],
      type: SELECT,
    },
  );
  const tallies = new Map<string, EnergyTally>(
    rows.map((row) => [
      row.endpoint_id,
      {
        milliwattHours: Number(row.mwh),
        coveredMs: Number(row.covered),
        estimatedMilliwattHours: Number(row.est_mwh),
        estimated: row.estimated,
        resets: Number(row.resets),
      },
    ]),
  );
  for (const piece of [cover.head, cover.tail]) {
    if (!piece) continue;
    for (const [endpointId, intervals] of await intervalsOverlapping(runtime, piece, endpointIds)) {
      const tally = tallies.get(endpointId) ?? sumTallies([]);
      addTally(tally, tallyRange(intervals, piece));
      tallies.set(endpointId, tally);
    }
  }
  return tallies;
}

/** A row of cm_energy_interval, as the query returns it. */
export interface IntervalRow {
  endpoint_id: string;
  start_at: Date;
  end_at: Date;
  start_value: number;
  end_value: number;
  milliwatt_hours: string;
  gap: boolean;
  reset: boolean;
  estimated: boolean;
}

/** The ledger's intervals overlapping `range`, per endpoint, in time order. */
export async function intervalsOverlapping(runtime: Pick<Runtime, 'db'>, range: TimeRange, endpointIds?: string[]) {
  const only = endpointIds ? 'AND endpoint_id = ANY($3::uuid[])' : '';
  const rows = await runtime.db.query<IntervalRow>(
    `SELECT * FROM cm_energy_interval WHERE end_at > $1 AND start_at < $2 ${only} ORDER BY endpoint_id, end_at`,
    { bind: [range.from, range.to, ...(endpointIds ? [endpointIds] : [])], type: SELECT },
  );
  return intervalsByEndpoint(rows);
}

/** Rows of cm_energy_interval (in time order per endpoint) as each endpoint's intervals. */
export function intervalsByEndpoint(rows: readonly IntervalRow[]): Map<string, EnergyInterval[]> {
  const byEndpoint = new Map<string, EnergyInterval[]>();
  for (const row of rows) {
    const list = byEndpoint.get(row.endpoint_id) ?? [];
    list.push(intervalOfRow(row));
    byEndpoint.set(row.endpoint_id, list);
  }
  return byEndpoint;
}

/** A row of cm_energy_interval as the interval it stores. */
export function intervalOfRow(row: Omit<IntervalRow, 'endpoint_id'>): EnergyInterval {
  return {
    start: new Date(row.start_at),
    end: new Date(row.end_at),
    startValue: row.start_value,
    endValue: row.end_value,
    milliwattHours: Number(row.milliwatt_hours),
    gap: row.gap,
    reset: row.reset,
    estimated: row.estimated,
  };
}
