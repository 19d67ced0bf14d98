import path from 'node:path';
import type { Transaction } from 'sequelize';
import { Database, type Bind } from '../../db/database.js';
import { createMigrator, discoverMigrations, type MigrationLog } from '../../db/migration-runner.js';
import { NxfError } from '../../errors.js';
import type { ModuleManifest } from '../manifest/manifest-types.js';
import { guardCatalog } from './catalog-guard.js';
import { prefixViolations } from './sql-object-scan.js';

/** `module_migrations` rows of one module, as umzug's record of what ran. */
function moduleMigrationLog(moduleName: string): MigrationLog {
  return {
    async executed(db) {
      const rows = await db.select<{ migration_name: string }>(
        'SELECT migration_name FROM module_migrations WHERE module_name = $1 ORDER BY migration_name',
        [moduleName],
      );
      return rows.map((row) => row.migration_name);
    },
    async record(db, name, transaction: Transaction) {
      await db.execute(
        'INSERT INTO module_migrations (module_name, migration_name) VALUES ($1, $2)',
        [moduleName, name],
        transaction,
      );
    },
    async forget(db, name, transaction: Transaction) {
      await db.execute(
        'DELETE FROM module_migrations WHERE module_name = $1 AND migration_name = $2',
        [moduleName, name],
        transaction,
      );
    },
  };
}

/** The database as a JS migration sees it: every statement is checked against the module's prefix first. */
class PrefixCheckedDatabase extends Database {
  constructor(
    inner: Database,
    private readonly tablePrefix: string,
    private readonly adopts: readonly string[],
  ) {
    super(inner.sequelize, inner.url);
  }

  override async select<T extends object>(sql: string, bind: Bind = [], transaction?: Transaction): Promise<T[]> {
    this.check(sql);
    return super.select<T>(sql, bind, transaction);
  }

  override async execute(sql: string, bind: Bind = [], transaction?: Transaction): Promise<number> {
    this.check(sql);
    return super.execute(sql, bind, transaction);
  }

  private check(sql: string): void {
    const violations = prefixViolations(sql, this.tablePrefix, this.adopts);
    if (violations.length > 0) throw prefixError('a JS migration', violations);
  }
}

function prefixError(where: string, violations: string[]): NxfError {
  return new NxfError('NXF_MIGRATION_PREFIX', `${where} was refused: ${violations.join('; ')}`, {
    status: 400,
    details: violations,
  });
}

/**
 * Runs a migration's statements as the module's role (for this transaction only), then back as NxForge's user,
 * which records the migration in the core's `module_migrations`. A statement that fails aborts the transaction,
 * which undoes the SET LOCAL with everything else.
 */
async function asRole(
  db: Database,
  transaction: Transaction,
  role: string | undefined,
  work: () => Promise<unknown>,
): Promise<unknown> {
  if (!role) return work();
  await db.execute(`SET LOCAL ROLE "${role.replace(/"/g, '""')}"`, [], transaction);
  const result = await work();
  await db.execute('RESET ROLE', [], transaction);
  return result;
}

/** The error a migration threw, rather than umzug's wrapper around it. */
function unwrap(error: unknown): unknown {
  for (let current = error; current; current = (current as { cause?: unknown }).cause) {
    if (current instanceof NxfError) return current;
  }
  return error;
}

/**
 * A module's migrations: `NNN_name.sql` and `NNN_name.js` from its migrations folder, tracked in
 * `module_migrations`, each in its own transaction, every object checked against the module's `tablePrefix` —
 * statically for SQL before anything runs, and in the catalog for every migration as it runs.
 */
export class ModuleMigrator {
  private constructor(
    private readonly manifest: ModuleManifest,
    private readonly migrator: ReturnType<typeof createMigrator>,
    private readonly sqlByName: Map<string, string>,
  ) {}

