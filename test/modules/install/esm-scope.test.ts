import { expect } from 'chai';
import { cp, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { isNxfError } from '../../../src/errors.js';
import { fixturePath, tableExists, testActor } from '../../helpers/modules.js';
import { startTestServer, type TestServer } from '../../helpers/server.js';
import { buildZip, folderEntries } from '../../helpers/zip-builder.js';

/** The columns of a table, by name. */
async function columns(server: TestServer, table: string): Promise<string[]> {
  const rows = await server.services.db.select<{ column_name: string }>(
    'SELECT column_name FROM information_schema.columns WHERE table_name = $1 ORDER BY column_name',
    [table],
  );
  return rows.map((row) => row.column_name);
}

describe("an installed module's JavaScript is read as ES modules wherever the data directory lies", () => {
  let hostile: string;
  let server: TestServer;

  before(async () => {
    // A folder whose package.json says CommonJS, as a home or /srv may have; the data directory lies inside it.
    hostile = await mkdtemp(path.join(os.tmpdir(), 'nxf-commonjs-parent-'));
    await writeFile(path.join(hostile, 'package.json'), JSON.stringify({ type: 'commonjs' }));
    server = await startTestServer({ dataDir: path.join(hostile, 'data') });
  });
  after(async () => {
    await server?.close();
    await rm(hostile, { recursive: true, force: true });
  });

  it('a ZIP without a package.json gets one saying "type": "module", so its entry and JS migration load', async () => {
    const zip = path.join(hostile, 'dummy.zip');
    await writeFile(zip, buildZip(await folderEntries(fixturePath('dummy-module'))));
    const { record } = await server.services.installer.installZip(zip, { actor: testActor });
    expect(JSON.parse(await readFile(path.join(record.directory, 'package.json'), 'utf8'))).to.include({
      type: 'module',
    });
    await server.services.modules.enable('dummy', testActor);
    // 002_add_notes.js is ESM (`export async function up`): it ran, so Node read it as a module.
    expect(await columns(server, 'dm_item')).to.include('notes');
    expect(server.services.modules.registry.get('dummy')).to.not.equal(undefined);
  });

  it('without that declaration the same files fail to load, and the error names the migration', async () => {
    // What an install looked like before: the module's folder under the CommonJS parent, no package.json.
    const folder = path.join(hostile, 'data', 'by-hand', 'dummy');
    await cp(fixturePath('dummy-module'), folder, { recursive: true });
    await server.services.modules.disable('dummy', testActor);
    await server.services.modules.uninstall('dummy', testActor, { purge: true });
    await server.services.modules.installFromDirectory(folder, 'installed', testActor);
    const failure = await server.services.modules.enable('dummy', testActor).then(
      () => undefined,
      (error: unknown) => error,
    );
    expect(isNxfError(failure, 'NXF_MIGRATION_LOAD'), String(failure)).to.equal(true);
    expect((failure as Error).message).to.match(/^migration 002_add_notes\.js could not be loaded: /);
    const { record } = await server.services.modules.get('dummy');
    expect(record.error).to.match(/^migration 002_add_notes\.js could not be loaded/);
    expect(await tableExists(server, 'dm_item'), 'none of its migrations was applied').to.equal(false);
  });
});
