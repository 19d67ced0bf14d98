import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import {
  counterIntervals,
  HOUR_MS,
  powerIntervals,
  splitIntoBuckets,
  type EnergyBucket,
  type EnergyInterval,
  type Reading,
} from '../energy/index.js';
import type { AddedReadings } from '../import/imported-rows.js';
import type { Runtime } from '../runtime.js';
import type { IntervalRow as LedgerIntervalRow } from './month-energy.js';
import type { PgSession } from './pg-session.js';

/** A row of cm_energy_interval of one endpoint, as the rebuild reads it. */
type IntervalRow = Omit<LedgerIntervalRow, 'endpoint_id'>;

/** COPY text gathered across endpoints before it is sent: a few MB, so a large import makes few round trips. */
const flushChars = 8_000_000;

/**
 * Makes the collector (and other imports or corrections) wait until the transaction of `session` ends, so no
 * interval is counted from a half-rebuilt ledger and the readings read stay the readings (readings first, as
 * the collector writes).
 */
export async function lockLedgerWriters(session: PgSession): Promise<void> {
  await session.execute('LOCK TABLE cm_reading IN SHARE ROW EXCLUSIVE MODE');
  await session.execute('LOCK TABLE cm_energy_interval IN SHARE ROW EXCLUSIVE MODE');
}

/**
 * Recounts the ledger of each endpoint from its date on, after readings were changed there (a correction, or a
 * ledger built for readings taken over): see `recountLedgers`.
 */
export async function rebuildLedgers(
  runtime: Pick<Runtime, 'logger'>,
  session: PgSession,
  sinceByEndpoint: ReadonlyMap<string, Date>,
): Promise<void> {
  await recountLedgers(
    runtime,
    session,
    [...sinceByEndpoint].map(([endpointId, since]) => ({ endpointId, since })),
  );
}

/**
 * Adds an import's readings to `cm_reading` and recounts each endpoint's ledger from its first new reading on:
 * rows at a time an endpoint has a stored reading for are duplicates, left out. How many readings were stored.
 */
export async function importIntoLedgers(
  runtime: Pick<Runtime, 'logger'>,
  session: PgSession,
  added: ReadonlyMap<string, AddedReadings>,
): Promise<number> {
  const work = [...added]
    .filter(([, rows]) => rows.at.length > 0)
    .map(([endpointId, rows]) => ({ endpointId, since: new Date(rows.at[0] as number), added: rows }));
  return recountLedgers(runtime, session, work);
}

/**
 * Recounts the ledger of each endpoint from its date on, adding the new readings given: every endpoint's recount
 * is computed in turn and their readings, intervals and hours are sent in a few batched COPYs, rather than a few
 * per endpoint. Closed months from the earliest recounted hour on are marked changed. How many readings were added.
 */
async function recountLedgers(
  runtime: Pick<Runtime, 'logger'>,
  session: PgSession,
  work: readonly { endpointId: string; since: Date; added?: AddedReadings }[],
): Promise<number> {
  const readings: string[] = [];
  const intervals: string[] = [];
  const hours: string[] = [];
  let pending = 0;
  let stored = 0;
  let earliestHour: Date | undefined;
  const flush = async () => {
    await copyText(session, 'cm_reading', READING_COLUMNS, readings.splice(0));
    await copyText(session, 'cm_energy_interval', INTERVAL_COLUMNS, intervals.splice(0));
    await copyText(session, 'cm_energy_hour', HOUR_COLUMNS, hours.splice(0));
    pending = 0;
  };
  for (const { endpointId, since, added } of work) {
    const recount = await recountEndpoint(session, endpointId, since, added);
    if (!recount) continue;
    readings.push(recount.readings);
    intervals.push(recount.intervals);
    hours.push(recount.hours);
    stored += recount.stored;
    pending += recount.readings.length + recount.intervals.length + recount.hours.length;
    if (!earliestHour || recount.hourFrom < earliestHour) earliestHour = recount.hourFrom;
    if (pending >= flushChars) await flush();
  }
  await flush();
  // Closed months from here on hold something else now: their difference is carried (docs/billing.md).
  if (earliestHour)
    await session.execute('UPDATE cm_month_close SET changed = true WHERE to_at > $1 AND NOT changed', [earliestHour]);
  return stored;
}

/** Recounts one endpoint's ledger from `since` on (see `rebuildLedgers`). */
export async function rebuildLedger(
  runtime: Pick<Runtime, 'logger'>,
  session: PgSession,
  endpointId: string,
  since: Date,
): Promise<void> {
  await rebuildLedgers(runtime, session, new Map([[endpointId, since]]));
}

