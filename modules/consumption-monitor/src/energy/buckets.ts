import type { EnergyInterval } from './interval.js';
import { addToTally, emptyTally, type EnergyTally, type TimeRange } from './tally.js';
import { HOUR_MS } from './units.js';

/** One fixed bucket of the ledger (a UTC hour by default) and what it holds of an endpoint's intervals. */
export interface EnergyBucket extends EnergyTally {
  /** The bucket's first instant: a whole multiple of the bucket size since the epoch (for hours, a UTC hour). */
  start: Date;
}

/** How a range (a month) lies over fixed buckets: whole buckets, and the pieces of the buckets at its edges. */
export interface BucketCover {
  /** The buckets wholly inside the range: those whose start is in [whole.from, whole.to). */
  whole: TimeRange;
  /** The part of the range before its first whole bucket (a bucket shared with the range before), or null. */
  head: TimeRange | null;
  /** The part of the range after its last whole bucket (a bucket shared with the range after), or null. */
  tail: TimeRange | null;
}

/**
 * What one interval adds to each bucket it touches. The ledger adds these rows when it stores an interval and
 * subtracts them when a reading imported between its ends replaces it; the pieces sum to the interval's energy.
 */
export function intervalBuckets(interval: EnergyInterval, bucketMs: number = HOUR_MS): EnergyBucket[] {
  assertBucketSize(bucketMs);
  const endMs = interval.end.getTime();
  const buckets: EnergyBucket[] = [];
  for (let from = floorTo(interval.start.getTime(), bucketMs); from < endMs; from += bucketMs) {
    const bucket: EnergyBucket = { start: new Date(from), ...emptyTally() };
    addToTally(bucket, interval, from, from + bucketMs);
    buckets.push(bucket);
  }
  return buckets;
}

/** The buckets an endpoint's intervals (in time order) touch, in time order: the rows of a per-hour ledger. */
export function splitIntoBuckets(intervals: readonly EnergyInterval[], bucketMs: number = HOUR_MS): EnergyBucket[] {
  assertBucketSize(bucketMs);
  const buckets: EnergyBucket[] = [];
  for (const interval of intervals) {
    const endMs = interval.end.getTime();
    for (let from = floorTo(interval.start.getTime(), bucketMs); from < endMs; from += bucketMs) {
      let bucket = buckets.at(-1);
      if (bucket === undefined || bucket.start.getTime() !== from) {
        bucket = { start: new Date(from), ...emptyTally() };
        buckets.push(bucket);
      }
      addToTally(bucket, interval, from, from + bucketMs);
    }
  }
  return buckets;
}

/**
 * Where `range` meets the buckets. A month in a zone whose offset is not a whole hour (Asia/Kolkata +5:30) starts
 * and ends inside a UTC hour: its figure is the sum of its whole buckets plus `tallyRange` of the intervals that
 * overlap its head and tail — exact, because an interval's share of a piece is what that piece adds to the bucket.
 */
export function bucketCover(range: TimeRange, bucketMs: number = HOUR_MS): BucketCover {
  assertBucketSize(bucketMs);
  const fromMs = range.from.getTime();
  const toMs = range.to.getTime();
  const wholeFrom = Math.min(ceilTo(fromMs, bucketMs), toMs);
  const wholeTo = Math.max(floorTo(toMs, bucketMs), wholeFrom);
  return {
    whole: { from: new Date(wholeFrom), to: new Date(wholeTo) },
    head: fromMs < wholeFrom ? { from: range.from, to: new Date(wholeFrom) } : null,
    tail: wholeTo < toMs ? { from: new Date(wholeTo), to: range.to } : null,
  };
}

function assertBucketSize(bucketMs: number): void {
  if (!Number.isSafeInteger(bucketMs) || bucketMs <= 0)
    throw new RangeError(`a bucket size must be a positive whole number of milliseconds, not ${bucketMs}`);
}

function floorTo(ms: number, bucketMs: number): number {
  return Math.floor(ms / bucketMs) * bucketMs;
}

function ceilTo(ms: number, bucketMs: number): number {
  return Math.ceil(ms / bucketMs) * bucketMs;
}
