import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { lockLedgerWriters, rebuildLedgers } from '../ledger/ledger-rebuild.js';
import { inTransaction, type PgSession } from '../ledger/pg-session.js';
import type { Runtime } from '../runtime.js';
import { checkRow, endpointLookup, type RawRow, type RowError } from './import-row.js';
import { ImportRequestError } from './import-source.js';

/** What an import did. */
export interface ImportResult {
  /** Readings stored. */
  imported: number;
  /** Rows whose endpoint and time a stored reading (or an earlier row) has already: reported, not doubled. */
  duplicates: number;
}

const maxDetails = 100;

/**
 * Imports readings as `ok`, all or nothing, in one transaction: each row is checked as it arrives and streamed
 * with COPY into a staging table; if any row is wrong nothing is stored and the errors (the first 100, by line)
 * are thrown as a 422. The rows are then added to `cm_reading` (duplicates skipped) and the ledger is rebuilt
 * from each endpoint's earliest new reading, so the neighbours of every imported reading are counted anew.
 */
export async function importReadings(
  runtime: Runtime,
  rows: AsyncIterable<RawRow[]>,
  options: { now?: Date; clientGone?: () => boolean } = {},
) {
  const now = options.now ?? new Date();
  const lookup = endpointLookup(await runtime.endpoints.list());
  return inTransaction(runtime.db, async (session): Promise<ImportResult> => {
    // The collector waits while the readings are added and the ledger is rebuilt: the duplicates found below stay
    // the duplicates.
    await lockLedgerWriters(session);
    await session.execute(
      `CREATE TEMP TABLE cm_import_stage (line bigint NOT NULL, endpoint_id uuid NOT NULL,
         recorded_at timestamptz NOT NULL, value double precision NOT NULL) ON COMMIT DROP`,
    );
    const errors: RowError[] = [];
    let errorCount = 0;
    let staged = 0;
    async function* copyText(): AsyncGenerator<string> {
      let chunk = '';
      for await (const batch of rows) {
        for (const row of batch) {
          const checked = checkRow(row, lookup, now);
          if ('message' in checked) {
            if (errors.length < maxDetails) errors.push(checked);
            errorCount += 1;
            continue;
          }
          if (errorCount > 0) continue; // nothing will be stored: only the rest of the rows are checked
          chunk += `${staged}\t${checked.endpointId}\t${checked.at.toISOString()}\t${checked.value}\n`;
          staged += 1;
        }
        if (chunk.length >= 65_536) {
          yield chunk;
          chunk = '';
        }
      }
      if (chunk && errorCount === 0) yield chunk;
    }
    await pipeline(
      Readable.from(copyText()),
      session.copyStream('cm_import_stage', ['line', 'endpoint_id', 'recorded_at', 'value']),
    );
    if (errorCount > 0) {
      const shown = errorCount > errors.length ? ` (the first ${errors.length} are listed)` : '';
      throw new ImportRequestError(
        422,
        `${errorCount} row${errorCount === 1 ? ' is' : 's are'} not valid${shown}; nothing was imported.`,
        errors,
      );
    }
    const { earliest, imported } = await storeStaged(session);
    await rebuildLedgers(runtime, session, earliest);
    // A client that gave up waiting would never learn the import happened: then it does not.
    if (options.clientGone?.()) throw new ImportAbortedError(imported);
    return { imported, duplicates: staged - imported };
  });
}

/**
 * Adds the staged rows to cm_reading in key order: those whose endpoint and time are stored already, or came
 * earlier in the file, are left out beforehand (an anti-join and DISTINCT ON, not a conflict caught per row). How
 * many were stored, and each endpoint's earliest.
 */
async function storeStaged(session: PgSession) {
  await session.execute('ANALYZE cm_import_stage'); // the planner's row count, for a merge or hash anti-join
  const rows = await session.query<{ endpoint_id: string; since: Date; stored: string }>(
    `WITH stored AS (
       INSERT INTO cm_reading (endpoint_id, recorded_at, value, status)
       SELECT DISTINCT ON (s.endpoint_id, s.recorded_at) s.endpoint_id, s.recorded_at, s.value, 'ok'
       FROM cm_import_stage s
       WHERE NOT EXISTS (SELECT 1 FROM cm_reading r WHERE r.endpoint_id = s.endpoint_id AND r.recorded_at = s.recorded_at)
       ORDER BY s.endpoint_id, s.recorded_at, s.line
       RETURNING endpoint_id, recorded_at)
     SELECT endpoint_id, min(recorded_at) AS since, count(*) AS stored FROM stored GROUP BY endpoint_id`,
  );
  return {
    earliest: new Map(rows.map((row) => [row.endpoint_id, new Date(row.since)])),
    imported: rows.reduce((sum, row) => sum + Number(row.stored), 0),
  };
}

/** The client went away before the import was done: it was rolled back, so it can simply be sent again. */
export class ImportAbortedError extends Error {
  constructor(rows: number) {
    super(`the client closed the connection before the import of ${rows} readings was done; nothing was imported`);
    this.name = 'ImportAbortedError';
  }
}