/**
 * One endpoint's recount: from its last ok reading before `since` — which bounded the interval the new readings
 * now split — every interval is computed again by the billing rule and every hour from that reading's hour on is
 * summed again from the intervals; the old rows from there on are deleted and the new ones returned as COPY text,
 * with the `added` readings that are not duplicates of stored ones. Counter readings the rule skips as glitches (a
 * dip of less than 10 %) are marked `suspect`, and resets flagged, as the collector would have. Nothing when the
 * endpoint is gone, or when every added reading was stored already.
 */
async function recountEndpoint(session: PgSession, endpointId: string, since: Date, added?: AddedReadings) {
  const [endpoint] = await session.query<{ kind: 'counter' | 'power'; poll: number }>(
    'SELECT kind, poll_interval_minutes AS poll FROM cm_endpoint WHERE id = $1',
    [endpointId],
  );
  if (!endpoint) return undefined;
  const [anchor] = await session.query<{ at: Date }>(
    `SELECT recorded_at AS at FROM cm_reading WHERE endpoint_id = $1 AND status = 'ok' AND recorded_at < $2
     ORDER BY recorded_at DESC LIMIT 1`,
    [endpointId, since],
  );
  const from = anchor ? new Date(anchor.at) : since;
  const hourFrom = new Date(Math.floor(from.getTime() / HOUR_MS) * HOUR_MS);
  // Every stored reading from there on when readings are added (any of them makes an added one a duplicate);
  // else only those that count.
  const stored = (
    await session.query<{ at: Date; value: number | null; status: Reading['status'] }>(
      `SELECT recorded_at AS at, value, status FROM cm_reading WHERE endpoint_id = $1 AND recorded_at >= $2
       ${added ? '' : "AND status = 'ok'"} ORDER BY recorded_at`,
      [endpointId, from],
    )
  ).map((row) => ({ at: new Date(row.at), value: row.value ?? 0, status: row.status }));
  const { readings, fresh } = mergeAdded(stored, added);
  if (added && fresh.length === 0) return undefined;
  // Intervals that end at or before `from` but share its hour: kept, and summed into that hour again.
  const kept = (
    await session.query<IntervalRow>(
      `SELECT * FROM cm_energy_interval WHERE endpoint_id = $1 AND end_at > $2 AND end_at <= $3 ORDER BY end_at`,
      [endpointId, hourFrom, from],
    )
  ).map(toInterval);
  const series =
    endpoint.kind === 'counter' ? counterIntervals(readings, endpoint.poll) : powerIntervals(readings, endpoint.poll);
  await session.execute('DELETE FROM cm_energy_interval WHERE endpoint_id = $1 AND end_at > $2', [endpointId, from]);
  await session.execute('DELETE FROM cm_energy_hour WHERE endpoint_id = $1 AND hour >= $2', [endpointId, hourFrom]);
  const marks = readingMarks(series);
  const freshAt = new Set(fresh.map((r) => r.at.getTime()));
  await markStoredReadings(session, endpointId, marks, freshAt);
  const hours = splitIntoBuckets([...kept, ...series.intervals]).filter((b) => b.start >= hourFrom);
  return {
    hourFrom,
    stored: fresh.length,
    readings: readingLines(endpointId, fresh, marks),
    intervals: intervalLines(endpointId, series.intervals),
    hours: hourLines(endpointId, hours),
  };
}

/**
 * The readings the rule counts once `added` is stored — the stored ok ones and the added ones at a time no stored
 * reading has — in time order, and those added ones (`fresh`).
 */
function mergeAdded(stored: readonly Reading[], added: AddedReadings | undefined) {
  if (!added) return { readings: [...stored], fresh: [] as Reading[] };
  const readings: Reading[] = [];
  const fresh: Reading[] = [];
  let s = 0;
  for (let a = 0; a < added.at.length; a++) {
    const at = added.at[a] as number;
    while (s < stored.length && (stored[s] as Reading).at.getTime() < at) {
      if ((stored[s] as Reading).status === 'ok') readings.push(stored[s] as Reading);
      s += 1;
    }
    if (s < stored.length && (stored[s] as Reading).at.getTime() === at) continue; // stored already: a duplicate
    const reading: Reading = { at: new Date(at), value: added.value[a] as number, status: 'ok' };
    readings.push(reading);
    fresh.push(reading);
  }
  for (; s < stored.length; s++) if ((stored[s] as Reading).status === 'ok') readings.push(stored[s] as Reading);
  return { readings, fresh };
}

