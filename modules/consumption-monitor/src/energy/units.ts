/**
 * Energy is computed in whole milliwatt-hours (1 kWh = 1 000 000 mWh): integers add up exactly, so a month's
 * hours, a year's months and an interval's pieces always sum to the same total, to the last digit. A double holds
 * every integer up to 2^53, i.e. about 9 × 10^9 kWh — far beyond any meter a rack is billed from.
 */

/** Milliwatt-hours in one kWh. */
export const MILLIWATT_HOURS_PER_KWH = 1_000_000;

/** Milliseconds in one hour: the size of a ledger bucket. */
export const HOUR_MS = 3_600_000;

/** The largest kWh (or kW) value the arithmetic accepts: beyond it whole milliwatt-hours lose precision. */
export const MAX_READING_VALUE = Number.MAX_SAFE_INTEGER / MILLIWATT_HOURS_PER_KWH;

/** kWh (a meter's decimal figure) to whole milliwatt-hours, rounded to the nearest. */
export function milliwattHoursFromKwh(kwh: number): number {
  return Math.round(kwh * MILLIWATT_HOURS_PER_KWH);
}

/** Whole milliwatt-hours to kWh (exact to six decimals when printed with `toFixed(6)`). */
export function kwhFromMilliwattHours(milliwattHours: number): number {
  return milliwattHours / MILLIWATT_HOURS_PER_KWH;
}
