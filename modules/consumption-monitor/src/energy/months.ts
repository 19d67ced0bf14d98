import { DateTime, IANAZone } from 'luxon';
import { EnergyInputError } from './errors.js';
import type { TimeRange } from './tally.js';
import { HOUR_MS } from './units.js';

/** A calendar month in a time zone: [local midnight on the 1st, local midnight on the 1st of the next month). */
export interface CalendarMonth extends TimeRange {
  /** The month as `YYYY-MM`. */
  month: string;
  /** The IANA time zone it is cut in. */
  timeZone: string;
  /** Its length in hours: 743 or 745 in a daylight-saving month (743.5 where the shift is half an hour). */
  hours: number;
}

const MONTH = /^(\d{4})-(0[1-9]|1[0-2])$/;

/**
 * The calendar month `month` (`YYYY-MM`) in the IANA zone `timeZone` (default `UTC`), as UTC instants. Where a
 * zone skips midnight on the 1st (a daylight-saving change at 00:00), the month starts at the day's first instant.
 */
export function calendarMonth(month: string, timeZone: string = 'UTC'): CalendarMonth {
  const match = MONTH.exec(month);
  if (match === null)
    throw new EnergyInputError('CM_MONTH_INVALID', `month ${JSON.stringify(month)} is not YYYY-MM`, { month });
  assertTimeZone(timeZone);
  const year = Number(match[1]);
  const monthNumber = Number(match[2]);
  const from = firstInstantOfMonth(year, monthNumber, timeZone);
  const to =
    monthNumber === 12
      ? firstInstantOfMonth(year + 1, 1, timeZone)
      : firstInstantOfMonth(year, monthNumber + 1, timeZone);
  return { month, timeZone, from, to, hours: (to.getTime() - from.getTime()) / HOUR_MS };
}

/** The month (`YYYY-MM`) that holds the instant `at` in the zone `timeZone`. */
export function monthContaining(at: Date, timeZone: string = 'UTC'): string {
  assertTimeZone(timeZone);
  return DateTime.fromJSDate(at, { zone: timeZone }).toFormat('yyyy-MM');
}

/** The month after `month` (`YYYY-MM`): where an adjustment to a closed month is carried. */
export function nextMonth(month: string): string {
  const { from } = calendarMonth(month);
  return DateTime.fromJSDate(from, { zone: 'UTC' }).plus({ months: 1 }).toFormat('yyyy-MM');
}

/** Refuses a name that is not an IANA time zone (`CM_TIMEZONE_INVALID`). */
export function assertTimeZone(timeZone: string): void {
  if (typeof timeZone !== 'string' || !IANAZone.isValidZone(timeZone))
    throw new EnergyInputError('CM_TIMEZONE_INVALID', `${JSON.stringify(timeZone)} is not an IANA time zone`, {
      timeZone,
    });
}

// Built from the wall-clock date, never by adding a month to an instant: that keeps the wall time of the start, which
// is not midnight when the month began on a skipped midnight.
function firstInstantOfMonth(year: number, month: number, timeZone: string): Date {
  return DateTime.fromObject({ year, month, day: 1 }, { zone: timeZone }).toJSDate();
}
