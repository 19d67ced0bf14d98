import { EnergyInputError } from './errors.js';
import {
  assertIntervalReadings,
  assertPollInterval,
  isGap,
  type EnergyInterval,
  type IntervalSeries,
} from './interval.js';
import { countedReadings, type Reading } from './readings.js';
import { milliwattHoursFromKwh } from './units.js';

/**
 * How a counter moved from one counted reading to the next: `rise` (up or unchanged: the energy is the
 * difference), `reset` (down by 10 % or more: a reset or a replaced meter, the energy is the later value counted up
 * from zero) or `dip` (down by less than 10 %: a glitch, the later reading does not count — the collector marks
 * it `suspect`).
 */
export type CounterStep = 'rise' | 'reset' | 'dip';

/** Classifies a counter's move from `earlierKwh` to `laterKwh` (compared in whole mWh, so 10 % is exact). */
export function classifyCounterStep(earlierKwh: number, laterKwh: number): CounterStep {
  const earlier = milliwattHoursFromKwh(earlierKwh);
  const drop = earlier - milliwattHoursFromKwh(laterKwh);
  if (drop <= 0) return 'rise';
  return drop >= earlier / 10 ? 'reset' : 'dip';
}

/**
 * The interval between two consecutive counted readings of a counter: `later − earlier`, or `later` after a reset.
 * A dip is not an interval (the later reading does not count): it throws `CM_COUNTER_DIP`; classify first.
 */
export function counterInterval(earlier: Reading, later: Reading, pollIntervalMinutes: number): EnergyInterval {
  assertIntervalReadings(earlier, later, pollIntervalMinutes);
  const step = classifyCounterStep(earlier.value, later.value);
  if (step === 'dip')
    throw new EnergyInputError(
      'CM_COUNTER_DIP',
      `the counter dipped from ${earlier.value} to ${later.value} kWh at ${later.at.toISOString()}: a glitch, not an interval`,
      { at: later.at.toISOString(), earlier: earlier.value, later: later.value },
    );
  return intervalOfStep(earlier, later, step, pollIntervalMinutes);
}

function intervalOfStep(
  earlier: Reading,
  later: Reading,
  step: CounterStep,
  pollIntervalMinutes: number,
): EnergyInterval {
  const endMwh = milliwattHoursFromKwh(later.value);
  const gap = isGap(later.at.getTime() - earlier.at.getTime(), pollIntervalMinutes);
  return {
    start: earlier.at,
    end: later.at,
    startValue: earlier.value,
    endValue: later.value,
    milliwattHours: step === 'reset' ? endMwh : endMwh - milliwattHoursFromKwh(earlier.value),
    gap,
    reset: step === 'reset',
    estimated: gap,
  };
}

/** A counter's series: the readings kept, the dips skipped, and the intervals between the readings kept. */
export interface CounterSeries extends IntervalSeries {
  /** Counted readings skipped as glitches: less than 10 % below the last reading kept. */
  ignoredDips: Reading[];
}

/**
 * A counter endpoint's intervals from its stored readings (any order, any status). A reading less than 10 % below
 * the last reading kept is skipped, exactly as if the collector had marked it `suspect`, and the next reading is
 * compared with the last one kept: a glitch neither loses nor doubles energy.
 */
export function counterIntervals(readings: readonly Reading[], pollIntervalMinutes: number): CounterSeries {
  assertPollInterval(pollIntervalMinutes);
  const kept: Reading[] = [];
  const ignoredDips: Reading[] = [];
  const intervals: EnergyInterval[] = [];
  for (const reading of countedReadings(readings)) {
    const last = kept.at(-1);
    const step = last === undefined ? 'rise' : classifyCounterStep(last.value, reading.value);
    if (step === 'dip') {
      ignoredDips.push(reading);
      continue;
    }
    if (last !== undefined) intervals.push(intervalOfStep(last, reading, step, pollIntervalMinutes));
    kept.push(reading);
  }
  return { readings: kept, ignoredDips, intervals };
}
