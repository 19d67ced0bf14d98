import { pipeline } from 'node:stream/promises';
import { Readable } from 'node:stream';
import type pg from 'pg';
import { from as copyFrom } from 'pg-copy-streams';
import type { Sequelize } from 'sequelize';

/** A database connection of its own, for work that needs one transaction and COPY (imports, ledger rebuilds). */
export interface PgSession {
  /** Rows of a statement. */
  query<T extends object = Record<string, unknown>>(sql: string, params?: unknown[]): Promise<T[]>;
  /** How many rows a statement changed. */
  execute(sql: string, params?: unknown[]): Promise<number>;
  /** Streams rows into `table` with COPY (text format): numbers, booleans, ISO times and uuids need no escaping. */
  copyRows(table: string, columns: readonly string[], rows: Iterable<readonly unknown[]>): Promise<void>;
  /** A COPY stream into `table` (text format) to write lines to, for rows that arrive as a stream. */
  copyStream(table: string, columns: readonly string[]): NodeJS.WritableStream & { on: NodeJS.WritableStream['on'] };
}

/**
 * Runs `work` in one transaction on a connection taken from Sequelize's pool (returned afterwards, whatever
 * happened). The connection is pg's own client, so COPY streams work on it.
 */
export async function inTransaction<T>(db: Sequelize, work: (session: PgSession) => Promise<T>): Promise<T> {
  const client = (await db.connectionManager.getConnection({ type: 'write' })) as unknown as pg.Client;
  try {
    await client.query('BEGIN');
    try {
      const result = await work(sessionOf(client));
      await client.query('COMMIT');
      return result;
    } catch (error) {
      await client.query('ROLLBACK').catch(() => undefined);
      throw error;
    }
  } finally {
    db.connectionManager.releaseConnection(client as never);
  }
}

function sessionOf(client: pg.Client): PgSession {
  return {
    query: async <T extends object>(sql: string, params: unknown[] = []) =>
      (await client.query(sql, params)).rows as T[],
    execute: async (sql, params = []) => (await client.query(sql, params)).rowCount ?? 0,
    copyRows: async (table, columns, rows) => {
      const stream = client.query(copyFrom(`COPY ${table} (${columns.join(', ')}) FROM STDIN`));
      await pipeline(Readable.from(copyLines(rows)), stream);
    },
    copyStream: (table, columns) => client.query(copyFrom(`COPY ${table} (${columns.join(', ')}) FROM STDIN`)),
  };
}

/** COPY text lines, a few thousand rows a chunk. */
function* copyLines(rows: Iterable<readonly unknown[]>): Generator<string> {
  let chunk = '';
  let count = 0;
  for (const row of rows) {
    chunk += row.map(copyValue).join('\t') + '\n';
    if (++count === 2000) {
      yield chunk;
      chunk = '';
      count = 0;
    }
  }
  if (chunk) yield chunk;
}

/** One value in COPY's text format. */
export function copyValue(value: unknown): string {
  if (value === null || value === undefined) return '\\N';
  if (value instanceof Date) return value.toISOString();
  return String(value);
}
