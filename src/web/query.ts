import { NxfError } from '../errors.js';
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

/** A page of a list. */
export interface Paging {
  limit: number;
  offset: number;
}

/** Bounds of a list's paging; `maxOffset` defaults to a million. */
export interface PagingBounds {
  defaultLimit: number;
  maxLimit: number;
  maxOffset?: number;
}

/**
 * `limit` and `offset` of every list that pages (pages and API alike): absent gives the defaults; else each must
 * be a whole decimal number within its bounds, so `1.5`, `-1`, `Infinity`, `1e308` or twenty digits never reach
 * PostgreSQL. @throws NxfError NXF_VALIDATION (400) with the bad fields in `details`.
 */
export function queryPaging(ctx: AppContext, bounds: PagingBounds): Paging {
  const errors: Record<string, string> = {};
  const field = (name: string, fallback: number, min: number, max: number): number => {
    const raw = ctx.query[name];
    if (raw === undefined || raw === '') return fallback;
    if (typeof raw === 'string' && /^\d{1,9}$/.test(raw) && Number(raw) >= min && Number(raw) <= max)
      return Number(raw);
    errors[name] = `A whole number from ${min} to ${max}.`;
    return fallback;
  };
  const paging = {
    limit: field('limit', bounds.defaultLimit, 1, bounds.maxLimit),
    offset: field('offset', 0, 0, bounds.maxOffset ?? 1_000_000),
  };
  const bad = Object.entries(errors);
  if (bad.length > 0) {
    const message = bad.map(([name, text]) => `${name}: ${text}`).join(' ');
    throw new NxfError('NXF_VALIDATION', message, { status: 400, details: errors });
  }
  return paging;
}
