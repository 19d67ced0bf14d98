import { expect } from 'chai';
import { existsSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { defaultZipLimits, inspectZip } from '../../src/modules/install/zip-archive.js';
import { runCli } from '../helpers/cli.js';
import { runJob } from '../helpers/jobs.js';
import { createTestDatabase, type TestDatabase } from '../helpers/postgres.js';
import { startTestServer, testAdminPassword } from '../helpers/server.js';
import { WebClient } from '../helpers/web-client.js';

/** Names in a ZIP archive. */
async function zipNames(file: string): Promise<string[]> {
  return (await inspectZip(file, defaultZipLimits)).map((entry) => entry.name).sort();
}

describe("nxforge module: the author's workflow", function () {
  this.timeout(60_000);
  let work: string;
  let database: TestDatabase;
  let dataDir: string;

  before(async () => {
    work = await mkdtemp(path.join(os.tmpdir(), 'nxf-author-'));
    dataDir = await mkdtemp(path.join(os.tmpdir(), 'nxf-author-data-'));
    database = await createTestDatabase();
  });
  after(async () => {
    await rm(work, { recursive: true, force: true });
    await rm(dataDir, { recursive: true, force: true });
    await database.drop();
  });

  const env = () => ({
    DATABASE_URL: database.url,
    NXFORGE_DATA_DIR: dataDir,
    NXFORGE_SECRET: 'x'.repeat(40),
    NXFORGE_ADMIN_PASSWORD: testAdminPassword,
  });

  const cli = (...args: string[]) => runCli(args, env());

  it('new scaffolds a module; validate says what is missing before it is built', async () => {
    const created = await runCli(['module', 'new', 'rack-notes', '--dir', work], {});
    expect(created.code, created.stderr).to.equal(0);
    for (const file of [
      'manifest.json',
      'src/index.ts',
      'src/jobs/count-notes.ts',
      'views/home.eta',
      'migrations/001_create_rnx_note.sql',
      'test/greeting.test.mjs',
      'tsconfig.json',
    ]) {
      expect(existsSync(path.join(work, 'rack-notes', file)), file).to.equal(true);
    }
    const unbuilt = await runCli(['module', 'validate', path.join(work, 'rack-notes')], {});
    expect(unbuilt.code).to.equal(1);
    expect(unbuilt.stderr)
      .to.contain('entry: ./dist/index.js is missing')
      .and.to.contain('built from src/ by `nxforge module pack`');
    expect((await runCli(['module', 'new', 'Not_Kebab', '--dir', work], {})).stderr).to.contain('is not a module name');
  });

  it('pack compiles it and writes a ZIP with only what the module needs, which validates', async () => {
    const packed = await runCli(['module', 'pack', path.join(work, 'rack-notes'), '--out', work], {});
    expect(packed.code, packed.stderr).to.equal(0);
    const zip = path.join(work, 'rack-notes-0.1.0.zip');
    expect(await zipNames(zip)).to.deep.equal([
      'README.md',
      'dist/greeting.js',
      'dist/index.js',
      'dist/jobs/count-notes.js',
      'manifest.json',
      'migrations/001_create_rnx_note.sql',
      'package.json',
      'views/home.eta',
    ]);
    const checked = await runCli(['module', 'validate', zip], {});
    expect(checked.stdout.trim()).to.equal('rack-notes 0.1.0 is a valid module.');
  });

  it('the scaffolded test passes against the built module', async () => {
    const { spawnSync } = await import('node:child_process');
    const result = spawnSync(process.execPath, ['--test', path.join(work, 'rack-notes', 'test')], { encoding: 'utf8' });
    expect(result.status, result.stdout + result.stderr).to.equal(0);
    expect(result.stdout).to.match(/# pass 2/);
  });

  it('pack refuses a module that does not compile or is invalid', async () => {
    await writeFile(path.join(work, 'rack-notes', 'src', 'broken.ts'), 'export const x: number = "text";\n');
    const broken = await runCli(['module', 'pack', path.join(work, 'rack-notes'), '--out', work], {});
    expect(broken.code).to.equal(1);
    expect(broken.stderr)
      .to.contain('NXF_MODULE_BUILD')
      .and.to.contain("Type 'string' is not assignable to type 'number'");
    await rm(path.join(work, 'rack-notes', 'src', 'broken.ts'));
  });

  it('install puts it into the data directory and database; --enable enables it; a server then serves it', async () => {
    const installed = await cli('module', 'install', path.join(work, 'rack-notes-0.1.0.zip'), '--enable');
    expect(installed.code, installed.stderr).to.equal(0);
    expect(installed.stdout).to.contain('Installed rack-notes 0.1.0.').and.to.contain('Enabled rack-notes.');
    expect(existsSync(path.join(dataDir, 'modules', 'rack-notes@0.1.0', 'dist', 'index.js'))).to.equal(true);

    const again = await cli('module', 'install', path.join(work, 'rack-notes-0.1.0.zip'));
    expect(again.code).to.equal(1);
    expect(again.stderr).to.contain('NXF_MODULE_VERSION');
    // --force installs the same version again: new files in a folder of their own, the state kept.
    const forced = await cli('module', 'install', path.join(work, 'rack-notes-0.1.0.zip'), '--force');
    expect(forced.code, forced.stderr).to.equal(0);
    expect(forced.stdout).to.contain('Upgraded rack-notes 0.1.0 → 0.1.0.');
    expect(existsSync(path.join(dataDir, 'modules', 'rack-notes@0.1.0-2', 'dist', 'index.js'))).to.equal(true);
    expect(existsSync(path.join(dataDir, 'modules', 'rack-notes@0.1.0'))).to.equal(false);

    const server = await startTestServer({ database, dataDir });
    try {
      const client = new WebClient(server.url);
      await client.login('admin', testAdminPassword);
      const page = await client.get('/rack-notes');
      expect(page.status).to.equal(200);
      expect(page.text).to.contain('Hello, admin.').and.to.contain('No notes yet.');
      await client.post('/rack-notes/notes', { text: 'rack R7: new PDU' });
      const run = await runJob(server, 'rack-notes', 'count-notes');
      expect(run.status, run.error ?? '').to.equal('succeeded');
      expect(run.result).to.deep.include({ data: { count: 1 } });
    } finally {
      await server.close({ keep: true });
    }
  });

  it('validate reports an invalid archive with its problems and exit code 1', async () => {
    const bad = path.join(work, 'bad.zip');
    await writeFile(bad, 'not a zip');
    const result = await runCli(['module', 'validate', bad], {});
    expect(result.code).to.equal(1);
    expect(result.stderr).to.contain('NXF_ZIP_INVALID');
  });
});