  /**
   * @param options.role the module's database role (see src/db/module-roles.ts): each migration runs under it, so
   *   what it creates is the module's and it cannot touch the core's or another module's objects; undefined when
   *   isolation is off.
   */
  static async open(
    db: Database,
    moduleDir: string,
    manifest: ModuleManifest,
    options: { role?: string } = {},
  ): Promise<ModuleMigrator> {
    const prefix = manifest.tablePrefix;
    const adopts = manifest.adopts ?? [];
    const migrations = await discoverMigrations(path.resolve(moduleDir, manifest.migrations), {
      allowJs: true,
      wrap: (name, database, transaction, work) =>
        guardCatalog(
          database,
          transaction,
          prefix,
          name,
          () => asRole(database, transaction, options.role, work),
          adopts,
        ),
      database: (database) => new PrefixCheckedDatabase(database, prefix, adopts),
    });
    const sqlByName = new Map(migrations.filter((m) => m.sql).map((m) => [m.name, `${m.sql}\n${m.downSql ?? ''}`]));
    return new ModuleMigrator(manifest, createMigrator(db, migrations, moduleMigrationLog(manifest.name)), sqlByName);
  }

  /** Names of the migrations not applied yet. */
  async pending(): Promise<string[]> {
    return (await this.migrator.pending()).map((m) => m.name);
  }

  async executed(): Promise<string[]> {
    return (await this.migrator.executed()).map((m) => m.name);
  }

  /**
   * Applies the pending migrations in order; returns their names. Refuses before running anything when a
   * pending SQL migration names an object without the prefix.
   * @throws NxfError NXF_MIGRATION_PREFIX or NXF_MIGRATION_FAILED (the failing migration changed nothing).
   */
  async up(): Promise<string[]> {
    const violations = (await this.pending()).flatMap((name) =>
      prefixViolations(this.sqlByName.get(name) ?? '', this.manifest.tablePrefix, this.manifest.adopts).map(
        (v) => `${name}: ${v}`,
      ),
    );
    if (violations.length > 0) throw prefixError(`${this.manifest.name}'s migrations`, violations);
    try {
      return (await this.migrator.up()).map((m) => m.name);
    } catch (error) {
      throw unwrap(error);
    }
  }

  /** Reverts the named migrations, in the order given. */
  async revert(names: string[]): Promise<void> {
    if (names.length === 0) return;
    try {
      await this.migrator.down({ migrations: names });
    } catch (error) {
      throw unwrap(error);
    }
  }

  /**
   * Removes what is left of the module in the database after its migrations were reverted: the records of
   * migrations its current files do not know (from a newer version it had before), and any table, view,
   * sequence or type still named with its prefix. Prefixes are unique per module, so this touches nothing else.
   */
  async purgeLeftovers(db: Database): Promise<string[]> {
    const prefix = this.manifest.tablePrefix;
    const like = `${prefix.replace(/_/g, '\\_')}%`;
    const objects = await db.select<{ name: string; kind: string }>(
      `SELECT c.relname AS name, CASE c.relkind WHEN 'S' THEN 'SEQUENCE' WHEN 'v' THEN 'VIEW' WHEN 'm' THEN 'MATERIALIZED VIEW' ELSE 'TABLE' END AS kind
         FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
        WHERE n.nspname = 'public' AND c.relkind IN ('r', 'p', 'v', 'm', 'S') AND c.relname LIKE $1
       UNION ALL
       SELECT t.typname, 'TYPE' FROM pg_type t JOIN pg_namespace n ON n.oid = t.typnamespace
        WHERE n.nspname = 'public' AND t.typtype IN ('e', 'd', 'c', 'r') AND t.typrelid = 0 AND t.typname LIKE $1`,
      [like],
    );
    const dropped: string[] = [];
    for (const object of objects) {
      const exists = await db.one<{ found: boolean }>(
        `SELECT EXISTS (SELECT 1 FROM pg_class WHERE relname = $1 UNION ALL SELECT 1 FROM pg_type WHERE typname = $1) AS found`,
        [object.name],
      );
      if (!exists?.found) continue; // dropped along with an earlier object
      await db.execute(`DROP ${object.kind} IF EXISTS "${object.name.replace(/"/g, '""')}" CASCADE`);
      dropped.push(object.name);
    }
    await db.execute('DELETE FROM module_migrations WHERE module_name = $1', [this.manifest.name]);
    return dropped;
  }

  /** Reverts every applied migration, newest first. */
  async revertAll(): Promise<string[]> {
    try {
      return (await this.migrator.down({ to: 0 })).map((m) => m.name);
    } catch (error) {
      throw unwrap(error);
    }
  }
}
