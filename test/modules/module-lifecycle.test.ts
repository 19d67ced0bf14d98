import { expect } from 'chai';
import { copyModuleFixture, installAndEnable, tableExists, testActor } from '../helpers/modules.js';
import { startTestServer, testAdminPassword, type TestServer } from '../helpers/server.js';
import { apiRequest, rawGet, WebClient } from '../helpers/web-client.js';

describe('module lifecycle with the dummy module', () => {
  let server: TestServer;
  let fixture: Awaited<ReturnType<typeof copyModuleFixture>>;
  let admin: WebClient;
  let viewer: WebClient;
  let token: string;

  before(async () => {
    server = await startTestServer();
    fixture = await copyModuleFixture();
    await server.services.users.create({ username: 'vera', password: 'vera-password-1', role: 'viewer' });
    admin = new WebClient(server.url);
    await admin.login('admin', testAdminPassword);
    viewer = new WebClient(server.url);
    await viewer.login('vera', 'vera-password-1');
    const adminId = (await server.services.users.findForLogin('admin'))!.user.id;
    token = (await server.services.apiTokens.create(adminId, 'tests')).token;
  });
  after(async () => {
    await server.close();
    await fixture.remove();
  });

  it('installs as INSTALLED: not mounted, its pages answer 403 until enabled', async () => {
    const record = await server.services.modules.installFromDirectory(fixture.dir, 'installed', testActor);
    expect(record).to.include({ name: 'dummy', version: '1.0.0', status: 'INSTALLED', enabled: false });
    expect((await viewer.get('/dummy/items')).status).to.equal(403);
    expect((await apiRequest(server.url, token, 'GET', '/api/v1/m/dummy/items')).status).to.equal(403);
    expect(await tableExists(server, 'dm_item')).to.equal(false);
  });

  it('enabling applies its migrations, mounts pages and API, adds its sidebar entry', async () => {
    await server.services.modules.enable('dummy', testActor);
    expect(await tableExists(server, 'dm_item')).to.equal(true);
    const applied = await server.services.db.select<{ migration_name: string }>(
      "SELECT migration_name FROM module_migrations WHERE module_name = 'dummy' ORDER BY migration_name",
    );
    expect(applied.map((r) => r.migration_name)).to.deep.equal([
      '001_create_items.sql',
      '002_add_notes.js',
      '003_adopt_legacy_notes.sql',
    ]);

    const page = await viewer.get('/dummy/items');
    expect(page.status).to.equal(200);
    expect(page.text).to.contain('<h1>Dummy items</h1>').and.to.contain('Hello, vera.');
    expect(page.text).to.contain('No items yet.');
    expect(page.text).to.match(/<nav class="sidebar"[\s\S]*Dummy[\s\S]*href="\/dummy\/items" aria-current="page"/);

    const created = await apiRequest(server.url, token, 'POST', '/api/v1/m/dummy/items', { name: 'first' });
    expect(created.status).to.equal(201);
    const list = await apiRequest(server.url, token, 'GET', '/api/v1/m/dummy/items');
    expect(list.body).to.deep.equal({ items: [{ id: 1, name: 'first', notes: null }] });
  });

  it('renders a fragment for htmx and includes core partials in module views', async () => {
    const fragment = await viewer.get('/dummy/items', { 'HX-Request': 'true', 'HX-Request-Type': 'partial' });
    expect(fragment.text).to.not.contain('<html');
    expect(fragment.text).to.contain('<table class="data">').and.to.contain('<th scope="row">first</th>');
    const chart = await viewer.get('/dummy/chart');
    expect(chart.text).to.match(/<svg viewBox="0 0 640 220" role="img" aria-label="Power over time"/);
    expect(chart.text).to.contain('class="series series-0"');
  });

  it('enforces user permissions on module pages and API routes', async () => {
    const viewerPost = await viewer.post('/dummy/items', { name: 'by viewer' });
    expect(viewerPost.status).to.equal(403);
    const adminPost = await admin.post('/dummy/items', { name: 'by admin' });
    expect(adminPost.status).to.equal(302);
    // A route whose manifest names another permission: settings:manage, which viewers lack.
    const viewerToken = (
      await server.services.apiTokens.create((await server.services.users.findForLogin('vera'))!.user.id, 'v')
    ).token;
    expect((await apiRequest(server.url, viewerToken, 'GET', '/api/v1/m/dummy/settings')).status).to.equal(403);
    expect((await apiRequest(server.url, viewerToken, 'GET', '/api/v1/m/dummy/items')).status).to.equal(200);
    expect((await apiRequest(server.url, viewerToken, 'POST', '/api/v1/m/dummy/items', { name: 'x' })).status).to.equal(
      403,
    );
    const anonymous = await new WebClient(server.url).get('/dummy/items');
    expect(anonymous.status).to.equal(302);
  });

  it('answers module errors in the JSON error format', async () => {
    const missing = await apiRequest(server.url, token, 'GET', '/api/v1/m/dummy/items/999');
    expect(missing).to.deep.equal({
      status: 404,
      body: { error: { code: 'DUMMY_NOT_FOUND', message: 'no such item' } },
    });
    const invalid = await apiRequest(server.url, token, 'POST', '/api/v1/m/dummy/items', { name: '' });
    expect(invalid.status).to.equal(400);
  });

  it('subscribes to events while enabled', async () => {
    await server.services.events.emit('module.test_ping', {});
    const seen = await apiRequest(server.url, token, 'GET', '/api/v1/m/dummy/events-seen');
    expect((seen.body as { events: string[] }).events).to.include('module.test_ping');
  });

  it('disabling: pages and API answer 403, the sidebar entry vanishes, subscriptions end', async () => {
    const subscriptionsBefore = server.services.events.subscriptionCount;
    await server.services.modules.disable('dummy', testActor);
    expect((await viewer.get('/dummy/items')).status).to.equal(403);
    expect((await apiRequest(server.url, token, 'GET', '/api/v1/m/dummy/items')).status).to.equal(403);
    const dashboard = await viewer.get('/');
    expect(dashboard.text).to.not.contain('href="/dummy/items"');
    expect(server.services.events.subscriptionCount).to.equal(subscriptionsBefore - 1);
    const record = await server.services.modules.store.get('dummy');
    expect(record).to.include({ status: 'DISABLED', enabled: false });
  });

  it('enabling again brings everything back, without re-running migrations and with the data kept', async () => {
    await server.services.modules.enable('dummy', testActor);
    const page = await viewer.get('/dummy/items');
    expect(page.status).to.equal(200);
    expect(page.text).to.contain('first');
    const applied = await server.services.db.select("SELECT 1 FROM module_migrations WHERE module_name = 'dummy'");
    expect(applied).to.have.length(3);
  });

  it('reload re-reads the module and keeps serving', async () => {
    await server.services.modules.reload('dummy', testActor);
    expect((await viewer.get('/dummy/items')).status).to.equal(200);
  });

  it("records every transition with time and actor in the module log, and the module's own lines", async () => {
    const entries = await server.services.modules.logs.list('dummy', { limit: 100 });
    const lifecycle = entries
      .filter((e) => e.kind === 'lifecycle')
      .map((e) => e.message)
      .reverse();
    expect(lifecycle.slice(0, 4)).to.deep.equal([
      'VALIDATING → INSTALLING → INSTALLED (1.0.0)',
      'INSTALLED → ENABLED',
      'ENABLED → DISABLED',
      'DISABLED → ENABLED',
    ]);
    expect(entries.every((e) => e.at instanceof Date)).to.equal(true);
    expect(entries.filter((e) => e.kind === 'lifecycle').every((e) => e.actor === 'test')).to.equal(true);
    const own = entries.filter((e) => e.kind === 'log').map((e) => e.message);
    expect(own).to.include.members(['dummy module set up', 'dummy module torn down']);
  });

  it("serves the module's static assets", async () => {
    const asset = await fetch(new URL('/static/modules/dummy/dummy.css', server.url));
    expect(asset.status).to.equal(200);
    expect(await asset.text()).to.contain('.greeting');
    expect((await rawGet(server.url, '/static/modules/dummy/./dummy.css')).status).to.equal(200);
    // Sent raw (fetch would normalise the dot-segments away), encoded and double-encoded.
    for (const attempt of [
      '/static/modules/dummy/../manifest.json',
      '/static/modules/dummy/%2e%2e/manifest.json',
      '/static/modules/dummy/..%2fmanifest.json',
      '/static/modules/dummy/%252e%252e/manifest.json',
      '/static/modules/dummy/%252e%252e%252fmanifest.json',
      '/static/modules/dummy/..%2f..%2f..%2fpackage.json',
    ]) {
      const response = await rawGet(server.url, attempt);
      expect(response.status, attempt).to.be.oneOf([400, 403, 404]);
      expect(response.body, attempt).to.not.contain('"tablePrefix"');
    }
  });

  it('denies services the manifest did not declare', async () => {
    const denied = await apiRequest(server.url, token, 'GET', '/api/v1/m/dummy/services/notifications');
    expect(denied.body).to.include({ available: false, code: 'NXF_CAPABILITY_DENIED' });
    expect((denied.body as { message: string }).message).to.contain('"notifications:send"');
  });

  it('uninstalling keeps the data by default; its paths then answer 404', async () => {
    await server.services.modules.disable('dummy', testActor);
    await server.services.modules.uninstall('dummy', testActor);
    expect((await viewer.get('/dummy/items')).status).to.equal(404);
    expect((await apiRequest(server.url, token, 'GET', '/api/v1/m/dummy/items')).status).to.equal(404);
    expect(await tableExists(server, 'dm_item')).to.equal(true);
  });

  it('reinstalling brings the data back; purging removes the tables, records and settings', async () => {
    await installAndEnable(server, fixture.dir);
    expect((await viewer.get('/dummy/items')).text).to.contain('first');
    await server.services.modules.saveSettings('dummy', { greeting: 'Hi' }, testActor);
    await server.services.modules.disable('dummy', testActor);
    const { revertedMigrations } = await server.services.modules.uninstall('dummy', testActor, { purge: true });
    expect(revertedMigrations).to.deep.equal([
      '003_adopt_legacy_notes.sql',
      '002_add_notes.js',
      '001_create_items.sql',
    ]);
    expect(await tableExists(server, 'dm_item')).to.equal(false);
    expect(
      await server.services.db.select("SELECT 1 FROM module_migrations WHERE module_name = 'dummy'"),
    ).to.have.length(0);
    expect(await server.services.db.select("SELECT 1 FROM module_settings WHERE module_name = 'dummy'")).to.have.length(
      0,
    );
    expect(await tableExists(server, 'users')).to.equal(true);
  });
});
