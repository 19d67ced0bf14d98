import {
  counterIntervals,
  powerIntervals,
  splitIntoBuckets,
  type EnergyBucket,
  type EnergyInterval,
  type Reading,
} from '../energy/index.js';
import type { AddedReadings } from '../import/imported-rows.js';
import { BinaryRows, uuidBytes } from './copy-binary.js';

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

/** A counted recount: binary COPY rows of its new readings, intervals and hours, and the stored readings to mark. */
export interface CountedRecount {
  /** How many added readings are new (not duplicates). */
  stored: number;
  readings: Uint8Array<ArrayBuffer>;
  intervals: Uint8Array<ArrayBuffer>;
  hours: Uint8Array<ArrayBuffer>;
  /** Stored readings the rule skips as glitches, and stored readings it reads as resets. */
  marks: { endpointId: string; dips: Date[]; resets: Date[] };
}

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

export const DIP_REASON = 'The counter dipped by less than 10 %: a glitch, not a reset.';
export const RESET_REASON = 'Meter reset or replaced.';

/**
 * Counts a planned recount by the billing rule (no database): the intervals from `from` on, the hours from
 * `hourFrom` on, and the added readings that are not duplicates of stored ones — `ok`, or `suspect` when the rule
 * skips them as glitches (a dip of less than 10 %), flagged when it reads them as resets, as the collector would
 * have — all as binary COPY rows.
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
  const endpoint = uuidBytes(plan.endpointId);
  return {
    stored: fresh.length,
    readings: readingRows(endpoint, fresh, dips, resets),
    intervals: intervalRows(endpoint, series.intervals),
    hours: hourRows(endpoint, hours),
    marks: { endpointId: plan.endpointId, dips: storedOnly(dips), resets: storedOnly(resets) },
  };
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

/** New readings as binary COPY rows, in READING_COLUMNS' order: ok, or suspect (a dip), flagged when a reset. */
function readingRows(
  endpoint: Uint8Array,
  fresh: readonly Reading[],
  dips: ReadonlySet<number>,
  resets: ReadonlySet<number>,
) {
  const rows = new BinaryRows();
  for (const r of fresh) {
    const t = r.at.getTime();
    const dip = dips.has(t);
    const reset = resets.has(t);
    const reason = dip ? DIP_REASON : reset ? RESET_REASON : null;
    rows
      .row(READING_COLUMNS.length)
      .uuid(endpoint)
      .timestamptz(t)
      .float8(r.value)
      .text(dip ? 'suspect' : 'ok')
      .text(reason)
      .bool(reset);
  }
  return rows.bytes();
}

/** Intervals as binary COPY rows, in INTERVAL_COLUMNS' order. */
function intervalRows(endpoint: Uint8Array, intervals: readonly EnergyInterval[]) {
  const rows = new BinaryRows();
  for (const i of intervals) {
    rows.row(INTERVAL_COLUMNS.length).uuid(endpoint).timestamptz(i.start.getTime()).timestamptz(i.end.getTime());
    rows.float8(i.startValue).float8(i.endValue).int64(i.milliwattHours).bool(i.gap).bool(i.reset).bool(i.estimated);
  }
  return rows.bytes();
}

/** Hours as binary COPY rows, in HOUR_COLUMNS' order. */
function hourRows(endpoint: Uint8Array, hours: readonly EnergyBucket[]) {
  const rows = new BinaryRows();
  for (const b of hours) {
    rows.row(HOUR_COLUMNS.length).uuid(endpoint).timestamptz(b.start.getTime()).int64(b.milliwattHours);
    rows.int64(b.coveredMs).int64(b.estimatedMilliwattHours).bool(b.estimated).int32(b.resets);
  }
  return rows.bytes();
}
