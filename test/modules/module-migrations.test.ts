import { expect } from 'chai';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { connectDatabase, type Database } from '../../src/db/database.js';
import { NxfError } from '../../src/errors.js';
import type { ModuleManifest } from '../../src/modules/manifest/manifest-types.js';
import { ModuleMigrator } from '../../src/modules/migrations/module-migrator.js';
import { prefixViolations } from '../../src/modules/migrations/sql-object-scan.js';
import { copyMinimalModule } from '../helpers/modules.js';
import { createTestDatabase, type TestDatabase } from '../helpers/postgres.js';

const sql = (up: string, down = '') => `-- Up migration\n${up}\n-- Down migration\n${down}\n`;

describe('module migrations', () => {
  let database: TestDatabase;
  let db: Database;
  const removals: Array<() => Promise<void>> = [];

  beforeEach(async () => {
    database = await createTestDatabase();
    db = await connectDatabase(database.url);
  });
  afterEach(async () => {
    await db.close();
    await database.drop();
    await Promise.all(removals.splice(0).map((remove) => remove()));
  });

  /** A copy of the minimal module (prefix `mig_`) with the given migration files. */
  async function moduleWith(
    files: Record<string, string>,
  ): Promise<{ dir: string; manifest: ModuleManifest; migrator: ModuleMigrator }> {
    const copy = await copyMinimalModule('mig', {
      files: Object.fromEntries(Object.entries(files).map(([name, text]) => [`migrations/${name}`, text])),
    });
    removals.push(copy.remove);
    const manifest = JSON.parse(await readFile(path.join(copy.dir, 'manifest.json'), 'utf8')) as ModuleManifest;
    return { dir: copy.dir, manifest, migrator: await ModuleMigrator.open(db, copy.dir, manifest) };
  }

  const exists = async (table: string) =>
    (await db.one<{ t: string | null }>('SELECT to_regclass($1) AS t', [table]))?.t !== null;
  const recorded = async () =>
    (
      await db.select<{ migration_name: string }>(
        "SELECT migration_name FROM module_migrations WHERE module_name = 'mig' ORDER BY 1",
      )
    ).map((r) => r.migration_name);

  it('applies in order once, rolls back in reverse, and applies again', async () => {
    const { migrator } = await moduleWith({
      '001_first.sql': sql('CREATE TABLE mig_a (id int PRIMARY KEY);', 'DROP TABLE mig_a;'),
      '002_second.sql': sql(
        'CREATE TABLE mig_b (a int REFERENCES mig_a);\nCREATE INDEX mig_b_a ON mig_b (a);',
        'DROP TABLE mig_b;',
      ),
      '003_third.js':
        "export async function up({ db, transaction }) { await db.execute('ALTER TABLE mig_a ADD COLUMN note text', [], transaction); }\nexport async function down({ db, transaction }) { await db.execute('ALTER TABLE mig_a DROP COLUMN note', [], transaction); }\n",
    });
    expect(await migrator.up()).to.deep.equal(['001_first.sql', '002_second.sql', '003_third.js']);
    expect(await migrator.up(), 'running again applies nothing').to.deep.equal([]);
    expect(await recorded()).to.deep.equal(['001_first.sql', '002_second.sql', '003_third.js']);
    expect(await migrator.revertAll()).to.deep.equal(['003_third.js', '002_second.sql', '001_first.sql']);
    expect(await exists('mig_a')).to.equal(false);
    expect(await recorded()).to.deep.equal([]);
    expect(await migrator.up()).to.have.length(3);
    expect(await exists('mig_b')).to.equal(true);
  });

  it('a migration failing halfway leaves no table and no module_migrations row behind', async () => {
    const { migrator } = await moduleWith({
      '001_ok.sql': sql('CREATE TABLE mig_ok (id int);', 'DROP TABLE mig_ok;'),
      '002_broken.sql': sql(
        "CREATE TABLE mig_half (id int);\nINSERT INTO mig_half VALUES (1);\nINSERT INTO mig_half VALUES ('not a number');",
        'DROP TABLE mig_half;',
      ),
    });
    const error = await migrator.up().catch((e: unknown) => e);
    expect(error).to.be.instanceOf(NxfError).with.property('code', 'NXF_MIGRATION_FAILED');
    expect((error as Error).message)
      .to.contain('002_broken.sql')
      .and.to.contain('invalid input syntax for type integer');
    expect(await exists('mig_half')).to.equal(false);
    expect(await recorded()).to.deep.equal(['001_ok.sql']);
  });

  it('refuses, before running anything, SQL that creates objects without the prefix', async () => {
    const { migrator } = await moduleWith({
      '001_fine.sql': sql('CREATE TABLE mig_fine (id int);', 'DROP TABLE mig_fine;'),
      '002_bad.sql': sql(
        "CREATE TABLE readings (id int);\nCREATE INDEX readings_idx ON mig_fine (id);\nCREATE TYPE kind AS ENUM ('a');\nCREATE SEQUENCE counter;",
      ),
    });
    const error = (await migrator.up().catch((e: unknown) => e)) as NxfError;
    expect(error.code).to.equal('NXF_MIGRATION_PREFIX');
    expect(error.details).to.deep.equal([
      '002_bad.sql: CREATE TABLE readings: the name must start with the module\'s table prefix "mig_"',
      '002_bad.sql: CREATE INDEX readings_idx: the name must start with the module\'s table prefix "mig_"',
      '002_bad.sql: CREATE SEQUENCE counter: the name must start with the module\'s table prefix "mig_"',
      '002_bad.sql: CREATE TYPE kind: the name must start with the module\'s table prefix "mig_"',
    ]);
    expect(await exists('mig_fine'), 'nothing ran').to.equal(false);
  });

  it("refuses a migration touching another module's or the core's tables", async () => {
    const { migrator } = await moduleWith({
      '001_meddle.sql': sql("ALTER TABLE cm_reading ADD COLUMN x int;\nUPDATE users SET role = 'admin';"),
    });
    const error = (await migrator.up().catch((e: unknown) => e)) as NxfError;
    expect(error.code).to.equal('NXF_MIGRATION_PREFIX');
    expect(error.message).to.contain('ALTER cm_reading').and.to.contain('UPDATE users');
  });

  it('catches what the text does not show: a DO block and a JS migration', async () => {
    const block = await moduleWith({
      '001_block.sql': sql("DO $$ BEGIN EXECUTE 'CREATE TABLE sneaky (id int)'; END $$;"),
    });
    const blockError = (await block.migrator.up().catch((e: unknown) => e)) as NxfError;
    expect(blockError.code, blockError.message).to.equal('NXF_MIGRATION_PREFIX');
    expect(blockError.message).to.contain('created sneaky');
    expect(await exists('sneaky')).to.equal(false);
  });

  it('checks every statement a JS migration runs', async () => {
    const js = await moduleWith({
      '001_js.js':
        "export async function up({ db, transaction }) { await db.execute('CREATE TABLE plain (id int)', [], transaction); }\n",
    });
    const error = (await js.migrator.up().catch((e: unknown) => e)) as NxfError;
    expect(error.code).to.equal('NXF_MIGRATION_PREFIX');
    expect(error.message).to.contain('CREATE TABLE plain');
    expect(await exists('plain')).to.equal(false);
    expect(await recorded()).to.deep.equal([]);
  });

  it('reads past comments and string literals', () => {
    const text =
      "-- CREATE TABLE in_comment (x int)\n/* CREATE TABLE in_block */\nINSERT INTO mig_log VALUES ('CREATE TABLE in_string');";
    expect(prefixViolations(text, 'mig_')).to.deep.equal([]);
  });
});
