import { expect } from 'chai';
import { existsSync } from 'node:fs';
import { randomUUID } from 'node:crypto';
import { mkdir, mkdtemp, readdir, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { copyModuleFixture, fixturePath, tableExists } from '../../helpers/modules.js';
import { startTestServer, type TestServer } from '../../helpers/server.js';
import { apiRequest, uploadModule } from '../../helpers/web-client.js';
import { buildZip, folderEntries, type RawZipEntry } from '../../helpers/zip-builder.js';

describe('installing modules from ZIP archives', () => {
  let server: TestServer;
  let token: string;
  let dummy: RawZipEntry[];
  /** Holds the data directory and nothing else, so that everything written around it can be listed. */
  let sandbox: string;
  /** Names the files unsafe entries try to write: unique to this run, so one found in the temp folder is ours. */
  const marker = `nxf-escaped-${randomUUID()}`;
  const modulesDir = () => path.join(server.dataDir, 'modules');
  const stagingDir = () => path.join(modulesDir(), '.staging');

  before(async () => {
    sandbox = await mkdtemp(path.join(os.tmpdir(), 'nxf-zip-sandbox-'));
    server = await startTestServer({
      dataDir: path.join(sandbox, 'data'),
      moduleLimits: { maxUploadBytes: 2 * 1024 * 1024, maxEntries: 50, maxUncompressedBytes: 4 * 1024 * 1024 },
    });
    token = (
      await server.services.apiTokens.create((await server.services.users.findForLogin('admin'))!.user.id, 'api')
    ).token;
    dummy = await folderEntries(fixturePath('dummy-module'));
    // The first upload creates it; made here so that every listing sees the same folders.
    await mkdir(stagingDir(), { recursive: true });
  });
  after(async () => {
    await server.close();
    await rm(sandbox, { recursive: true, force: true });
    // Only a broken installer leaves these; do not leave them behind either.
    for (const name of (await readdir(os.tmpdir())).filter((n) => n.includes(marker))) {
      await rm(path.join(os.tmpdir(), name), { force: true });
    }
  });

  /** Everything under the data dir's modules folder except staging, which must be empty. */
  async function installedFolders(): Promise<string[]> {
    if (!existsSync(modulesDir())) return [];
    if (existsSync(stagingDir())) expect(await readdir(stagingDir()), 'staging is cleaned').to.deep.equal([]);
    return (await readdir(modulesDir())).filter((name) => name !== '.staging');
  }

  /**
   * Every path in the sandbox (the data directory and what is around it) but the staging folder itself, and
   * the entries of the temp folder that carry this run's marker. Other processes write to the temp folder too,
   * so only names of our archives' making are compared there.
   */
  async function filesOutsideStaging(): Promise<{ sandbox: string[]; tmp: string[] }> {
    const staging = path.relative(sandbox, stagingDir());
    const all = (await readdir(sandbox, { recursive: true })).map(String);
    return {
      sandbox: all.filter((name) => name !== staging).sort(),
      tmp: (await readdir(os.tmpdir())).filter((name) => name.includes(marker)),
    };
  }

  async function refused(entries: RawZipEntry[] | Buffer, status: number, code: string, message?: RegExp) {
    const before = await filesOutsideStaging();
    expect(before.tmp).to.deep.equal([]);
    const response = await uploadModule(server.url, token, Buffer.isBuffer(entries) ? entries : buildZip(entries));
    expect(response.status, JSON.stringify(response.body)).to.equal(status);
    expect(response.body.error.code).to.equal(code);
    if (message) expect(response.body.error.message).to.match(message);
    expect(await filesOutsideStaging(), 'nothing written outside staging').to.deep.equal(before);
    if (existsSync(stagingDir())) expect(await readdir(stagingDir()), 'staging is cleaned').to.deep.equal([]);
    return response;
  }

  describe('refuses unsafe archives with a clear error, writing nothing outside staging', () => {
    it('zip-slip: entries climbing out with .. (to beside the data directory, and to the temp folder)', () =>
      refused(
        [
          ...dummy,
          { name: `../../../../${marker}.txt`, data: 'owned' },
          { name: `${'../'.repeat(12)}${os.tmpdir().slice(1)}/${marker}-deep.txt`, data: 'owned' },
        ],
        400,
        'NXF_ZIP_UNSAFE_PATH',
        /invalid relative path/,
      ));
    it('an absolute path', () =>
      refused(
        [...dummy, { name: path.join(os.tmpdir(), `${marker}-absolute.txt`), data: 'owned' }],
        400,
        'NXF_ZIP_UNSAFE_PATH',
        /absolute path/,
      ));
    it('a backslash path', () =>
      refused([...dummy, { name: `..\\..\\${marker}.txt`, data: 'owned' }], 400, 'NXF_ZIP_UNSAFE_PATH'));
    it('a symbolic link', () =>
      refused(
        [...dummy, { name: 'dist/link', data: '/etc/passwd', mode: 0o120777, deflate: false }],
        400,
        'NXF_ZIP_LINK',
      ));
    it('a device file', () =>
      refused([...dummy, { name: 'dist/disk', data: '', mode: 0o060644 }], 400, 'NXF_ZIP_SPECIAL_FILE'));
    it('a duplicate name', () => refused([...dummy, { name: 'manifest.JSON', data: '{}' }], 400, 'NXF_ZIP_DUPLICATE'));
    it('an encrypted entry', () =>
      refused([...dummy, { name: 'dist/secret.js', data: 'export {}', encrypted: true }], 400, 'NXF_ZIP_ENCRYPTED'));
    it('a zip bomb: more unpacked bytes than allowed', () =>
      refused(
        [...dummy, { name: 'dist/zeros.bin', data: Buffer.alloc(6 * 1024 * 1024) }],
        413,
        'NXF_ZIP_TOO_BIG',
        /more than 4 MB/,
      ));
    it('a zip bomb that lies about its size', () =>
      refused(
        [...dummy, { name: 'dist/liar.bin', data: Buffer.alloc(3 * 1024 * 1024), declaredSize: 10 }],
        400,
        'NXF_ZIP_INVALID',
      ));
    it('too many entries', () =>
      refused(
        [...dummy, ...Array.from({ length: 60 }, (_, i) => ({ name: `dist/f${i}.js`, data: '//' }))],
        413,
        'NXF_ZIP_TOO_BIG',
        new RegExp(`${dummy.length + 60} entries; at most 50`),
      ));
    it('an upload over the size limit', () =>
      refused(
        buildZip([
          ...dummy,
          {
            name: 'dist/random.bin',
            data: Buffer.from(Array.from({ length: 3 * 1024 * 1024 }, () => Math.floor(Math.random() * 256))),
            deflate: false,
          },
        ]),
        413,
        'NXF_UPLOAD_TOO_LARGE',
      ));
    it('no manifest at the root or in a single top folder', async () => {
      const nested = dummy.map((entry) => ({ ...entry, name: `a/b/${entry.name}` }));
      await refused(nested, 400, 'NXF_ZIP_NO_MANIFEST');
      await refused(
        [...dummy.map((e) => ({ ...e, name: `one/${e.name}` })), { name: 'two/readme.txt', data: 'x' }],
        400,
        'NXF_ZIP_NO_MANIFEST',
      );
    });
    it('a file that is not a ZIP, and a truncated ZIP', async () => {
      await refused(Buffer.from('this is a text file named module.zip'), 400, 'NXF_ZIP_INVALID', /not a ZIP archive/);
      const whole = buildZip(dummy);
      await refused(whole.subarray(0, Math.floor(whole.length / 2)), 400, 'NXF_ZIP_INVALID');
    });
    it('a request without a file', async () => {
      const response = await fetch(new URL('/api/v1/modules/install', server.url), {
        method: 'POST',
        headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
        body: '{}',
      });
      expect(response.status).to.equal(400);
    });
  });

  describe('refuses invalid modules, keeping the errors', () => {
    it('an invalid manifest ends as INVALID with the validation errors', async () => {
      const manifest = JSON.parse(dummy.find((e) => e.name === 'manifest.json')!.data!.toString()) as Record<
        string,
        unknown
      >;
      manifest.version = 'one';
      delete manifest.author;
      const entries = dummy.map((e) => (e.name === 'manifest.json' ? { ...e, data: JSON.stringify(manifest) } : e));
      const response = await refused(entries, 400, 'NXF_MODULE_INVALID');
      expect(response.body.error.message)
        .to.contain('version: must be a semantic version')
        .and.to.contain('author: is required');
      const record = await server.services.modules.store.get('dummy');
      expect(record).to.include({ status: 'INVALID' });
      expect(record?.errorDetails).to.deep.include({ field: 'author', message: 'is required' });
      const listed = await apiRequest(server.url, token, 'GET', '/api/v1/modules/dummy');
      expect((listed.body as any).module.status).to.equal('INVALID');
    });
    it('a missing entry file and a migration without the prefix', async () => {
      const entries = dummy
        .filter((e) => e.name !== 'dist/index.js')
        .concat({
          name: 'migrations/003_bad.sql',
          data: '-- Up migration\nCREATE TABLE naughty (x int);\n-- Down migration\nDROP TABLE naughty;',
        });
      const response = await refused(entries, 400, 'NXF_MODULE_INVALID');
      expect(response.body.error.message).to.contain('entry: ./dist/index.js is missing from the module');
      expect(response.body.error.message).to.contain('migrations/003_bad.sql: CREATE TABLE naughty');
    });
  });

  describe('the lifecycle through the API', () => {
    it('installs a valid archive (manifest in a single top folder) as INSTALLED', async () => {
      const response = await uploadModule(
        server.url,
        token,
        buildZip(dummy.map((e) => ({ ...e, name: `dummy-module/${e.name}` }))),
      );
      expect(response.status, JSON.stringify(response.body)).to.equal(201);
      expect(response.body).to.include({ status: 'INSTALLED', name: 'dummy', version: '1.0.0' });
      expect(response.body.moduleId).to.match(/^[0-9a-f-]{36}$/);
      expect(await installedFolders()).to.deep.equal(['dummy@1.0.0']);
    });

    it('lists modules and shows one with its manifest', async () => {
      const list = (await apiRequest(server.url, token, 'GET', '/api/v1/modules')).body as any;
      expect(list.modules.map((m: any) => [m.name, m.status])).to.deep.equal([['dummy', 'INSTALLED']]);
      const one = (await apiRequest(server.url, token, 'GET', '/api/v1/modules/dummy')).body as any;
      expect(one.module).to.include({ name: 'dummy', displayName: 'Dummy module', enabled: false, mounted: false });
      expect(one.manifest.tablePrefix).to.equal('dm_');
      expect((await apiRequest(server.url, token, 'GET', '/api/v1/modules/nope')).status).to.equal(404);
    });

    it('enables and disables', async () => {
      expect(await apiRequest(server.url, token, 'POST', '/api/v1/modules/dummy/enable')).to.deep.equal({
        status: 200,
        body: { status: 'ENABLED' },
      });
      await apiRequest(server.url, token, 'POST', '/api/v1/m/dummy/items', { name: 'kept across upgrades' });
      expect(await apiRequest(server.url, token, 'POST', '/api/v1/modules/dummy/disable')).to.deep.equal({
        status: 200,
        body: { status: 'DISABLED' },
      });
      expect((await apiRequest(server.url, token, 'POST', '/api/v1/modules/nope/enable')).status).to.equal(404);
    });

    it('refuses the same or a lower version with 409 unless forced', async () => {
      const again = await uploadModule(server.url, token, buildZip(dummy));
      expect(again.status).to.equal(409);
      expect(again.body.error.code).to.equal('NXF_MODULE_VERSION');
      const forced = await uploadModule(server.url, token, buildZip(dummy), { force: true });
      expect(forced.status, JSON.stringify(forced.body)).to.equal(201);
      expect(await installedFolders()).to.deep.equal(['dummy@1.0.0-2']);
    });

    it('upgrades to a higher version: data kept, only the new migration applied, old files removed', async () => {
      await apiRequest(server.url, token, 'POST', '/api/v1/modules/dummy/enable');
      const upgraded = await copyModuleFixture({
        manifest: (m) => (m.version = '1.1.0'),
        files: {
          'migrations/003_add_colour.sql':
            '-- Up migration\nALTER TABLE dm_item ADD COLUMN colour text;\n-- Down migration\nALTER TABLE dm_item DROP COLUMN colour;\n',
        },
      });
      try {
        const response = await uploadModule(server.url, token, buildZip(await folderEntries(upgraded.dir)));
        expect(response.status, JSON.stringify(response.body)).to.equal(201);
        expect(response.body).to.include({ version: '1.1.0', status: 'ENABLED', upgradedFrom: '1.0.0' });
      } finally {
        await upgraded.remove();
      }
      const items = (await apiRequest(server.url, token, 'GET', '/api/v1/m/dummy/items')).body as any;
      expect(items.items.map((i: any) => i.name)).to.deep.equal(['kept across upgrades']);
      const migrations = await server.services.db.select<{ migration_name: string }>(
        "SELECT migration_name FROM module_migrations WHERE module_name = 'dummy' ORDER BY applied_at, migration_name",
      );
      expect(migrations.map((m) => m.migration_name)).to.deep.equal([
        '001_create_items.sql',
        '002_add_notes.js',
        '003_adopt_legacy_notes.sql',
        '003_add_colour.sql',
      ]);
      expect(await installedFolders()).to.deep.equal(['dummy@1.1.0']);
    });

    it('puts the previous version back when the new one fails to load, undoing its migrations', async () => {
      const broken = await copyModuleFixture({
        manifest: (m) => (m.version = '1.2.0'),
        files: {
          'migrations/003_add_colour.sql':
            '-- Up migration\nALTER TABLE dm_item ADD COLUMN colour text;\n-- Down migration\nALTER TABLE dm_item DROP COLUMN colour;\n',
          'migrations/004_add_extra.sql':
            '-- Up migration\nCREATE TABLE dm_extra (id int);\n-- Down migration\nDROP TABLE dm_extra;\n',
          'dist/index.js': "export default async function setup() { throw new Error('1.2.0 cannot start'); }\n",
        },
      });
      try {
        const response = await uploadModule(server.url, token, buildZip(await folderEntries(broken.dir)));
        expect(response.status, JSON.stringify(response.body)).to.be.at.least(400);
        expect(response.body.error).to.include({
          code: 'NXF_MODULE_SETUP_FAILED',
          message: 'dummy: setup() failed: 1.2.0 cannot start',
        });
      } finally {
        await broken.remove();
      }
      // 1.1.0 is back, enabled, serving its data from its own folder; 1.2.0's migration was rolled back.
      const record = await server.services.modules.store.get('dummy');
      expect(record).to.include({ version: '1.1.0', status: 'ENABLED', enabled: true });
      expect(record?.error).to.equal('dummy: setup() failed: 1.2.0 cannot start');
      expect(server.services.modules.registry.get('dummy')?.manifest.version).to.equal('1.1.0');
      const items = (await apiRequest(server.url, token, 'GET', '/api/v1/m/dummy/items')).body as any;
      expect(items.items.map((i: any) => i.name)).to.deep.equal(['kept across upgrades']);
      expect(await tableExists(server, 'dm_extra')).to.equal(false);
      const migrations = await server.services.db.select<{ migration_name: string }>(
        "SELECT migration_name FROM module_migrations WHERE module_name = 'dummy' ORDER BY migration_name",
      );
      expect(migrations.map((m) => m.migration_name)).to.not.include('004_add_extra.sql');
      expect(await installedFolders()).to.deep.equal(['dummy@1.1.0']);
      const log = await server.services.modules.logs.list('dummy', { limit: 10 });
      expect(log.map((entry) => entry.message)).to.include(
        'upgrade to 1.2.0 failed: dummy: setup() failed: 1.2.0 cannot start',
      );
    });

    it('returns the module log, newest first and paged', async () => {
      const page = (await apiRequest(server.url, token, 'GET', '/api/v1/modules/dummy/logs?limit=3')).body as any;
      expect(page.logs).to.have.length(3);
      expect(new Date(page.logs[0].at) >= new Date(page.logs[2].at)).to.equal(true);
      const all = (await apiRequest(server.url, token, 'GET', '/api/v1/modules/dummy/logs?limit=100')).body as any;
      const messages = all.logs.map((l: any) => l.message);
      expect(messages).to.include('INSTALLED → ENABLED').and.to.include('upgraded 1.0.0 → 1.1.0: ENABLED');
      expect(all.logs.find((l: any) => l.message === 'INSTALLED → ENABLED').actor).to.equal('admin');
    });

    it('refuses to uninstall an enabled module; uninstalls a disabled one keeping its data', async () => {
      expect((await apiRequest(server.url, token, 'DELETE', '/api/v1/modules/dummy')).status).to.equal(409);
      await apiRequest(server.url, token, 'POST', '/api/v1/modules/dummy/disable');
      expect(await apiRequest(server.url, token, 'DELETE', '/api/v1/modules/dummy')).to.deep.equal({
        status: 200,
        body: { status: 'UNINSTALLED', purged: false },
      });
      expect(await tableExists(server, 'dm_item')).to.equal(true);
      expect(await installedFolders()).to.deep.equal([]);
      expect((await apiRequest(server.url, token, 'GET', '/api/v1/modules/dummy')).status).to.equal(404);
    });

    it('reinstalling brings the data back; purge removes what the module owned and nothing else', async () => {
      await server.services.db.execute('CREATE TABLE dummy_lookalike (x int)'); // not the module's: no dm_ prefix
      expect((await uploadModule(server.url, token, buildZip(dummy))).status).to.equal(201);
      await apiRequest(server.url, token, 'POST', '/api/v1/modules/dummy/enable');
      const items = (await apiRequest(server.url, token, 'GET', '/api/v1/m/dummy/items')).body as any;
      expect(items.items).to.have.length(1);
      await server.services.modules.saveSettings('dummy', { greeting: 'x' }, { name: 'test' });
      await server.services.toolkit.storage
        .forModule('dummy', { writable: true })
        .saveFile('exports/report.csv', 'a,b');
      await server.services.toolkit.storage.forModule('other-module', { writable: true }).saveFile('keep.txt', 'mine');
      await apiRequest(server.url, token, 'POST', '/api/v1/modules/dummy/disable');
      const purged = await apiRequest(server.url, token, 'DELETE', '/api/v1/modules/dummy?purge=true');
      expect(purged.body).to.deep.equal({ status: 'UNINSTALLED', purged: true });
      expect(await tableExists(server, 'dm_item')).to.equal(false);
      for (const table of ['module_migrations', 'module_settings', 'module_logs']) {
        const left = await server.services.db.select(`SELECT * FROM ${table} WHERE module_name = 'dummy'`);
        expect(left, table).to.deep.equal([]);
      }
      expect(existsSync(path.join(server.services.toolkit.storage.root, 'dummy'))).to.equal(false);
      expect(existsSync(path.join(server.services.toolkit.storage.root, 'other-module', 'keep.txt'))).to.equal(true);
      expect(await tableExists(server, 'dummy_lookalike')).to.equal(true);
      expect(await tableExists(server, 'users')).to.equal(true);
    });

    it('writes every lifecycle action to the audit log', async () => {
      const audit = await server.services.audit.query({ action: 'module.', limit: 100 });
      const actions = new Set(audit.map((entry) => `${entry.action}:${entry.outcome}`));
      for (const expected of [
        'module.install:success',
        'module.install:failure',
        'module.enable:success',
        'module.disable:success',
        'module.uninstall:success',
        'module.uninstall_purge:success',
        'module.uninstall:failure',
      ]) {
        expect(actions.has(expected), expected).to.equal(true);
      }
    });

    it('is for administrators only', async () => {
      await server.services.users.create({ username: 'op', password: 'operator-pass-1', role: 'operator' });
      const operatorToken = (
        await server.services.apiTokens.create((await server.services.users.findForLogin('op'))!.user.id, 'op')
      ).token;
      expect((await apiRequest(server.url, operatorToken, 'GET', '/api/v1/modules')).status).to.equal(403);
      expect((await uploadModule(server.url, operatorToken, buildZip(dummy))).status).to.equal(403);
    });
  });

  describe('concurrent uploads', () => {
    it('two uploads of the same new module at once: one installs, the other is refused', async () => {
      await server.services.installer.uninstall('dummy', { name: 'test' }, { purge: true }).catch(() => undefined);
      const zip = buildZip(dummy);
      const [a, b] = await Promise.all([uploadModule(server.url, token, zip), uploadModule(server.url, token, zip)]);
      expect([a.status, b.status].sort()).to.deep.equal([201, 409]);
    });
  });
});
