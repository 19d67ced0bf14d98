import { expect } from 'chai';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { Transaction } from 'sequelize';
import { migrateCore } from '../../src/db/core-migrations.js';
import { connectDatabase, type Database } from '../../src/db/database.js';
import { createMigrator, discoverMigrations, type MigrationLog } from '../../src/db/migration-runner.js';
import { parseSqlMigration } from '../../src/db/sql-migration.js';
import { NxfError } from '../../src/errors.js';
import { createTestDatabase, type TestDatabase } from '../helpers/postgres.js';

async function tableExists(db: Database, name: string): Promise<boolean> {
  const row = await db.one<{ found: string | null }>('SELECT to_regclass($1) AS found', [name]);
  return row?.found !== null;
}

/** A record table for the generic runner tests. */
const testLog: MigrationLog = {
  async executed(db) {
    await db.execute('CREATE TABLE IF NOT EXISTS test_migrations (name text PRIMARY KEY)');
    return (await db.select<{ name: string }>('SELECT name FROM test_migrations ORDER BY name')).map((r) => r.name);
  },
  async record(db, name, transaction: Transaction) {
    await db.execute('INSERT INTO test_migrations VALUES ($1)', [name], transaction);
  },
  async forget(db, name, transaction: Transaction) {
    await db.execute('DELETE FROM test_migrations WHERE name = $1', [name], transaction);
  },
};

describe('migrations', () => {
  let database: TestDatabase;
  let db: Database;

  beforeEach(async () => {
    database = await createTestDatabase({ migrated: false });
    db = await connectDatabase(database.url);
  });
  afterEach(async () => {
    await db.close();
    await database.drop();
  });

  it('applies the core migrations to an empty database, once', async () => {
    const applied = await migrateCore(db);
    expect(applied).to.include('001_users_and_sessions.sql');
    for (const table of ['users', 'sessions', 'api_tokens', 'login_failures', 'audit_log']) {
      expect(await tableExists(db, table), table).to.equal(true);
    }
    expect(await migrateCore(db)).to.deep.equal([]);
    const recorded = await db.select<{ name: string }>('SELECT name FROM core_migrations');
    expect(recorded.map((r) => r.name)).to.deep.equal(applied);
  });

  it('two processes migrating at once apply each migration once', async () => {
    const other = await connectDatabase(database.url);
    try {
      const [first, second] = await Promise.all([migrateCore(db), migrateCore(other)]);
      expect([...first, ...second].sort()).to.deep.equal(first.length > 0 ? first : second);
    } finally {
      await other.close();
    }
  });

  describe('runner', () => {
    let dir: string;
    beforeEach(async () => {
      dir = await mkdtemp(path.join(os.tmpdir(), 'nxf-migrations-'));
    });
    afterEach(() => rm(dir, { recursive: true, force: true }));

    const sql = (up: string, down: string) => `-- Up migration\n${up}\n-- Down migration\n${down}\n`;

    it('runs in name order, records each, and rolls back in reverse', async () => {
      await writeFile(
        path.join(dir, '002_second.sql'),
        sql('CREATE TABLE t_second (id int REFERENCES t_first);', 'DROP TABLE t_second;'),
      );
      await writeFile(
        path.join(dir, '001_first.sql'),
        sql('CREATE TABLE t_first (id int PRIMARY KEY);', 'DROP TABLE t_first;'),
      );
      await writeFile(path.join(dir, 'README.md'), 'not a migration');
      const migrator = createMigrator(db, await discoverMigrations(dir, { allowJs: false }), testLog);
      expect((await migrator.up()).map((m) => m.name)).to.deep.equal(['001_first.sql', '002_second.sql']);
      expect(await migrator.up()).to.deep.equal([]);
      await migrator.down({ to: 0 });
      expect(await tableExists(db, 't_first')).to.equal(false);
      expect(await testLog.executed(db)).to.deep.equal([]);
    });

    it('a migration failing halfway leaves neither its tables nor its record', async () => {
      await writeFile(path.join(dir, '001_good.sql'), sql('CREATE TABLE t_good (id int);', 'DROP TABLE t_good;'));
      await writeFile(
        path.join(dir, '002_bad.sql'),
        sql(
          'CREATE TABLE t_half (id int);\nINSERT INTO t_half VALUES (1);\nSELECT * FROM no_such_table;',
          'DROP TABLE t_half;',
        ),
      );
      const migrator = createMigrator(db, await discoverMigrations(dir, { allowJs: false }), testLog);
      const error = await migrator.up().then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(String((error as Error).message)).to.contain('no_such_table');
      expect(await tableExists(db, 't_good')).to.equal(true);
      expect(await tableExists(db, 't_half')).to.equal(false);
      expect(await testLog.executed(db)).to.deep.equal(['001_good.sql']);
    });

    it('runs .js migrations with up and down in the same transaction discipline', async () => {
      await writeFile(
        path.join(dir, '001_js.js'),
        `export async function up({ db, transaction }) { await db.execute('CREATE TABLE t_js (id int)', [], transaction); }
         export async function down({ db, transaction }) { await db.execute('DROP TABLE t_js', [], transaction); }`,
      );
      const migrator = createMigrator(db, await discoverMigrations(dir, { allowJs: true }), testLog);
      await migrator.up();
      expect(await tableExists(db, 't_js')).to.equal(true);
      await migrator.down({ to: 0 });
      expect(await tableExists(db, 't_js')).to.equal(false);
    });
  });
});

describe('SQL migration format', () => {
  it('splits the Up and Down sections', () => {
    const parsed = parseSqlMigration(
      '-- a comment\n-- Up migration\nCREATE TABLE x ();\n-- Down migration\nDROP TABLE x;\n',
      '001_x.sql',
    );
    expect(parsed).to.deep.equal({ up: 'CREATE TABLE x ();', down: 'DROP TABLE x;' });
  });

  for (const [label, text] of [
    ['no sections', 'CREATE TABLE x ();'],
    ['no down section', '-- Up migration\nCREATE TABLE x ();'],
    ['sections in the wrong order', '-- Down migration\nDROP TABLE x;\n-- Up migration\nCREATE TABLE x ();'],
    ['an empty up section', '-- Up migration\n\n-- Down migration\nDROP TABLE x;'],
  ] as const) {
    it(`refuses ${label} with NXF_MIGRATION_FORMAT naming the file`, () => {
      expect(() => parseSqlMigration(text, '007_broken.sql'))
        .to.throw(NxfError, /007_broken\.sql/)
        .with.property('code', 'NXF_MIGRATION_FORMAT');
    });
  }
});
