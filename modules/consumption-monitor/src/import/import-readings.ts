import { importIntoLedgers, lockLedgerWriters } from '../ledger/ledger-rebuild.js';
import { inTransaction } from '../ledger/pg-session.js';
import type { Runtime } from '../runtime.js';
import { checkRow, endpointLookup, type RawRow, type RowError } from './import-row.js';
import { ImportedRows } from './imported-rows.js';
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
 * Imports readings as `ok`, all or nothing: every row is checked as it arrives and held, 16 bytes a row, until the
 * last one; if any row is wrong nothing is stored and the errors (the first 100, by line) are thrown as a 422.
 * Then, in one transaction, each endpoint's new readings are added to `cm_reading` (rows at a time it has a
 * reading for already, or repeating an earlier row, are duplicates) with COPY, and its ledger is recounted from
 * the last reading before the first new one, so the neighbours of every imported reading are counted anew.
 */
export async function importReadings(
  runtime: Runtime,
  rows: AsyncIterable<RawRow[]>,
  options: { now?: Date; clientGone?: () => boolean } = {},
) {
  const now = options.now ?? new Date();
  const endpoints = await runtime.endpoints.list();
  const lookup = endpointLookup(endpoints);
  const checked = new ImportedRows();
  const errors: RowError[] = [];
  let errorCount = 0;
  for await (const batch of rows) {
    for (const row of batch) {
      const result = checkRow(row, lookup, now);
      if ('message' in result) {
        if (errors.length < maxDetails) errors.push(result);
        errorCount += 1;
      } else if (errorCount === 0) checked.add(result.endpointId, result.atMs, result.value);
      // after a wrong row nothing will be stored: the rest are only checked
    }
  }
  if (errorCount > 0) {
    const shown = errorCount > errors.length ? ` (the first ${errors.length} are listed)` : '';
    throw new ImportRequestError(
      422,
      `${errorCount} row${errorCount === 1 ? ' is' : 's are'} not valid${shown}; nothing was imported.`,
      errors,
    );
  }
  const added = new Map(checked.endpointIds().map((id) => [id, checked.take(id)]));
  return inTransaction(runtime.db, async (session): Promise<ImportResult> => {
    // The endpoints are held first (deleting one waits for the import, or the import for the deletion: never each
    // for the other), and one deleted while the file arrived refuses the import.
    const kept = await session.query<{ id: string }>('SELECT id FROM cm_endpoint WHERE id = ANY($1) FOR KEY SHARE', [
      [...added.keys()],
    ]);
    const keptIds = new Set(kept.map((endpoint) => endpoint.id));
    const gone = endpoints.filter((e) => added.has(e.id) && !keptIds.has(e.id)).map((e) => e.name);
    if (gone.length > 0) {
      throw new ImportRequestError(
        422,
        `The endpoint${gone.length === 1 ? '' : 's'} ${gone.map((name) => `"${name}"`).join(', ')} ` +
          `${gone.length === 1 ? 'was' : 'were'} deleted while the import ran; nothing was imported.`,
      );
    }
    // The collector waits while the readings are added and the ledger is recounted: the duplicates found stay
    // the duplicates.
    await lockLedgerWriters(session);
    const imported = await importIntoLedgers(session, added);
    // A client that gave up waiting would never learn the import happened: then it does not.
    if (options.clientGone?.()) throw new ImportAbortedError(imported);
    return { imported, duplicates: checked.count - imported };
  });
}

/** The client went away before the import was done: it was rolled back, so it can simply be sent again. */
export class ImportAbortedError extends Error {
  constructor(rows: number) {
    super(`the client closed the connection before the import of ${rows} readings was done; nothing was imported`);
    this.name = 'ImportAbortedError';
  }
}
