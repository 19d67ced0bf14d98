import { SELECT } from '../db.js';
import type { Endpoint } from '../endpoints/endpoint.js';
import { counterInterval, intervalBuckets, powerInterval, type EnergyInterval } from '../energy/index.js';
import type { PreviousReading } from '../readings/plausibility.js';
import type { Runtime } from '../runtime.js';

/**
 * Adds the interval ending at a newly stored ok reading to the ledger: its row, and what it adds to each UTC hour
 * it spans, in one statement. The arithmetic is the billing rule's (src/energy); nothing is added for an
 * endpoint's first reading. Returns the interval, or undefined when there was none (or it was there already).
 */
export async function recordInterval(
  runtime: Runtime,
  endpoint: Endpoint,
  previous: PreviousReading | undefined,
  reading: { at: Date; value: number },
): Promise<EnergyInterval | undefined> {
  if (!previous) return undefined;
  const earlier = { at: previous.at, value: previous.value, status: 'ok' as const };
  const later = { at: reading.at, value: reading.value, status: 'ok' as const };
  const interval =
    endpoint.kind === 'counter'
      ? counterInterval(earlier, later, endpoint.pollIntervalMinutes)
      : powerInterval(earlier, later, endpoint.pollIntervalMinutes);
  const buckets = intervalBuckets(interval);
  // One statement, so atomic: the interval's row, and — only when it was not there — its share of each hour.
  const values = buckets.map(
    (_, i) =>
      `($${10 + i * 6}::timestamptz, $${11 + i * 6}::bigint, $${12 + i * 6}::bigint, $${13 + i * 6}::bigint, $${14 + i * 6}::boolean, $${15 + i * 6}::int)`,
  );
  const rows = await runtime.db.query<{ added: boolean }>(
    `WITH added AS (
       INSERT INTO cm_energy_interval (endpoint_id, start_at, end_at, start_value, end_value, milliwatt_hours, gap, reset, estimated)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) ON CONFLICT DO NOTHING RETURNING endpoint_id),
     hours AS (
       INSERT INTO cm_energy_hour AS h (endpoint_id, hour, milliwatt_hours, covered_ms, estimated_milliwatt_hours, estimated, resets)
       SELECT added.endpoint_id, b.* FROM added, (VALUES ${values.join(', ')}) AS b (hour, mwh, covered, est, estimated, resets)
       ON CONFLICT (endpoint_id, hour) DO UPDATE SET
         milliwatt_hours = h.milliwatt_hours + EXCLUDED.milliwatt_hours,
         covered_ms = h.covered_ms + EXCLUDED.covered_ms,
         estimated_milliwatt_hours = h.estimated_milliwatt_hours + EXCLUDED.estimated_milliwatt_hours,
         estimated = h.estimated OR EXCLUDED.estimated,
         resets = h.resets + EXCLUDED.resets),
     -- A closed month the interval reaches into holds more now: its difference is carried (docs/billing.md).
     touched AS (UPDATE cm_month_close SET changed = true
       WHERE from_at < $3 AND to_at > $2 AND NOT changed AND EXISTS (SELECT 1 FROM added))
     SELECT count(*) > 0 AS added FROM added`,
    {
      bind: [
        endpoint.id,
        interval.start,
        interval.end,
        interval.startValue,
        interval.endValue,
        interval.milliwattHours,
        interval.gap,
        interval.reset,
        interval.estimated,
        ...buckets.flatMap((b) => [
          b.start,
          b.milliwattHours,
          b.coveredMs,
          b.estimatedMilliwattHours,
          b.estimated,
          b.resets,
        ]),
      ],
      type: SELECT,
    },
  );
  const added = rows[0]?.added === true;
  return added ? interval : undefined;
}
