import {
  counterIntervals,
  HOUR_MS,
  powerIntervals,
  splitIntoBuckets,
  type EnergyBucket,
  type EnergyInterval,
  type Reading,
} from '../energy/index.js';
import type { AddedReadings } from '../import/imported-rows.js';
import { intervalOfRow, type IntervalRow as LedgerIntervalRow } from './month-energy.js';
import type { PgSession } from './pg-session.js';

/**
 * What one endpoint's recount needs from the database, read (and its old ledger rows from there on deleted) by
 * `planRecount` before any of it is counted, so that counting can go on while earlier COPYs are sent.
 */
export interface RecountPlan {
  endpointId: string;
  kind: 'counter' | 'power';
  poll: number;
  /** The endpoint's last ok reading before the first changed one (or that one): the recount starts there. */
  from: Date;
  /** The UTC hour of `from`: its hours from there on are summed again. */
  hourFrom: Date;
  /** Stored readings from `from` on: all of them when readings are added (each makes an added one a duplicate). */
  stored: Reading[];
  /** Intervals ending at or before `from` in its hour: kept, and summed into that hour again. */
  kept: EnergyInterval[];
  added?: AddedReadings;
}

/** A counted recount: COPY text for its new readings, intervals and hours, and the stored readings to mark. */
export interface CountedRecount {
  /** How many added readings are new (not duplicates). */
  stored: number;
  readings: string;
  intervals: string;
  hours: string;
  /** Stored readings the rule skips as glitches, and stored readings it reads as resets. */
  marks: { endpointId: string; dips: Date[]; resets: Date[] };
}

/** A row of cm_energy_interval of one endpoint, as the recount reads it. */
type IntervalRow = Omit<LedgerIntervalRow, 'endpoint_id'>;

export const READING_COLUMNS = ['endpoint_id', 'recorded_at', 'value', 'status', 'reason', 'reset'] as const;
export const INTERVAL_COLUMNS = [
  'endpoint_id',
  'start_at',
  'end_at',
  'start_value',
  'end_value',
  'milliwatt_hours',
  'gap',
  'reset',
  'estimated',
] as const;
export const HOUR_COLUMNS = [
  'endpoint_id',
  'hour',
  'milliwatt_hours',
  'covered_ms',
  'estimated_milliwatt_hours',
  'estimated',
  'resets',
] as const;

const DIP_REASON = 'The counter dipped by less than 10 %: a glitch, not a reset.';
const RESET_REASON = 'Meter reset or replaced.';

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

/**
 * Counts a planned recount by the billing rule (no database): the intervals from `from` on, the hours from
 * `hourFrom` on, and the added readings that are not duplicates of stored ones — `ok`, or `suspect` when the rule
 * skips them as glitches (a dip of less than 10 %), flagged when it reads them as resets, as the collector would
 * have — all as COPY text.
 */
export function countRecount(plan: RecountPlan): CountedRecount {
  const { readings, fresh } = mergeAdded(plan.stored, plan.added);
  const counter = plan.kind === 'counter' ? counterIntervals(readings, plan.poll) : undefined;
  const series = counter ?? powerIntervals(readings, plan.poll);
  const dips = new Set((counter?.ignoredDips ?? []).map((r) => r.at.getTime()));
  const resets = new Set(series.intervals.filter((i) => i.reset).map((i) => i.end.getTime()));
  // Marks on stored readings are updated in place; those on new ones go into their COPY line. Without added
  // readings every reading is a stored one.
  const storedAt = plan.added && new Set(plan.stored.map((r) => r.at.getTime()));
  const storedOnly = (times: ReadonlySet<number>) =>
    [...times].filter((t) => !storedAt || storedAt.has(t)).map((t) => new Date(t));
  const hours = splitIntoBuckets([...plan.kept, ...series.intervals]).filter((b) => b.start >= plan.hourFrom);
  return {
    stored: fresh.length,
    readings: readingLines(plan.endpointId, fresh, dips, resets),
    intervals: intervalLines(plan.endpointId, series.intervals),
    hours: hourLines(plan.endpointId, hours),
    marks: { endpointId: plan.endpointId, dips: storedOnly(dips), resets: storedOnly(resets) },
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

/**
 * The readings the rule counts once `added` is stored — the stored ok ones and the added ones at a time no stored
 * reading has — in time order, and those added ones (`fresh`).
 */
function mergeAdded(stored: readonly Reading[], added: AddedReadings | undefined) {
  if (!added) return { readings: [...stored], fresh: [] as Reading[] };
  const readings: Reading[] = [];
  const fresh: Reading[] = [];
  let s = 0;
  for (let a = 0; a < added.at.length; a++) {
    const at = added.at[a] as number;
    while (s < stored.length && (stored[s] as Reading).at.getTime() < at) {
      if ((stored[s] as Reading).status === 'ok') readings.push(stored[s] as Reading);
      s += 1;
    }
    if (s < stored.length && (stored[s] as Reading).at.getTime() === at) continue; // stored already: a duplicate
    const reading: Reading = { at: new Date(at), value: added.value[a] as number, status: 'ok' };
    readings.push(reading);
    fresh.push(reading);
  }
  for (; s < stored.length; s++) if ((stored[s] as Reading).status === 'ok') readings.push(stored[s] as Reading);
  return { readings, fresh };
}

/** New readings as COPY text lines, in READING_COLUMNS' order: ok, or suspect (a dip), flagged when a reset. */
function readingLines(
  endpointId: string,
  fresh: readonly Reading[],
  dips: ReadonlySet<number>,
  resets: ReadonlySet<number>,
): string {
  let text = '';
  for (const r of fresh) {
    const t = r.at.getTime();
    const dip = dips.has(t);
    const reset = resets.has(t);
    const reason = dip ? DIP_REASON : reset ? RESET_REASON : '\\N';
    text += `${endpointId}\t${r.at.toISOString()}\t${r.value}\t${dip ? 'suspect' : 'ok'}\t${reason}\t${reset}\n`;
  }
  return text;
}

/** Intervals as COPY text lines, in INTERVAL_COLUMNS' order (no value of theirs is null or needs escaping). */
function intervalLines(endpointId: string, intervals: readonly EnergyInterval[]): string {
  let text = '';
  for (const i of intervals)
    text += `${endpointId}\t${i.start.toISOString()}\t${i.end.toISOString()}\t${i.startValue}\t${i.endValue}\t${i.milliwattHours}\t${i.gap}\t${i.reset}\t${i.estimated}\n`;
  return text;
}

/** Hours as COPY text lines, in HOUR_COLUMNS' order. */
function hourLines(endpointId: string, hours: readonly EnergyBucket[]): string {
  let text = '';
  for (const b of hours)
    text += `${endpointId}\t${b.start.toISOString()}\t${b.milliwattHours}\t${b.coveredMs}\t${b.estimatedMilliwattHours}\t${b.estimated}\t${b.resets}\n`;
  return text;
}
