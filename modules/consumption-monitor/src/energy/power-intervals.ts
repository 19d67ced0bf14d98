import {
  assertIntervalReadings,
  assertPollInterval,
  isGap,
  type EnergyInterval,
  type IntervalSeries,
} from './interval.js';
import { countedReadings, type Reading } from './readings.js';

/**
 * The interval between two consecutive counted readings of a power endpoint: the trapezoid
 * (earlier kW + later kW) / 2 × hours, in whole mWh; a gap adds nothing (nobody saw the draw in between).
 */
export function powerInterval(earlier: Reading, later: Reading, pollIntervalMinutes: number): EnergyInterval {
  assertIntervalReadings(earlier, later, pollIntervalMinutes);
  const durationMs = later.at.getTime() - earlier.at.getTime();
  const gap = isGap(durationMs, pollIntervalMinutes);
  // kW × ms → mWh: (a + b) / 2 × ms / 3 600 000 × 1 000 000 = (a + b) × ms × 5 / 36.
  const milliwattHours = gap ? 0 : Math.round(((earlier.value + later.value) * durationMs * 5) / 36);
  return {
    start: earlier.at,
    end: later.at,
    startValue: earlier.value,
    endValue: later.value,
    milliwattHours,
    gap,
    reset: false,
    estimated: false,
  };
}

/** A power endpoint's intervals from its stored readings (any order, any status). */
export function powerIntervals(readings: readonly Reading[], pollIntervalMinutes: number): IntervalSeries {
  assertPollInterval(pollIntervalMinutes);
  const counted = countedReadings(readings);
  const intervals: EnergyInterval[] = [];
  for (let i = 1; i < counted.length; i++)
    intervals.push(powerInterval(counted[i - 1] as Reading, counted[i] as Reading, pollIntervalMinutes));
  return { readings: counted, intervals };
}
