import type { AddedReadings } from '../import/imported-rows.js';
import {
  HOUR_COLUMNS,
  INTERVAL_COLUMNS,
  READING_COLUMNS,
  type CountedRecount,
  type RecountPlan,
} from './count-recount.js';
import { markStoredReadings, planRecount } from './endpoint-recount.js';
import { RecountThread } from './recount-thread.js';
import type { PgSession } from './pg-session.js';

/** COPY rows gathered across endpoints before they are sent: a few MB, so a large import makes few round trips. */
const flushBytes = 4_000_000;
/** Plans counted ahead of the one being sent: enough to keep the COPY fed, few enough to bound the memory. */
const countedAhead = 2;
/** Stored readings planned (read into memory) before they are counted and sent: bounds a large rebuild's memory. */
const maxPlannedReadings = 1_000_000;

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
 * Recounts one endpoint's ledger from `since` on, after its readings were changed there (a correction, or a ledger
 * built for readings taken over): see `recountLedgers`.
 */
export async function rebuildLedger(session: PgSession, endpointId: string, since: Date): Promise<void> {
  await recountLedgers(session, [{ endpointId, since }]);
}

/**
 * Adds an import's readings to `cm_reading` and recounts each endpoint's ledger from its first new reading on:
 * rows at a time an endpoint has a stored reading for are duplicates, left out. How many readings were stored.
 */
export async function importIntoLedgers(
  session: PgSession,
  added: ReadonlyMap<string, AddedReadings>,
): Promise<number> {
  const work = [...added]
    .filter(([, rows]) => rows.at.length > 0)
    .map(([endpointId, rows]) => ({ endpointId, since: new Date(rows.at[0] as number), added: rows }));
  return recountLedgers(session, work);
}

/**
 * Recounts the ledger of each endpoint from its date on, adding the new readings given. What each recount needs
 * is read first; then the recounts are counted in the recount thread while the COPYs of those before them are
 * sent, so node counts while PostgreSQL writes. Closed months from the earliest recounted hour on are marked
 * changed. How many readings were added.
 */
async function recountLedgers(
  session: PgSession,
  work: readonly { endpointId: string; since: Date; added?: AddedReadings }[],
): Promise<number> {
  const marks: CountedRecount['marks'][] = [];
  let plans: RecountPlan[] = [];
  let planned = 0;
  let stored = 0;
  let earliestHour: Date | undefined;
  for (const { endpointId, since, added } of work) {
    const plan = await planRecount(session, endpointId, since, added);
    if (!plan) continue;
    plans.push(plan);
    planned += plan.stored.length;
    if (!earliestHour || plan.hourFrom < earliestHour) earliestHour = plan.hourFrom;
    if (planned >= maxPlannedReadings) {
      stored += await countAndSend(session, plans, marks);
      plans = [];
      planned = 0;
    }
  }
  stored += await countAndSend(session, plans, marks);
  for (const endpointMarks of marks) await markStoredReadings(session, endpointMarks);
  // Closed months from here on hold something else now: their difference is carried (docs/billing.md).
  if (earliestHour)
    await session.execute('UPDATE cm_month_close SET changed = true WHERE to_at > $1 AND NOT changed', [earliestHour]);
  return stored;
}

/**
 * Counts each plan in the recount thread, two ahead of the one being sent, and sends the COPY rows in batches.
 * How many added readings were new; the stored readings to mark are pushed to `marks`.
 */
async function countAndSend(session: PgSession, plans: readonly RecountPlan[], marks: CountedRecount['marks'][]) {
  if (plans.length === 0) return 0;
  const thread = new RecountThread();
  const counting: Promise<CountedRecount>[] = [];
  let next = 0;
  const countAhead = () => {
    while (counting.length < countedAhead && next < plans.length) {
      const counted = thread.count(plans[next++] as RecountPlan);
      counted.catch(() => undefined); // awaited in turn below; a failure must not go unhandled meanwhile
      counting.push(counted);
    }
  };
  let batch = new CopyBatch();
  let stored = 0;
  try {
    countAhead();
    for (let counted = counting.shift(); counted; counted = counting.shift()) {
      const recount = await counted;
      countAhead();
      stored += recount.stored;
      marks.push(recount.marks);
      batch.add(recount);
      if (batch.bytes >= flushBytes) {
        await batch.send(session);
        batch = new CopyBatch();
      }
    }
    await batch.send(session);
  } finally {
    await thread.close();
  }
  return stored;
}

/** COPY rows of readings, intervals and hours of several endpoints, sent in three COPYs. */
class CopyBatch {
  readonly #readings: Uint8Array[] = [];
  readonly #intervals: Uint8Array[] = [];
  readonly #hours: Uint8Array[] = [];
  bytes = 0;

  add(counted: CountedRecount): void {
    this.#readings.push(counted.readings);
    this.#intervals.push(counted.intervals);
    this.#hours.push(counted.hours);
    this.bytes += counted.readings.length + counted.intervals.length + counted.hours.length;
  }

  async send(session: PgSession): Promise<void> {
    await copyRows(session, 'cm_reading', READING_COLUMNS, this.#readings);
    await copyRows(session, 'cm_energy_interval', INTERVAL_COLUMNS, this.#intervals);
    await copyRows(session, 'cm_energy_hour', HOUR_COLUMNS, this.#hours);
  }
}

/** Sends the rows to `table` in one COPY (none when there are none). */
async function copyRows(session: PgSession, table: string, columns: readonly string[], chunks: Uint8Array[]) {
  const rows = chunks.filter((chunk) => chunk.length > 0);
  if (rows.length > 0) await session.copyBinary(table, columns, rows);
}
