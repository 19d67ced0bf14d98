import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Transaction } from 'sequelize';
import { Umzug, type RunnableMigration, type UmzugStorage } from 'umzug';
import { NxfError } from '../errors.js';
import type { Logger } from '../logger.js';
import type { Database } from './database.js';
import { migrationFilePattern, parseSqlMigration } from './sql-migration.js';

/**
 * What every migration receives. `transaction` is the one its changes must run in: the runner opens it, the
 * migration works in it, and the storage records the migration in it before committing, so a migration and
 * its record commit together or not at all.
 */
export interface MigrationContext {
  db: Database;
  /** Open transactions by migration name, between the migration running and its record being written. */
  pending: Map<string, Transaction>;
}

/** Signature of a `.js` migration's `up` and `down` exports. */
export type JsMigrationFn = (params: { db: Database; transaction: Transaction }) => Promise<void>;

/** A record table for executed migrations, scoped (e.g. to one module); the umzug storage contract on it. */
export interface MigrationLog {
  executed(db: Database): Promise<string[]>;
  record(db: Database, name: string, transaction: Transaction): Promise<void>;
  forget(db: Database, name: string, transaction: Transaction): Promise<void>;
}

/**
 * Runs one migration's work inside its transaction; a hook lets callers add checks around it (the module
 * system compares the catalog before and after).
 */
export type MigrationWrapper = (
  name: string,
  db: Database,
  transaction: Transaction,
  work: () => Promise<unknown>,
) => Promise<unknown>;

/** A migration as discovered, with the SQL of its Up section when it is a `.sql` file. */
export type DiscoveredMigration = RunnableMigration<MigrationContext> & { sql?: string; downSql?: string };

/**
 * Reads the migrations of `dir` in name order: `NNN_name.sql` always, `NNN_name.js` when `allowJs`.
 * `database` gives JS migrations a different view of the database (the module system checks their SQL).
 */
export async function discoverMigrations(
  dir: string,
  options: { allowJs: boolean; wrap?: MigrationWrapper; database?: (db: Database) => Database },
): Promise<DiscoveredMigration[]> {
  const wrap: MigrationWrapper = options.wrap ?? ((_name, _db, _transaction, work) => work());
  let entries: string[];
  try {
    entries = (await readdir(dir)).sort();
  } catch {
    return [];
  }
  const migrations: DiscoveredMigration[] = [];
  for (const file of entries) {
    const match = migrationFilePattern.exec(file);
    if (!match) continue;
    const filePath = path.join(dir, file);
    if (match[3] === 'sql') {
      const sql = parseSqlMigration(await readFile(filePath, 'utf8'), file);
      migrations.push({
        name: file,
        path: filePath,
        sql: sql.up,
        downSql: sql.down,
        up: inTransaction(file, (db, t) => wrap(file, db, t, () => db.execute(sql.up, [], t))),
        down: inTransaction(file, (db, t) =>
          wrap(file, db, t, async () => (sql.down ? db.execute(sql.down, [], t) : undefined)),
        ),
      });
    } else if (options.allowJs) {
      const loaded = await importJsMigration(filePath, file);
      const { up, down } = loaded;
      if (typeof up !== 'function') {
        throw new NxfError('NXF_MIGRATION_FORMAT', `${file}: a JS migration must export an async function up()`, {
          status: 400,
        });
      }
      const view = options.database ?? ((db: Database) => db);
      migrations.push({
        name: file,
        path: filePath,
        up: inTransaction(file, (db, t) => wrap(file, db, t, () => up({ db: view(db), transaction: t }))),
        down: inTransaction(file, (db, t) => wrap(file, db, t, async () => down?.({ db: view(db), transaction: t }))),
      });
    }
  }
  return migrations;
}

/** A JS migration's exports. @throws NxfError NXF_MIGRATION_LOAD when Node cannot load the file. */
async function importJsMigration(
  filePath: string,
  file: string,
): Promise<{ up?: JsMigrationFn; down?: JsMigrationFn }> {
  try {
    return (await import(pathToFileURL(filePath).href)) as { up?: JsMigrationFn; down?: JsMigrationFn };
  } catch (error) {
    throw new NxfError('NXF_MIGRATION_LOAD', `migration ${file} could not be loaded: ${(error as Error).message}`, {
      status: 400,
      cause: error,
    });
  }
}

/** Opens the migration's transaction and leaves it for the storage to commit once the record is written. */
function inTransaction(
  name: string,
  work: (db: Database, transaction: Transaction) => Promise<unknown> | undefined,
): (params: { context: MigrationContext }) => Promise<void> {
  return async ({ context }) => {
    const transaction = await context.db.sequelize.transaction();
    try {
      await work(context.db, transaction);
      context.pending.set(name, transaction);
    } catch (error) {
      await transaction.rollback();
      if (error instanceof NxfError) throw error;
      throw new NxfError('NXF_MIGRATION_FAILED', `migration ${name} failed: ${(error as Error).message}`, {
        status: 400,
        cause: error,
      });
    }
  };
}

/** Adapts a MigrationLog to umzug's storage contract, committing each migration's transaction with its record. */
function transactionalStorage(log: MigrationLog): UmzugStorage<MigrationContext> {
  const settle = async (
    name: string,
    context: MigrationContext,
    write: (transaction: Transaction) => Promise<void>,
  ): Promise<void> => {
    const transaction = context.pending.get(name);
    context.pending.delete(name);
    if (!transaction) throw new NxfError('NXF_MIGRATION_FAILED', `migration ${name} has no open transaction`);
    try {
      await write(transaction);
      await transaction.commit();
    } catch (error) {
      await transaction.rollback();
      throw error;
    }
  };
  return {
    executed: ({ context }) => log.executed(context.db),
    logMigration: ({ name, context }) => settle(name, context, (t) => log.record(context.db, name, t)),
    unlogMigration: ({ name, context }) => settle(name, context, (t) => log.forget(context.db, name, t)),
  };
}

/** An umzug migrator over the given migrations and record table. */
export function createMigrator(
  db: Database,
  migrations: DiscoveredMigration[],
  log: MigrationLog,
  logger?: Logger,
): Umzug<MigrationContext> {
  const context: MigrationContext = { db, pending: new Map() };
  return new Umzug<MigrationContext>({
    migrations,
    context,
    storage: transactionalStorage(log),
    logger: logger
      ? {
          info: (message) => logger.info(message, 'migration'),
          warn: (message) => logger.warn(message, 'migration'),
          error: (message) => logger.error(message, 'migration'),
          debug: (message) => logger.debug(message, 'migration'),
        }
      : undefined,
  });
}
