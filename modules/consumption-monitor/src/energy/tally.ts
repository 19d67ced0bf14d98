import { energyBeforeMs, overlapMs, type EnergyInterval } from './interval.js';

/** A half-open span of time [from, to). */
export interface TimeRange {
  /** First instant inside. */
  from: Date;
  /** First instant after. */
  to: Date;
}

/** What a span of time holds of an endpoint's intervals: a ledger row, a month's totals. Tallies add up. */
export interface EnergyTally {
  /** Energy falling in the span, whole mWh. */
  milliwattHours: number;
  /** Milliseconds of the span inside intervals that are not gaps. */
  coveredMs: number;
  /** The part of `milliwattHours` from estimated intervals (counter gaps), whole mWh. */
  estimatedMilliwattHours: number;
  /** An estimated interval overlaps the span: its figure relies on a gap. */
  estimated: boolean;
  /** Reset intervals that start in the span (a reset belongs to where its interval starts). */
  resets: number;
}

/** A tally of nothing. */
export function emptyTally(): EnergyTally {
  return { milliwattHours: 0, coveredMs: 0, estimatedMilliwattHours: 0, estimated: false, resets: 0 };
}

/** Adds what `interval` holds of [fromMs, toMs) to `tally` (in place). */
export function addToTally(tally: EnergyTally, interval: EnergyInterval, fromMs: number, toMs: number): void {
  const overlap = overlapMs(interval, fromMs, toMs);
  if (overlap <= 0) return;
  const share = energyBeforeMs(interval, toMs) - energyBeforeMs(interval, fromMs);
  const startMs = interval.start.getTime();
  tally.milliwattHours += share;
  if (!interval.gap) tally.coveredMs += overlap;
  if (interval.estimated) {
    tally.estimatedMilliwattHours += share;
    tally.estimated = true;
  }
  if (interval.reset && startMs >= fromMs && startMs < toMs) tally.resets += 1;
}

/** Adds the tally of a span that does not overlap `target`'s to it (in place). */
export function addTally(target: EnergyTally, other: EnergyTally): void {
  target.milliwattHours += other.milliwattHours;
  target.coveredMs += other.coveredMs;
  target.estimatedMilliwattHours += other.estimatedMilliwattHours;
  target.estimated ||= other.estimated;
  target.resets += other.resets;
}

/** The sum of tallies of spans that do not overlap (hours of a month, a month's whole hours and its edges). */
export function sumTallies(tallies: readonly EnergyTally[]): EnergyTally {
  const sum = emptyTally();
  for (const tally of tallies) addTally(sum, tally);
  return sum;
}

/** What `range` holds of `intervals` (in time order, as a series builds them). */
export function tallyRange(intervals: readonly EnergyInterval[], range: TimeRange): EnergyTally {
  const fromMs = range.from.getTime();
  const toMs = range.to.getTime();
  const tally = emptyTally();
  for (let i = firstEndingAfter(intervals, fromMs); i < intervals.length; i++) {
    const interval = intervals[i] as EnergyInterval;
    if (interval.start.getTime() >= toMs) break;
    addToTally(tally, interval, fromMs, toMs);
  }
  return tally;
}

/** Index of the first interval that ends after `ms` (binary search over intervals in time order). */
export function firstEndingAfter(intervals: readonly EnergyInterval[], ms: number): number {
  let low = 0;
  let high = intervals.length;
  while (low < high) {
    const middle = (low + high) >>> 1;
    if ((intervals[middle] as EnergyInterval).end.getTime() > ms) high = middle;
    else low = middle + 1;
  }
  return low;
}
