import type { AppContext } from '../http/app-context.js';

/** A query parameter as trimmed text (at most `max` characters); '' when absent or repeated. */
export function queryText(ctx: AppContext, name: string, max = 100): string {
  const value = ctx.query[name];
  return typeof value === 'string' ? value.trim().slice(0, max) : '';
}

/** A date field (`YYYY-MM-DD`) as the start of that day in UTC, `offsetDays` later; undefined when absent or bad. */
export function queryDay(value: unknown, offsetDays = 0): Date | undefined {
  if (typeof value !== 'string' || !/^\d{4}-\d{2}-\d{2}$/.test(value)) return undefined;
  const date = new Date(`${value}T00:00:00Z`);
  if (Number.isNaN(date.getTime())) return undefined;
  date.setUTCDate(date.getUTCDate() + offsetDays);
  return date;
}

/** A whole number query parameter within bounds, else `fallback`. */
export function queryInt(ctx: AppContext, name: string, fallback: number, min: number, max: number): number {
  const value = Number(queryText(ctx, name));
  return Number.isInteger(value) && queryText(ctx, name) !== '' ? Math.min(Math.max(value, min), max) : fallback;
}
