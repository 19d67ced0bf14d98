import { SELECT } from '../db.js';
import type { Endpoint } from '../endpoints/endpoint.js';
import { counterInterval, intervalBuckets, powerInterval, type EnergyInterval } from '../energy/index.js';
import type { PreviousReading } from '../readings/plausibility.js';
import type { Runtime } from '../runtime.js';

/**
 * Adds the interval ending at a newly stored ok reading to the ledger: its row, and what it adds to each UTC hour
 * it spans, in one transaction. The arithmetic is the billing rule's (src/energy); nothing is added for an
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
  const added = await runtime.db.transaction(async (transaction) => {
    const [inserted] = await runtime.db.query<{ end_at: Date }>(
      `INSERT INTO cm_energy_interval (endpoint_id, start_at, end_at, start_value, end_value, milliwatt_hours, gap, reset, estimated)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) ON CONFLICT DO NOTHING RETURNING end_at`,
      {
        bind: [endpoint.id, interval.start, interval.end, interval.startValue, interval.endValue, interval.milliwattHours, interval.gap, interval.reset, interval.estimated],
        type: SELECT,
        transaction,
      },
    );
    if (!inserted) return false;
    for (const bucket of intervalBuckets(interval)) {
      await runtime.db.query(
        `INSERT INTO cm_energy_hour AS h (endpoint_id, hour, milliwatt_hours, covered_ms, estimated_milliwatt_hours, estimated, resets)
         VALUES ($1, $2, $3, $4, $5, $6, $7)
         ON CONFLICT (endpoint_id, hour) DO UPDATE SET
           milliwatt_hours = h.milliwatt_hours + EXCLUDED.milliwatt_hours,
           covered_ms = h.covered_ms + EXCLUDED.covered_ms,
           estimated_milliwatt_hours = h.estimated_milliwatt_hours + EXCLUDED.estimated_milliwatt_hours,
           estimated = h.estimated OR EXCLUDED.estimated,
           resets = h.resets + EXCLUDED.resets`,
        {
          bind: [endpoint.id, bucket.start, bucket.milliwattHours, bucket.coveredMs, bucket.estimatedMilliwattHours, bucket.estimated, bucket.resets],
          transaction,
        },
      );
    }
    return true;
  });
  return added ? interval : undefined;
}
