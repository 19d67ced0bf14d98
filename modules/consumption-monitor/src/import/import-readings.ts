import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { rebuildLedger } from '../ledger/ledger-rebuild.js';
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
  rows: AsyncIterable<RawRow>,
  options: { now?: Date; clientGone?: () => boolean } = {},
) {
  const now = options.now ?? new Date();
  const lookup = endpointLookup(await runtime.endpoints.list());
  return inTransaction(runtime.db, async (session): Promise<ImportResult> => {
    // The collector waits while the ledger is rebuilt, so no interval is counted from a half-rebuilt one.
    await session.execute('LOCK TABLE cm_energy_interval IN SHARE ROW EXCLUSIVE MODE');
    await session.execute(
      `CREATE TEMP TABLE cm_import_stage (endpoint_id uuid NOT NULL, recorded_at timestamptz NOT NULL,
         value double precision NOT NULL) ON COMMIT DROP`,
    );
    const errors: RowError[] = [];
    let errorCount = 0;
    let staged = 0;
    async function* copyText(): AsyncGenerator<string> {
      let chunk = '';
      for await (const row of rows) {
        const checked = checkRow(row, lookup, now);
        if ('message' in checked) {
          if (errors.length < maxDetails) errors.push(checked);
          errorCount += 1;
          continue;
        }
        if (errorCount > 0) continue; // nothing will be stored: only the rest of the rows are checked
        chunk += `${checked.endpointId}\t${checked.at.toISOString()}\t${checked.value}\n`;
        staged += 1;
        if (chunk.length >= 65_536) {
          yield chunk;
          chunk = '';
        }
      }
      if (chunk && errorCount === 0) yield chunk;
    }
    await pipeline(
      Readable.from(copyText()),
      session.copyStream('cm_import_stage', ['endpoint_id', 'recorded_at', 'value']),
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
    for (const [endpointId, since] of earliest) await rebuildLedger(runtime, session, endpointId, since);
    // A client that gave up waiting would never learn the import happened: then it does not.
    if (options.clientGone?.()) throw new ImportAbortedError(imported);
    return { imported, duplicates: staged - imported };
  });
}

/** Adds the staged rows to cm_reading, skipping duplicates: how many were stored, each endpoint's earliest. */
async function storeStaged(session: PgSession) {
  const rows = await session.query<{ endpoint_id: string; since: Date; stored: string }>(
    `WITH stored AS (
       INSERT INTO cm_reading (endpoint_id, recorded_at, value, status)
       SELECT endpoint_id, recorded_at, value, 'ok' FROM cm_import_stage ORDER BY endpoint_id, recorded_at
       ON CONFLICT (endpoint_id, recorded_at) DO NOTHING
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