const READING_COLUMNS = ['endpoint_id', 'recorded_at', 'value', 'status', 'reason', 'reset'] as const;
const INTERVAL_COLUMNS = [
  'endpoint_id',
  'start_at',
  'end_at',
  'start_value',
  'end_value',
  'milliwatt_hours',
  'gap',
  'reset',
  'estimated',
] as const;
const HOUR_COLUMNS = [
  'endpoint_id',
  'hour',
  'milliwatt_hours',
  'covered_ms',
  'estimated_milliwatt_hours',
  'estimated',
  'resets',
] as const;

/** New readings as COPY text lines, in READING_COLUMNS' order: ok, or suspect (a dip), flagged when a reset. */
function readingLines(endpointId: string, fresh: readonly Reading[], marks: ReturnType<typeof readingMarks>): string {
  let text = '';
  for (const r of fresh) {
    const t = r.at.getTime();
    const dip = marks.dips.has(t);
    const reset = marks.resets.has(t);
    const reason = dip ? DIP_REASON : reset ? RESET_REASON : '\\N';
    text += `${endpointId}\t${r.at.toISOString()}\t${r.value}\t${dip ? 'suspect' : 'ok'}\t${reason}\t${reset}\n`;
  }
  return text;
}

/** Intervals as COPY text lines, in INTERVAL_COLUMNS' order (no value of theirs is null or needs escaping). */
function intervalLines(endpointId: string, intervals: readonly EnergyInterval[]): string {
  let text = '';
  for (const i of intervals)
    text += `${endpointId}\t${i.start.toISOString()}\t${i.end.toISOString()}\t${i.startValue}\t${i.endValue}\t${i.milliwattHours}\t${i.gap}\t${i.reset}\t${i.estimated}\n`;
  return text;
}

/** Hours as COPY text lines, in HOUR_COLUMNS' order. */
function hourLines(endpointId: string, hours: readonly EnergyBucket[]): string {
  let text = '';
  for (const b of hours)
    text += `${endpointId}\t${b.start.toISOString()}\t${b.milliwattHours}\t${b.coveredMs}\t${b.estimatedMilliwattHours}\t${b.estimated}\t${b.resets}\n`;
  return text;
}

/** Sends COPY text to `table` in one COPY (nothing when there is none). */
async function copyText(session: PgSession, table: string, columns: readonly string[], chunks: string[]) {
  const text = chunks.filter((chunk) => chunk.length > 0);
  if (text.length === 0) return;
  await pipeline(Readable.from(text), session.copyStream(table, columns));
}

const DIP_REASON = 'The counter dipped by less than 10 %: a glitch, not a reset.';
const RESET_REASON = 'Meter reset or replaced.';

/** The times of the readings the rule skipped as glitches (dips) and of those it read as resets. */
function readingMarks(series: ReturnType<typeof counterIntervals> | ReturnType<typeof powerIntervals>) {
  return {
    dips: new Set('ignoredDips' in series ? series.ignoredDips.map((r) => r.at.getTime()) : []),
    resets: new Set(series.intervals.filter((i) => i.reset).map((i) => i.end.getTime())),
  };
}

/** Flags the stored readings the rule read as resets, and marks the glitches it skipped `suspect`. */
async function markStoredReadings(
  session: PgSession,
  endpointId: string,
  marks: ReturnType<typeof readingMarks>,
  fresh: ReadonlySet<number>,
) {
  const storedOnly = (times: ReadonlySet<number>) => [...times].filter((t) => !fresh.has(t)).map((t) => new Date(t));
  const dips = storedOnly(marks.dips);
  if (dips.length > 0)
    await session.execute(
      `UPDATE cm_reading SET status = 'suspect', reason = $3
       WHERE endpoint_id = $1 AND recorded_at = ANY($2::timestamptz[])`,
      [endpointId, dips, DIP_REASON],
    );
  const resets = storedOnly(marks.resets);
  if (resets.length > 0)
    await session.execute(
      `UPDATE cm_reading SET reset = true, reason = coalesce(reason, $3)
       WHERE endpoint_id = $1 AND recorded_at = ANY($2::timestamptz[]) AND NOT reset`,
      [endpointId, resets, RESET_REASON],
    );
}

function toInterval(row: IntervalRow): EnergyInterval {
  return {
    start: new Date(row.start_at),
    end: new Date(row.end_at),
    startValue: row.start_value,
    endValue: row.end_value,
    milliwattHours: Number(row.milliwatt_hours),
    gap: row.gap,
    reset: row.reset,
    estimated: row.estimated,
  };
}
