import { EnergyInputError } from './errors.js';
import { assertCountable, type Reading } from './readings.js';

/** The energy between two consecutive counted readings of one endpoint. */
export interface EnergyInterval {
  /** The earlier reading's time. */
  start: Date;
  /** The later reading's time. */
  end: Date;
  /** The earlier reading's value (kWh for a counter, kW for power). */
  startValue: number;
  /** The later reading's value (kWh for a counter, kW for power). */
  endValue: number;
  /** The interval's energy in whole milliwatt-hours, spread evenly over its time. */
  milliwattHours: number;
  /** Longer than three poll intervals: readings were missed. */
  gap: boolean;
  /** The counter went down by 10 % or more (reset or replaced meter): energy counted up from zero. */
  reset: boolean;
  /** Its energy relies on a gap (a counter gap): where it fell in time, and what a hidden reset took, is a guess. */
  estimated: boolean;
}

/** Readings and the intervals between them, as built from an endpoint's stored readings. */
export interface IntervalSeries {
  /** The readings that bound the intervals, in time order. */
  readings: Reading[];
  /** One interval per pair of consecutive readings, in time order, each starting where the previous ended. */
  intervals: EnergyInterval[];
}

/** True when an interval of `durationMs` is a gap: longer than three poll intervals. */
export function isGap(durationMs: number, pollIntervalMinutes: number): boolean {
  return durationMs > 3 * pollIntervalMinutes * 60_000;
}

/** Refuses a poll interval that is not a positive number of minutes (`CM_POLL_INTERVAL_INVALID`). */
export function assertPollInterval(pollIntervalMinutes: number): void {
  if (typeof pollIntervalMinutes !== 'number' || !Number.isFinite(pollIntervalMinutes) || pollIntervalMinutes <= 0)
    throw new EnergyInputError(
      'CM_POLL_INTERVAL_INVALID',
      `poll interval ${String(pollIntervalMinutes)} is not a positive number of minutes`,
    );
}

/** Refuses a pair of readings that cannot bound an interval: not `ok`, not countable, not in time order. */
export function assertIntervalReadings(earlier: Reading, later: Reading, pollIntervalMinutes: number): void {
  assertPollInterval(pollIntervalMinutes);
  for (const reading of [earlier, later]) {
    assertCountable(reading);
    if (reading.status !== 'ok')
      throw new EnergyInputError(
        'CM_READING_INVALID',
        `the reading at ${reading.at.toISOString()} is ${reading.status}: only ok readings bound an interval`,
      );
  }
  if (!(earlier.at.getTime() < later.at.getTime()))
    throw new EnergyInputError(
      'CM_READING_INVALID',
      `an interval needs its readings in time order (${earlier.at.toISOString()} is not before ${later.at.toISOString()})`,
    );
}

/**
 * The part of an interval's energy (whole mWh) that falls before the instant `at`: its energy × the share of its
 * time elapsed, rounded to the nearest mWh. Every share of an interval is a difference of two of these, so the
 * pieces of an interval cut anywhere add up to its energy exactly.
 */
export function energyBefore(interval: EnergyInterval, at: Date): number {
  return energyBeforeMs(interval, at.getTime());
}

/** `energyBefore` at an instant given in epoch milliseconds. */
export function energyBeforeMs(interval: EnergyInterval, atMs: number): number {
  const startMs = interval.start.getTime();
  const endMs = interval.end.getTime();
  if (atMs <= startMs) return 0;
  if (atMs >= endMs) return interval.milliwattHours;
  return Math.min(
    interval.milliwattHours,
    Math.round((interval.milliwattHours * (atMs - startMs)) / (endMs - startMs)),
  );
}

/** The part of an interval's energy (whole mWh) that falls in [from, to). */
export function energyBetween(interval: EnergyInterval, from: Date, to: Date): number {
  if (!(from.getTime() < to.getTime())) return 0;
  return energyBeforeMs(interval, to.getTime()) - energyBeforeMs(interval, from.getTime());
}

/** How many milliseconds of an interval lie in [fromMs, toMs). */
export function overlapMs(interval: EnergyInterval, fromMs: number, toMs: number): number {
  return Math.max(0, Math.min(interval.end.getTime(), toMs) - Math.max(interval.start.getTime(), fromMs));
}
