import { pipeline } from 'node:stream/promises';
import { Readable } from 'node:stream';
import type pg from 'pg';
import { from as copyFrom } from 'pg-copy-streams';
import type { Sequelize } from 'sequelize';
import { COPY_BINARY_HEADER, COPY_BINARY_TRAILER } from './copy-binary.js';

/** A database connection of its own, for work that needs one transaction and COPY (imports, ledger rebuilds). */
export interface PgSession {
  /** Rows of a statement. */
  query<T extends object = Record<string, unknown>>(sql: string, params?: unknown[]): Promise<T[]>;
  /** How many rows a statement changed. */
  execute(sql: string, params?: unknown[]): Promise<number>;
  /** Adds rows to `table` in one binary COPY: the rows of each chunk (copy-binary.ts), chunk after chunk. */
  copyBinary(table: string, columns: readonly string[], chunks: readonly Uint8Array[]): Promise<void>;
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
    copyBinary: async (table, columns, chunks) => {
      const copy = client.query(copyFrom(`COPY ${table} (${columns.join(', ')}) FROM STDIN (FORMAT binary)`));
      await pipeline(Readable.from([COPY_BINARY_HEADER, ...chunks, COPY_BINARY_TRAILER]), copy);
    },
  };
}
