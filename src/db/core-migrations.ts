import type { Transaction } from 'sequelize';
import type { Logger } from '../logger.js';
import { corePaths } from '../paths.js';
import { withAdvisoryLock } from './advisory-lock.js';
import type { Database } from './database.js';
import { createMigrator, discoverMigrations, type MigrationLog } from './migration-runner.js';

/** Record table of the core's own migrations (modules have theirs in `module_migrations`). */
const coreMigrationLog: MigrationLog = {
  async executed(db) {
    await db.execute(
      `CREATE TABLE IF NOT EXISTS core_migrations (
         name text PRIMARY KEY,
         applied_at timestamptz NOT NULL DEFAULT now())`,
    );
    const rows = await db.select<{ name: string }>('SELECT name FROM core_migrations ORDER BY name');
    return rows.map((row) => row.name);
  },
  async record(db, name, transaction: Transaction) {
    await db.execute('INSERT INTO core_migrations (name) VALUES ($1)', [name], transaction);
  },
  async forget(db, name, transaction: Transaction) {
    await db.execute('DELETE FROM core_migrations WHERE name = $1', [name], transaction);
  },
};

/**
 * Applies the pending core migrations from `migrations/`, one transaction each, under an advisory lock so two
 * processes starting together do not race. Returns the names applied.
 */
export async function migrateCore(db: Database, logger?: Logger): Promise<string[]> {
  const migrations = await discoverMigrations(corePaths.migrations, { allowJs: false });
  const migrator = createMigrator(db, migrations, coreMigrationLog, logger);
  return withAdvisoryLock(db.url, 'nxforge:core-migrations', async () => {
    const applied = await migrator.up();
    return applied.map((migration) => migration.name);
  });
}
