import {
  counterIntervals,
  HOUR_MS,
  powerIntervals,
  splitIntoBuckets,
  type EnergyInterval,
  type Reading,
} from '../energy/index.js';
import type { Runtime } from '../runtime.js';
import type { PgSession } from './pg-session.js';

interface IntervalRow {
  start_at: Date;
  end_at: Date;
  start_value: number;
  end_value: number;
  milliwatt_hours: string;
  gap: boolean;
  reset: boolean;
  estimated: boolean;
}

/**
 * Recounts an endpoint's ledger from `since` on, after readings were added there (an import): from its last ok
 * reading before `since` — which bounded the interval the new readings now split — every interval is computed
 * again by the billing rule and every hour from that reading's hour on is summed again from the intervals. Counter
 * readings the rule skips as glitches (a dip of less than 10 %) are marked `suspect`, as the collector would have.
 */
export async function rebuildLedger(
  runtime: Pick<Runtime, 'logger'>,
  session: PgSession,
  endpointId: string,
  since: Date,
): Promise<void> {
  const [endpoint] = await session.query<{ kind: 'counter' | 'power'; poll: number }>(
    'SELECT kind, poll_interval_minutes AS poll FROM cm_endpoint WHERE id = $1',
    [endpointId],
  );
  if (!endpoint) return;
  const [anchor] = await session.query<{ at: Date }>(
    `SELECT recorded_at AS at FROM cm_reading WHERE endpoint_id = $1 AND status = 'ok' AND recorded_at < $2
     ORDER BY recorded_at DESC LIMIT 1`,
    [endpointId, since],
  );
  const from = anchor ? new Date(anchor.at) : since;
  const hourFrom = new Date(Math.floor(from.getTime() / HOUR_MS) * HOUR_MS);
  // Intervals that end at or before `from` but share its hour: kept, and summed into that hour again.
  const kept = (
    await session.query<IntervalRow>(
      `SELECT * FROM cm_energy_interval WHERE endpoint_id = $1 AND end_at > $2 AND end_at <= $3 ORDER BY end_at`,
      [endpointId, hourFrom, from],
    )
  ).map(toInterval);
  const readings = (
    await session.query<{ at: Date; value: number }>(
      `SELECT recorded_at AS at, value FROM cm_reading WHERE endpoint_id = $1 AND status = 'ok' AND recorded_at >= $2
       ORDER BY recorded_at`,
      [endpointId, from],
    )
  ).map((row): Reading => ({ at: new Date(row.at), value: row.value, status: 'ok' }));
  const series =
    endpoint.kind === 'counter' ? counterIntervals(readings, endpoint.poll) : powerIntervals(readings, endpoint.poll);
  await session.execute('DELETE FROM cm_energy_interval WHERE endpoint_id = $1 AND end_at > $2', [endpointId, from]);
  await session.execute('DELETE FROM cm_energy_hour WHERE endpoint_id = $1 AND hour >= $2', [endpointId, hourFrom]);
  await session.copyRows(
    'cm_energy_interval',
    ['endpoint_id', 'start_at', 'end_at', 'start_value', 'end_value', 'milliwatt_hours', 'gap', 'reset', 'estimated'],
    series.intervals.map((i) => [
      endpointId,
      i.start,
      i.end,
      i.startValue,
      i.endValue,
      i.milliwattHours,
      i.gap,
      i.reset,
      i.estimated,
    ]),
  );
  const hours = splitIntoBuckets([...kept, ...series.intervals]).filter((b) => b.start >= hourFrom);
  await session.copyRows(
    'cm_energy_hour',
    ['endpoint_id', 'hour', 'milliwatt_hours', 'covered_ms', 'estimated_milliwatt_hours', 'estimated', 'resets'],
    hours.map((b) => [
      endpointId,
      b.start,
      b.milliwattHours,
      b.coveredMs,
      b.estimatedMilliwattHours,
      b.estimated,
      b.resets,
    ]),
  );
  await markReadings(session, endpointId, series);
  // Closed months from here on hold something else now: their difference is carried (docs/billing.md).
  await session.execute('UPDATE cm_month_close SET changed = true WHERE to_at > $1 AND NOT changed', [hourFrom]);
}

/** Flags the readings the rule read as resets, and marks the glitches it skipped `suspect`. */
async function markReadings(
  session: PgSession,
  endpointId: string,
  series: ReturnType<typeof counterIntervals> | ReturnType<typeof powerIntervals>,
) {
  const dips = 'ignoredDips' in series ? series.ignoredDips.map((r) => r.at) : [];
  if (dips.length > 0)
    await session.execute(
      `UPDATE cm_reading SET status = 'suspect', reason = 'The counter dipped by less than 10 %: a glitch, not a reset.'
       WHERE endpoint_id = $1 AND recorded_at = ANY($2::timestamptz[])`,
      [endpointId, dips],
    );
  const resets = series.intervals.filter((i) => i.reset).map((i) => i.end);
  if (resets.length > 0)
    await session.execute(
      `UPDATE cm_reading SET reset = true, reason = coalesce(reason, 'Meter reset or replaced.')
       WHERE endpoint_id = $1 AND recorded_at = ANY($2::timestamptz[]) AND NOT reset`,
      [endpointId, resets],
    );
}

function toInterval(row: IntervalRow): EnergyInterval {
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
