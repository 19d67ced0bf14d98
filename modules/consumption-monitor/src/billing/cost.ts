/**
 * The cost of energy, exactly: a price per kWh is held in millionths of the currency unit and multiplied with
 * whole milliwatt-hours as BigInt, then rounded once, half away from zero, to cents. A statement's total is the
 * sum of its rounded lines, as an invoice adds them.
 */

/** A price per kWh, in millionths of the currency unit (0.2845 → 284 500). */
export function microPrice(pricePerKwh: number): bigint {
  return BigInt(Math.round(pricePerKwh * 1_000_000));
}

/** The cost of `milliwattHours` at `pricePerKwh`, in whole cents: mWh × µprice / 10^10, rounded half away from 0. */
export function costCents(milliwattHours: number, pricePerKwh: number): number {
  const product = BigInt(milliwattHours) * microPrice(pricePerKwh);
  const divisor = 10_000_000_000n;
  const magnitude = (product < 0n ? -product : product) + divisor / 2n;
  const cents = magnitude / divisor;
  return Number(product < 0n ? -cents : cents);
}

/** Cents as the amount a statement shows (two decimals). */
export function amountFromCents(cents: number): number {
  return cents / 100;
}
