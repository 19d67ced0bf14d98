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
 * Recounts the ledger of each endpoint from its date on, after readings were added there (an import): every
 * endpoint's recount is computed in turn and their intervals and hours are sent in a few batched COPYs, rather
 * than two per endpoint. Closed months from the earliest recounted hour on are marked changed.
 */
export async function rebuildLedgers(
  runtime: Pick<Runtime, 'logger'>,
  session: PgSession,
  sinceByEndpoint: ReadonlyMap<string, Date>,
): Promise<void> {
  const intervals: string[] = [];
  const hours: string[] = [];
  let pending = 0;
  let earliestHour: Date | undefined;
  const flush = async () => {
    await copyText(session, 'cm_energy_interval', INTERVAL_COLUMNS, intervals.splice(0));
    await copyText(session, 'cm_energy_hour', HOUR_COLUMNS, hours.splice(0));
    pending = 0;
  };
  for (const [endpointId, since] of sinceByEndpoint) {
    const recount = await recountEndpoint(session, endpointId, since);
    if (!recount) continue;
    intervals.push(recount.intervals);
    hours.push(recount.hours);
    pending += recount.intervals.length + recount.hours.length;
    if (!earliestHour || recount.hourFrom < earliestHour) earliestHour = recount.hourFrom;
    if (pending >= flushChars) await flush();
  }
  await flush();
  // Closed months from here on hold something else now: their difference is carried (docs/billing.md).
  if (earliestHour)
    await session.execute('UPDATE cm_month_close SET changed = true WHERE to_at > $1 AND NOT changed', [earliestHour]);
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
 * summed again from the intervals; the old rows from there on are deleted and the new ones returned as COPY text.
 * Counter readings the rule skips as glitches (a dip of less than 10 %) are marked `suspect`, as the collector
 * would have.
 */
async function recountEndpoint(session: PgSession, endpointId: string, since: Date) {
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
  // Intervals that end at or before `from` but share its hour: kept, and summed into that hour again.
  const kept = (
    await session.query<IntervalRow>(
      `SELECT * FROM cm_energy_interval WHERE endpoint_id = $1 AND end_at > $2 AND end_at <= $3 ORDER BY end_at`,
      [endpointId, hourFrom, from],
    )
  ).map(toInterval);
  const readings = (
    await session.query<{ at: Date; value: number }>(
      `SELECT recorded_at AS at, value FROM cm_reading WHERE endpoint_id = $1 AND status = 'ok' AND recorded_at >= $2
       ORDER BY recorded_at`,
      [endpointId, from],
    )
  ).map((row): Reading => ({ at: new Date(row.at), value: row.value, status: 'ok' }));
  const series =
    endpoint.kind === 'counter' ? counterIntervals(readings, endpoint.poll) : powerIntervals(readings, endpoint.poll);
  await session.execute('DELETE FROM cm_energy_interval WHERE endpoint_id = $1 AND end_at > $2', [endpointId, from]);
  await session.execute('DELETE FROM cm_energy_hour WHERE endpoint_id = $1 AND hour >= $2', [endpointId, hourFrom]);
  await markReadings(session, endpointId, series);
  const hours = splitIntoBuckets([...kept, ...series.intervals]).filter((b) => b.start >= hourFrom);
  return { hourFrom, intervals: intervalLines(endpointId, series.intervals), hours: hourLines(endpointId, hours) };
}

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

/** Flags the readings the rule read as resets, and marks the glitches it skipped `suspect`. */
async function markReadings(
  session: PgSession,
  endpointId: string,
  series: ReturnType<typeof counterIntervals> | ReturnType<typeof powerIntervals>,
) {
  const dips = 'ignoredDips' in series ? series.ignoredDips.map((r) => r.at) : [];
  if (dips.length > 0)
    await session.execute(
      `UPDATE cm_reading SET status = 'suspect', reason = 'The counter dipped by less than 10 %: a glitch, not a reset.'
       WHERE endpoint_id = $1 AND recorded_at = ANY($2::timestamptz[])`,
      [endpointId, dips],
    );
  const resets = series.intervals.filter((i) => i.reset).map((i) => i.end);
  if (resets.length > 0)
    await session.execute(
      `UPDATE cm_reading SET reset = true, reason = coalesce(reason, 'Meter reset or replaced.')
       WHERE endpoint_id = $1 AND recorded_at = ANY($2::timestamptz[]) AND NOT reset`,
      [endpointId, resets],
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
