import { HOUR_MS, type EnergyInterval, type Reading } from '../energy/index.js';
import type { AddedReadings } from '../import/imported-rows.js';
import { DIP_REASON, RESET_REASON, type CountedRecount, type RecountPlan } from './count-recount.js';
import { intervalOfRow, type IntervalRow as LedgerIntervalRow } from './month-energy.js';
import type { PgSession } from './pg-session.js';

/** A row of cm_energy_interval of one endpoint, as the recount reads it. */
type IntervalRow = Omit<LedgerIntervalRow, 'endpoint_id'>;

/**
 * Reads what one endpoint's recount from `since` needs: from its last ok reading before `since` — which bounded
 * the interval the new readings now split — every interval is computed again by the billing rule and every hour
 * from that reading's hour on is summed again. The old ledger rows from there on are deleted here. Nothing when
 * the endpoint is gone.
 */
export async function planRecount(
  session: PgSession,
  endpointId: string,
  since: Date,
  added?: AddedReadings,
): Promise<RecountPlan | undefined> {
  const [endpoint] = await session.query<{ kind: 'counter' | 'power'; poll: number }>(
    'SELECT kind, poll_interval_minutes AS poll FROM cm_endpoint WHERE id = $1',
    [endpointId],
  );
  if (!endpoint) return undefined;
  const [anchor] = await session.query<{ at: Date }>(
    `SELECT recorded_at AS at FROM cm_reading WHERE endpoint_id = $1 AND status = 'ok' AND recorded_at < $2
     ORDER BY recorded_at DESC LIMIT 1`,
    [endpointId, since],
  );
  const from = anchor ? new Date(anchor.at) : since;
  const hourFrom = new Date(Math.floor(from.getTime() / HOUR_MS) * HOUR_MS);
  const stored = (
    await session.query<{ at: Date; value: number | null; status: Reading['status'] }>(
      `SELECT recorded_at AS at, value, status FROM cm_reading WHERE endpoint_id = $1 AND recorded_at >= $2
       ${added ? '' : "AND status = 'ok'"} ORDER BY recorded_at`,
      [endpointId, from],
    )
  ).map((row): Reading => ({ at: new Date(row.at), value: row.value ?? 0, status: row.status }));
  if (added && !addsAny(stored, added)) return undefined; // every added reading is stored: nothing changes
  const kept = (
    await session.query<IntervalRow>(
      `SELECT * FROM cm_energy_interval WHERE endpoint_id = $1 AND end_at > $2 AND end_at <= $3 ORDER BY end_at`,
      [endpointId, hourFrom, from],
    )
  ).map(intervalOfRow);
  await session.execute('DELETE FROM cm_energy_interval WHERE endpoint_id = $1 AND end_at > $2', [endpointId, from]);
  await session.execute('DELETE FROM cm_energy_hour WHERE endpoint_id = $1 AND hour >= $2', [endpointId, hourFrom]);
  return {
    endpointId,
    kind: endpoint.kind,
    poll: endpoint.poll,
    from,
    hourFrom,
    stored,
    kept,
    ...(added && { added }),
  };
}

/** Flags the stored readings the rule read as resets, and marks the glitches it skipped `suspect`. */
export async function markStoredReadings(session: PgSession, marks: CountedRecount['marks']): Promise<void> {
  if (marks.dips.length > 0)
    await session.execute(
      `UPDATE cm_reading SET status = 'suspect', reason = $3
       WHERE endpoint_id = $1 AND recorded_at = ANY($2::timestamptz[])`,
      [marks.endpointId, marks.dips, DIP_REASON],
    );
  if (marks.resets.length > 0)
    await session.execute(
      `UPDATE cm_reading SET reset = true, reason = coalesce(reason, $3)
       WHERE endpoint_id = $1 AND recorded_at = ANY($2::timestamptz[]) AND NOT reset`,
      [marks.endpointId, marks.resets, RESET_REASON],
    );
}

/** Whether any added reading is at a time no stored reading (both in time order) has. */
function addsAny(stored: readonly Reading[], added: AddedReadings): boolean {
  let s = 0;
  for (const at of added.at) {
    while (s < stored.length && (stored[s] as Reading).at.getTime() < at) s += 1;
    if (s === stored.length || (stored[s] as Reading).at.getTime() !== at) return true;
  }
  return false;
}
