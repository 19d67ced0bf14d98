import { counterIntervals } from './counter-intervals.js';
import { energyBeforeMs, type EnergyInterval, type IntervalSeries } from './interval.js';
import { calendarMonth, type CalendarMonth } from './months.js';
import { powerIntervals } from './power-intervals.js';
import type { Reading } from './readings.js';
import { firstEndingAfter, tallyRange, type EnergyTally, type TimeRange } from './tally.js';
import { kwhFromMilliwattHours, milliwattHoursFromKwh } from './units.js';

/** What an endpoint measures: cumulative energy (kWh) or instantaneous draw (kW). */
export type EndpointKind = 'counter' | 'power';

/** The counter's values at a range's edges (null where no reading reaches the range, and for power endpoints). */
export interface CounterBoundaries {
  /** The counter at the later of the range's start and the first reading, kWh. */
  startKwh: number | null;
  /** The counter at the earlier of the range's end and the last reading, kWh. */
  endKwh: number | null;
}

/** One endpoint's statement for one month: what an invoice line is made from. */
export interface MonthStatement extends CounterBoundaries {
  /** The month, `YYYY-MM`. */
  month: string;
  /** The IANA zone the month is cut in. */
  timeZone: string;
  /** The month's first instant. */
  from: Date;
  /** The next month's first instant. */
  to: Date;
  /** The month's length in hours. */
  hours: number;
  /** Energy in the month, kWh (exactly `milliwattHours` / 1 000 000). */
  kwh: number;
  /** Energy in the month, whole mWh: the exact figure, for comparing and adding. */
  milliwattHours: number;
  /** Reset intervals that start in the month. */
  resets: number;
  /** Share of the month's time inside intervals that are not gaps, 0–100. */
  coveragePct: number;
  /** Some of the month's figure relies on a gap. */
  estimated: boolean;
}

/** What `monthStatement` computes from. */
export interface MonthStatementInput {
  /** The endpoint's kind. */
  kind: EndpointKind;
  /** Its stored readings, any order, any status. */
  readings: readonly Reading[];
  /** Its poll interval in minutes (an interval longer than three of them is a gap). */
  pollIntervalMinutes: number;
  /** The month, `YYYY-MM`. */
  month: string;
  /** The IANA zone the month is cut in (the module's `timezone` setting), default `UTC`. */
  timeZone?: string;
}

/** The reference statement of one endpoint's month, computed directly from its readings by the rule. */
export function monthStatement(input: MonthStatementInput): MonthStatement {
  const month = calendarMonth(input.month, input.timeZone);
  const series =
    input.kind === 'counter'
      ? counterIntervals(input.readings, input.pollIntervalMinutes)
      : powerIntervals(input.readings, input.pollIntervalMinutes);
  return statementFromSeries(series, input.kind, month);
}

/** A month's statement from an endpoint's series, built once for many months (a year's summary, month to date). */
export function statementFromSeries(series: IntervalSeries, kind: EndpointKind, month: CalendarMonth): MonthStatement {
  const boundaries = kind === 'counter' ? counterBoundaries(series, month) : { startKwh: null, endKwh: null };
  return statementFromTally(month, tallyRange(series.intervals, month), boundaries);
}

/** A month's statement from its tally (the ledger's sum of hours, or `tallyRange`) and its counter boundaries. */
export function statementFromTally(
  month: CalendarMonth,
  tally: EnergyTally,
  boundaries: CounterBoundaries,
): MonthStatement {
  const monthMs = month.to.getTime() - month.from.getTime();
  return {
    month: month.month,
    timeZone: month.timeZone,
    from: month.from,
    to: month.to,
    hours: month.hours,
    kwh: kwhFromMilliwattHours(tally.milliwattHours),
    milliwattHours: tally.milliwattHours,
    startKwh: boundaries.startKwh,
    endKwh: boundaries.endKwh,
    resets: tally.resets,
    coveragePct: (100 * tally.coveredMs) / monthMs,
    estimated: tally.estimated,
  };
}

/**
 * A counter's values at the edges of `range`. No energy is invented outside the readings, so an edge before the
 * first reading is taken at the first reading, and one after the last at the last; a range no reading reaches
 * has none. Between readings the counter is interpolated by the rule (`counterMilliwattHoursAt`).
 */
export function counterBoundaries(series: IntervalSeries, range: TimeRange): CounterBoundaries {
  const first = series.readings[0];
  const last = series.readings.at(-1);
  const fromMs = range.from.getTime();
  const toMs = range.to.getTime();
  if (first === undefined || last === undefined || last.at.getTime() < fromMs || first.at.getTime() >= toMs)
    return { startKwh: null, endKwh: null };
  const startMs = Math.max(fromMs, first.at.getTime());
  const endMs = Math.min(toMs, last.at.getTime());
  return { startKwh: counterKwhAt(series, startMs), endKwh: counterKwhAt(series, endMs) };
}

/**
 * The counter's value at `at` inside an interval, whole mWh: the later reading less the interval's energy still
 * to come. At a reading it is that reading's value; after a reset it counts up from zero from the interval's start.
 */
export function counterMilliwattHoursAt(interval: EnergyInterval, at: Date): number {
  return counterMilliwattHoursAtMs(interval, at.getTime());
}

function counterMilliwattHoursAtMs(interval: EnergyInterval, atMs: number): number {
  if (atMs <= interval.start.getTime()) return milliwattHoursFromKwh(interval.startValue);
  const toCome = interval.milliwattHours - energyBeforeMs(interval, atMs);
  return milliwattHoursFromKwh(interval.endValue) - toCome;
}

function counterKwhAt(series: IntervalSeries, atMs: number): number {
  const interval = series.intervals[firstEndingAfter(series.intervals, atMs - 1)];
  if (interval !== undefined) return kwhFromMilliwattHours(counterMilliwattHoursAtMs(interval, atMs));
  const single = series.readings[0] as Reading; // no interval: the one reading is the whole range's counter
  return kwhFromMilliwattHours(milliwattHoursFromKwh(single.value));
}
