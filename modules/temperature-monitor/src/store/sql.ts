import type { ModuleContext } from 'nxforge/module';

/** The part of Sequelize the module uses: raw SQL with `$1` bind parameters, and managed transactions. */
interface QueryRunner {
  query(sql: string, options: { bind?: unknown[]; type?: string; transaction?: unknown }): Promise<unknown>;
  transaction<T>(work: (transaction: unknown) => Promise<T>): Promise<T>;
}

/** SQL on the module's tables, the same in pages (`ctx.db`) and jobs (`context.db`). */
export interface Sql {
  /** Rows of a SELECT (or of INSERT/UPDATE … RETURNING). */
  select<T>(sql: string, bind?: unknown[]): Promise<T[]>;
  /** The first row, or undefined. */
  one<T>(sql: string, bind?: unknown[]): Promise<T | undefined>;
  /** Runs a statement; resolves with the number of rows it touched. */
  execute(sql: string, bind?: unknown[]): Promise<number>;
  /** Runs `work` in a transaction: committed when it resolves, rolled back when it throws. */
  transaction<T>(work: (sql: Sql) => Promise<T>): Promise<T>;
}

/** Wraps the context's Sequelize instance. */
export function createSql(db: ModuleContext['db'], transaction?: unknown): Sql {
  const runner = db as unknown as QueryRunner;
  // Sequelize rewrites `$n` only when a bind option is present; without parameters the SQL goes as it is.
  const options = (bind: unknown[], type: string) => ({ ...(bind.length > 0 ? { bind } : {}), type, transaction });
  const sql: Sql = {
    select: async <T>(text: string, bind: unknown[] = []) => (await runner.query(text, options(bind, 'SELECT'))) as T[],
    one: async <T>(text: string, bind: unknown[] = []) => ((await sql.select<T>(text, bind)) as T[])[0],
    execute: async (text, bind = []) => {
      const [, meta] = (await runner.query(text, options(bind, 'RAW'))) as [unknown, { rowCount?: number }?];
      return meta?.rowCount ?? 0;
    },
    transaction: (work) => (transaction === undefined ? runner.transaction((t) => work(createSql(db, t))) : work(sql)),
  };
  return sql;
}
