import { expect } from 'chai';
import { cp, mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { copyMinimalModule, fixturePath, installAndEnable, testActor } from '../helpers/modules.js';
import { startTestServer, testAdminPassword, type TestServer } from '../helpers/server.js';
import { WebClient } from '../helpers/web-client.js';
import { buildZip, folderEntries } from '../helpers/zip-builder.js';

describe('Modules administration pages', () => {
  let server: TestServer;
  let bundled: string;
  let admin: WebClient;
  let operator: WebClient;
  const htmx = { 'HX-Request': 'true', 'HX-Request-Type': 'partial' };

  before(async () => {
    bundled = await mkdtemp(path.join(os.tmpdir(), 'nxf-bundled-'));
    const shipped = await copyMinimalModule('shipped');
    await cp(shipped.dir, path.join(bundled, 'shipped'), { recursive: true });
    await shipped.remove();
    server = await startTestServer({ bundledModulesDir: bundled });
    admin = new WebClient(server.url);
    await admin.login('admin', testAdminPassword);
    await server.services.users.create({ username: 'oscar', password: 'oscar-password-1', role: 'operator' });
    operator = new WebClient(server.url);
    await operator.login('oscar', 'oscar-password-1');
  });
  after(async () => {
    await server.close();
    await rm(bundled, { recursive: true, force: true });
  });

  const dummyZip = async () => buildZip(await folderEntries(fixturePath('dummy-module')));

  it('uploads a module with htmx: a message, the form again and the refreshed rows', async () => {
    await admin.get('/admin/modules');
    const response = await admin.postFile(
      '/admin/modules/upload',
      { field: 'file', name: 'dummy.zip', content: await dummyZip() },
      { csrf: 'header', headers: htmx },
    );
    expect(response.status, response.text).to.equal(200);
    expect(response.text).to.contain('<form id="module-upload"');
    expect(response.text).to.match(/<hx-partial hx-target="#module-rows" hx-swap="innerHTML">[\s\S]*id="module-dummy"/);
    expect(response.text).to.contain('dummy 1.0.0 is installed. Enable it to use it.');
  });

  it('shows upload validation errors inline, also without JavaScript (token in the form action)', async () => {
    const zip = buildZip([{ name: 'manifest.json', data: '{"name": "broken-one", "version": "x"}' }]);
    const response = await admin.postFile('/admin/modules/upload', { field: 'file', name: 'broken.zip', content: zip });
    expect(response.status).to.equal(400);
    expect(response.text).to.contain('<html');
    expect(response.text).to.match(/<div id="upload-errors" class="flash flash-error" role="alert">/);
    expect(response.text).to.contain('<code>version</code> must be a semantic version');
    expect(response.text).to.contain('<code>author</code> is required');
    const list = await admin.get('/admin/modules');
    expect(list.text).to.match(/id="module-broken-one"[\s\S]*INVALID/);
  });

  it('says in plain words that a file is not a ZIP, with what the ZIP library said in the details', async () => {
    await admin.get('/admin/modules');
    const response = await admin.postFile(
      '/admin/modules/upload',
      { field: 'file', name: 'notes.zip', content: Buffer.from('meeting notes, not an archive') },
      { csrf: 'header', headers: htmx },
    );
    expect(response.status).to.equal(400);
    expect(response.text).to.contain('<li>This file is not a ZIP archive, or it is cut short.');
    expect(response.text).to.match(
      /<details class="problem-detail"><summary>Technical details<\/summary><code>End of central directory record signature not found[^<]*<\/code>/,
    );
    expect(response.text).to.contain('<div class="flash flash-error" role="alert">This file is not a ZIP archive');
  });

  it('refuses an upload without the CSRF token and from an operator', async () => {
    const content = await dummyZip();
    expect(
      (await admin.postFile('/admin/modules/upload', { field: 'file', name: 'x.zip', content }, { csrf: 'none' }))
        .status,
    ).to.equal(403);
    await operator.get('/');
    const byOperator = await operator.postFile('/admin/modules/upload', { field: 'file', name: 'x.zip', content });
    expect(byOperator.status).to.equal(403);
    expect((await operator.get('/admin/modules')).status).to.equal(403);
    expect((await operator.get('/admin/modules/dummy')).status).to.equal(403);
  });

  it('refuses a module whose table prefix another module owns', async () => {
    const thief = await copyMinimalModule('prefix-thief', { manifest: (m) => (m.tablePrefix = 'dm_') });
    try {
      const error = await server.services.modules
        .installFromDirectory(thief.dir, 'installed', testActor)
        .catch((e: unknown) => e);
      expect(error).to.have.property('code', 'NXF_PREFIX_TAKEN');
      expect((error as Error).message).to.contain('clashes with "dm_" of dummy');
    } finally {
      await thief.remove();
    }
  });

  it('judges prefixes whole: one contained in another is refused by the manifest, a look-alike is not a clash', async () => {
    // A prefix is letters and digits with one final underscore, so no valid prefix can contain another
    // (dm_x_ would own dm_'s tables): the manifest refuses it before ownership is even asked.
    const nested = await copyMinimalModule('nested-prefix', { manifest: (m) => (m.tablePrefix = 'dm_x_') });
    // dmx_ shares the letters of dm_ but none of its tables (dm_item does not start with dmx_, nor dmx_a with dm_).
    const lookalike = await copyMinimalModule('lookalike', { manifest: (m) => (m.tablePrefix = 'dmx_') });
    try {
      const refused = await server.services.modules
        .installFromDirectory(nested.dir, 'installed', testActor)
        .catch((e: unknown) => e);
      expect(refused).to.have.property('code', 'NXF_MANIFEST_INVALID');
      expect((refused as Error).message).to.contain('tablePrefix');
      const record = await server.services.modules.installFromDirectory(lookalike.dir, 'installed', testActor);
      expect(record).to.include({ name: 'lookalike', status: 'INSTALLED' });
      await server.services.modules.uninstall('lookalike', testActor);
    } finally {
      await nested.remove();
      await lookalike.remove();
    }
  });

  it('the detail page shows what the manifest declares and the live log', async () => {
    await server.services.modules.enable('dummy', testActor);
    const page = await admin.get('/admin/modules/dummy');
    expect(page.status).to.equal(200);
    expect(page.text).to.contain('<h1>Dummy module <span class="badge badge-ok">ENABLED</span></h1>');
    expect(page.text).to.contain('/api/v1/m/dummy/items/:id');
    expect(page.text).to.contain('<th scope="row">tick</th>').and.to.contain('*/5 * * * * *');
    expect(page.text).to.contain('<span class="badge">events:subscribe</span>');
    expect(page.text).to.contain('hx-get="/admin/modules/dummy/log" hx-trigger="every 5s"');
    expect(page.text).to.contain('INSTALLED → ENABLED');
    const log = await admin.get('/admin/modules/dummy/log', htmx);
    expect(log.text).to.not.contain('<html');
    expect(log.text).to.contain('dummy module set up');

    expect((await admin.get('/admin/modules/nope')).status).to.equal(404);
  });

  it('the uninstall page shows what would be dropped and which modules depend on it', async () => {
    await installAndEnable(server, (await copyMinimalModule('needs-dummy', { dependencies: { dummy: '^1.0.0' } })).dir);
    await server.services.modules.disable('needs-dummy', testActor);
    await server.services.db.execute("INSERT INTO dm_item (name) VALUES ('a'), ('b')");
    await server.services.modules.enable('needs-dummy', testActor);
    const refused = await server.services.modules.disable('dummy', testActor).then(
      () => expect.fail('dummy was disabled while needs-dummy depends on it'),
      (error: unknown) => error,
    );
    expect(refused).to.have.property('code', 'NXF_MODULE_REQUIRED');
    expect(await server.services.modules.store.get('dummy')).to.include({ status: 'ENABLED', enabled: true });
    expect(server.services.modules.registry.get('dummy')).to.not.equal(undefined);
    const blocked = await admin.get('/admin/modules/dummy/uninstall');
    expect(blocked.text).to.contain('These enabled modules depend on dummy: <strong>needs-dummy</strong>');
    expect(blocked.text).to.match(/<button type="submit" class="danger"\s+disabled>/);

    await server.services.modules.disable('needs-dummy', testActor);
    await server.services.modules.disable('dummy', testActor);
    const page = await admin.get('/admin/modules/dummy/uninstall');
    expect(page.text).to.contain('table <code>dm_item</code> (2 rows)');
    expect(page.text).to.contain('Its files in the data directory are deleted.');
    const done = await admin.post('/admin/modules/dummy/uninstall', { purge: 'true' });
    expect(done.status).to.equal(303);
    expect((await admin.get('/admin/modules')).text).to.contain('dummy is uninstalled and its data deleted.');
  });

  it('a bundled module can be uninstalled (its files stay) and installed again', async () => {
    await server.services.modules.disable('shipped', testActor);
    const page = await admin.get('/admin/modules/shipped/uninstall');
    expect(page.text).to.contain('Its files stay: it ships with NxForge');
    expect((await admin.post('/admin/modules/shipped/uninstall')).status).to.equal(303);
    const list = await admin.get('/admin/modules');
    expect(list.text).to.match(/id="module-shipped"[\s\S]*REMOVED[\s\S]*Install again/);
    const again = await admin.post('/admin/modules/shipped/reinstall', {}, htmx);
    expect(again.text).to.contain('INSTALLED');
    expect(await server.services.modules.store.get('shipped')).to.include({ status: 'INSTALLED' });
  });

  describe('audit log page', () => {
    it('lists entries newest first and filters by user, action family and dates', async () => {
      const all = await admin.get('/admin/audit');
      expect(all.status).to.equal(200);
      expect(all.text).to.contain('<code>module.install</code>').and.to.contain('<code>auth.login</code>');
      const byUser = await admin.get('/admin/audit?actor=oscar');
      expect(byUser.text).to.contain('<code>auth.login</code>').and.to.not.contain('<code>module.install</code>');
      const family = await admin.get('/admin/audit?action=module.');
      expect(family.text).to.contain('<code>module.install</code>').and.to.not.contain('<code>auth.login</code>');
      // The day of the entry as the server recorded it (a day computed here could be the next one at midnight).
      const logins = await server.services.audit.query({ action: 'auth.login', limit: 100 });
      const day = logins[0]!.at.toISOString().slice(0, 10);
      expect((await admin.get(`/admin/audit?from=${day}&to=${day}`)).text).to.contain('<code>auth.login</code>');
      const first = logins.at(-1)!.at.toISOString().slice(0, 10);
      const dayBefore = new Date(Date.parse(`${first}T00:00:00Z`) - 86_400_000).toISOString().slice(0, 10);
      expect((await admin.get(`/admin/audit?from=${dayBefore}&to=${dayBefore}&action=auth.`)).text).to.not.contain(
        '<code>auth.login</code>',
      );
      expect((await admin.get('/admin/audit?to=2001-01-01')).text).to.contain('No entries match.');
      expect((await admin.get('/admin/audit?from=not-a-date')).status).to.equal(200);
    });

    it('is for administrators only', async () => {
      expect((await operator.get('/admin/audit')).status).to.equal(403);
    });
  });
});
