import { ConnectionError, QueryTypes, Sequelize, type Transaction } from 'sequelize';

/** Bind parameters for `$1, $2…` placeholders. */
export type Bind = readonly unknown[];

/**
 * The database as the rest of the core sees it: Sequelize for the connection pool and transactions, SQL written
 * by hand in each store. The schema is owned by the SQL migrations, so there is one truth about every table, and
 * an instance per app (tests run several apps in one process) rather than models bound to a global.
 */
export class Database {
  /**
   * @param sequelize the connection pool
   * @param url where it connects, for tools that need their own connection (advisory locks, LISTEN)
   */
  constructor(
    readonly sequelize: Sequelize,
    readonly url: string,
  ) {}

  /** Rows of a query (SELECT, or INSERT/UPDATE … RETURNING). */
  async select<T extends object>(sql: string, bind: Bind = [], transaction?: Transaction): Promise<T[]> {
    return this.sequelize.query<T>(sql, { ...bindOption(bind), type: QueryTypes.SELECT, transaction });
  }

  /** First row of a query, or undefined. */
  async one<T extends object>(sql: string, bind: Bind = [], transaction?: Transaction): Promise<T | undefined> {
    const rows = await this.select<T>(sql, bind, transaction);
    return rows[0];
  }

  /** Runs a statement and returns the number of rows it touched. */
  async execute(sql: string, bind: Bind = [], transaction?: Transaction): Promise<number> {
    const [, meta] = await this.sequelize.query(sql, { ...bindOption(bind), type: QueryTypes.RAW, transaction });
    return (meta as { rowCount?: number } | undefined)?.rowCount ?? 0;
  }

  /** Runs `work` in a transaction committed when it resolves and rolled back when it throws. */
  async transaction<T>(work: (transaction: Transaction) => Promise<T>): Promise<T> {
    return this.sequelize.transaction(work);
  }

  /** True when the database answers a trivial query. */
  async ping(): Promise<boolean> {
    try {
      await this.sequelize.query('SELECT 1', { type: QueryTypes.SELECT });
      return true;
    } catch {
      return false;
    }
  }

  async close(): Promise<void> {
    await this.sequelize.close();
  }
}

/**
 * Sequelize rewrites `$…` in the SQL whenever a `bind` option is present, which breaks dollar-quoted bodies
 * (`DO $$ … $$`) in migrations; statements without parameters are sent as they are.
 */
function bindOption(bind: Bind): { bind?: unknown[] } {
  return bind.length > 0 ? { bind: bind as unknown[] } : {};
}

/** Connects to PostgreSQL at `url`; fails fast with the driver's message when it cannot. */
export async function connectDatabase(url: string, options: { poolMax?: number } = {}): Promise<Database> {
  const sequelize = new Sequelize(url, {
    dialect: 'postgres',
    logging: false,
    pool: { max: options.poolMax ?? 10, min: 0, idle: 10_000, acquire: 30_000 },
  });
  await sequelize.authenticate();
  return new Database(sequelize, url);
}

/** Error codes of a server that is down, restarting or shutting down (node's and PostgreSQL's SQLSTATEs). */
const unavailableCodes = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'EPIPE',
  '57P01',
  '57P02',
  '57P03',
  '08000',
  '08001',
  '08003',
  '08006',
]);

/**
 * True when `error` says the database cannot be reached (refused, lost, starting up, shutting down) rather than
 * that a query was wrong: the web layer answers it with 503 instead of a 500.
 */
export function isDatabaseUnavailable(error: unknown): boolean {
  if (error instanceof ConnectionError) return true;
  const { parent } = (error ?? {}) as { parent?: unknown };
  return [error, parent].some((candidate) => {
    const { code, message } = (candidate ?? {}) as { code?: unknown; message?: unknown };
    return (
      (typeof code === 'string' && unavailableCodes.has(code)) ||
      (typeof message === 'string' && /^Connection terminated|connection is closed/i.test(message))
    );
  });
}
