import { DateTime } from 'luxon';
import type { Endpoint } from '../endpoints/endpoint.js';
import { MAX_READING_VALUE } from '../energy/index.js';

/** One row as the client sent it: a CSV line, or a reading of the JSON body. */
export interface RawRow {
  /** The CSV line (the header is line 1), or the reading's position in the JSON list (from 1). */
  line: number;
  endpoint: unknown;
  timestamp: unknown;
  value: unknown;
}

/** A row that passed: its endpoint, time (epoch milliseconds), and value in kWh (counters) or kW (power). */
export interface CheckedRow {
  endpointId: string;
  atMs: number;
  value: number;
}

/** What a row check found wrong, as the 422's details list it. */
export interface RowError {
  line: number;
  message: string;
}

/** Endpoints by id and by name (without regard to case), for rows that name either. */
export function endpointLookup(endpoints: readonly Endpoint[]): (key: string) => Endpoint | undefined {
  const byId = new Map(endpoints.map((e) => [e.id.toLowerCase(), e]));
  const byName = new Map(endpoints.map((e) => [e.name.toLowerCase(), e]));
  return (key) => byId.get(key.toLowerCase()) ?? byName.get(key.toLowerCase());
}

// An ISO-8601 date and time that says its zone: `Z` or an offset.
const zonedIso = /^\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}(:?\d{2})?)$/i;
const decimal = /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/;
// A reading may be stamped a little ahead of this server's clock (the meter's clock), not more.
const clockSkewMs = 5 * 60_000;

/** Checks one row: a known endpoint, a zoned ISO-8601 time not in the future, a number ≥ 0 in its unit. */
export function checkRow(row: RawRow, lookup: (key: string) => Endpoint | undefined, now: Date): CheckedRow | RowError {
  const fail = (message: string): RowError => ({ line: row.line, message });
  const name = typeof row.endpoint === 'string' ? row.endpoint.trim() : '';
  if (!name) return fail('The endpoint is missing: give its name or id.');
  const endpoint = lookup(name);
  if (!endpoint) return fail(`Unknown endpoint "${name.slice(0, 100)}": give the name or id of an existing endpoint.`);
  const stamp = typeof row.timestamp === 'string' ? row.timestamp.trim() : '';
  if (!stamp) return fail('The timestamp is missing.');
  const atMs = readTime(stamp);
  if (typeof atMs === 'string') return fail(atMs);
  if (atMs > now.getTime() + clockSkewMs) return fail(`The timestamp ${stamp} is in the future.`);
  const value = readValue(row.value);
  if (value === undefined) return fail(`The value "${String(row.value ?? '').slice(0, 40)}" is not a number.`);
  if (value < 0) return fail(`The value ${value} is below 0.`);
  const stored = endpoint.unit === 'Wh' || endpoint.unit === 'W' ? value / 1000 : value;
  if (stored > MAX_READING_VALUE) return fail(`The value ${value} is too large to count exactly.`);
  return { endpointId: endpoint.id, atMs, value: stored };
}

// A UTC time as toISOString writes it (the common case, millions of rows in an import): read by position, without
// luxon and without an object per row.
const utcIso = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{3})?Z$/;

/** The instant (epoch milliseconds) a zoned ISO-8601 time names, or what is wrong with it. */
function readTime(stamp: string): number | string {
  const utc = utcIso.test(stamp) ? utcMs(stamp) : undefined;
  if (utc !== undefined) return utc;
  if (!zonedIso.test(stamp)) {
    return DateTime.fromISO(stamp.replace(' ', 'T')).isValid
      ? `The timestamp "${stamp}" has no time zone: add Z or an offset such as +01:00.`
      : `"${stamp.slice(0, 40)}" is not an ISO-8601 timestamp such as 2026-11-01T00:15:00Z.`;
  }
  const parsed = DateTime.fromISO(stamp.replace(' ', 'T'), { setZone: true });
  if (!parsed.isValid) return `"${stamp}" is not a valid date and time (${parsed.invalidExplanation ?? 'invalid'}).`;
  return parsed.toMillis();
}

const daysInMonth = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

/**
 * A time of `utcIso`'s shape read by position, or undefined when a field is out of range (a 30 February, a 24th
 * hour: luxon then says what is wrong) or the year is below 100 (which Date.UTC reads as 19xx: luxon reads it).
 */
function utcMs(stamp: string): number | undefined {
  const field = (from: number, to: number) => {
    let n = 0;
    for (let i = from; i < to; i++) n = n * 10 + stamp.charCodeAt(i) - 48;
    return n;
  };
  const year = field(0, 4);
  const month = field(5, 7);
  const day = field(8, 10);
  const leapDay = month === 2 && year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0) ? 1 : 0;
  if (year < 100 || month < 1 || month > 12 || day < 1 || day > (daysInMonth[month - 1] as number) + leapDay)
    return undefined;
  const hour = field(11, 13);
  const minute = field(14, 16);
  const second = field(17, 19);
  if (hour > 23 || minute > 59 || second > 59) return undefined;
  return Date.UTC(year, month - 1, day, hour, minute, second, stamp.length === 24 ? field(20, 23) : 0);
}

/** A number from JSON, or a decimal text (a dot for decimals, no thousands separators). */
function readValue(value: unknown): number | undefined {
  if (typeof value === 'number') return Number.isFinite(value) ? value : undefined;
  if (typeof value !== 'string' || !decimal.test(value.trim())) return undefined;
  return Number(value.trim());
}
