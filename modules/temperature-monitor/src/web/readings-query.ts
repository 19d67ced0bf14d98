import type { TemperatureSettings } from '../settings.js';

/** A range of readings to show, and whether raw readings or hourly rollups serve it. */
export interface ReadingsRange {
  from: Date;
  to: Date;
  resolution: 'raw' | 'hourly';
}

/** Raw readings serve ranges up to this long; longer ones (7 d, 30 d…) read the hourly rollups. */
export const rawRangeLimitMs = 48 * 3600 * 1000;

/**
 * Reads `from`, `to` (ISO times; default the last 24 hours) and an optional `resolution`, and chooses the
 * resolution: raw for a range of at most 48 hours whose start is still within the raw retention, hourly otherwise.
 */
export function readingsRange(
  query: Record<string, unknown>,
  settings: TemperatureSettings,
  now = new Date(),
): { ok: true; range: ReadingsRange } | { ok: false; errors: Record<string, string> } {
  const errors: Record<string, string> = {};
  const time = (name: string, fallback: Date) => {
    const raw = query[name];
    if (raw === undefined || raw === '') return fallback;
    const date = typeof raw === 'string' ? new Date(raw) : new Date(NaN);
    if (Number.isNaN(date.getTime())) errors[name] = 'An ISO date or time, e.g. 2026-11-26T06:00:00Z.';
    return date;
  };
  const to = time('to', now);
  const from = time('from', new Date(to.getTime() - 24 * 3600 * 1000));
  if (!errors.from && !errors.to && from >= to) errors.from = 'Must be before to.';
  const asked = query.resolution;
  if (asked !== undefined && asked !== 'raw' && asked !== 'hourly') errors.resolution = 'raw or hourly.';
  if (Object.keys(errors).length > 0) return { ok: false, errors };
  const rawKeptSince = now.getTime() - settings.rawRetentionDays * 24 * 3600 * 1000;
  const fitsRaw = to.getTime() - from.getTime() <= rawRangeLimitMs && from.getTime() >= rawKeptSince;
  const resolution = (asked as ReadingsRange['resolution'] | undefined) ?? (fitsRaw ? 'raw' : 'hourly');
  return { ok: true, range: { from, to, resolution } };
}
