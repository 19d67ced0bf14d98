import { expect } from 'chai';
import { eventually } from '../helpers/jobs.js';
import { copyMinimalModule, copyModuleFixture, installAndEnable, testActor } from '../helpers/modules.js';
import { startTestServer, testAdminPassword, type TestServer } from '../helpers/server.js';
import { apiRequest, WebClient } from '../helpers/web-client.js';

describe('module pages: settings, dashboard widgets, the Modules list, in-flight requests', () => {
  let server: TestServer;
  let fixture: Awaited<ReturnType<typeof copyModuleFixture>>;
  let admin: WebClient;
  let operator: WebClient;
  let token: string;
  const htmx = { 'HX-Request': 'true', 'HX-Request-Type': 'partial' };

  before(async () => {
    server = await startTestServer();
    fixture = await copyModuleFixture();
    await installAndEnable(server, fixture.dir);
    admin = new WebClient(server.url);
    await admin.login('admin', testAdminPassword);
    await server.services.users.create({ username: 'otto', password: 'otto-password-1', role: 'operator' });
    operator = new WebClient(server.url);
    await operator.login('otto', 'otto-password-1');
    token = (await server.services.apiTokens.create((await server.services.users.findForLogin('admin'))!.user.id, 't'))
      .token;
  });
  after(async () => {
    await server.close();
    await fixture.remove();
  });

  const moduleSettings = async () =>
    (
      (await apiRequest(server.url, token, 'GET', '/api/v1/m/dummy/settings')).body as {
        settings: Record<string, unknown>;
      }
    ).settings;

  describe('settings page generated from the manifest', () => {
    it('shows one labelled control per setting, with help text and defaults', async () => {
      const page = await admin.get('/admin/modules/dummy/settings');
      expect(page.status).to.equal(200);
      expect(page.text).to.match(/<label for="setting-greeting">Greeting <span class="required"/);
      expect(page.text).to.match(/<input type="text" id="setting-greeting" name="greeting" value="Hello"/);
      expect(page.text).to.match(/<input type="number" id="setting-pageSize" name="pageSize" value="10"/);
      expect(page.text).to.match(/<input type="checkbox" id="setting-showChart" name="showChart" value="true" checked/);
      expect(page.text)
        .to.match(/<select id="setting-colour" name="colour"/)
        .and.to.contain('<option value="green" selected>Green</option>');
      expect(page.text).to.contain('Items per page · Default: 10');
    });

    it('lists the fields in the order of the manifest, not the order the database keeps', async () => {
      const page = (await admin.get('/admin/modules/dummy/settings')).text;
      const order = ['greeting', 'pageSize', 'showChart', 'colour'].map((key) => page.indexOf(`id="setting-${key}"`));
      expect(order.every((at) => at > 0)).to.equal(true);
      expect([...order].sort((a, b) => a - b)).to.deep.equal(order);
    });

    it('the module reads its defaults through ctx.settings', async () => {
      expect(await moduleSettings()).to.deep.equal({
        greeting: 'Hello',
        pageSize: 10,
        showChart: true,
        colour: 'green',
      });
    });

    it('refuses bad values inline with 422 and keeps what was typed', async () => {
      const response = await admin.post(
        '/admin/modules/dummy/settings',
        { greeting: '', pageSize: '500', colour: 'blue' },
        htmx,
      );
      expect(response.status).to.equal(422);
      expect(response.text)
        .to.contain('This setting is required.')
        .and.to.contain('At most 100.')
        .and.to.contain('Choose one of the options.');
      expect(response.text).to.contain('value="500"');
      expect(await moduleSettings()).to.include({ greeting: 'Hello', pageSize: 10 });
    });

    it('saves valid values, which the running module sees at once; an unchecked box is false', async () => {
      const response = await admin.post(
        '/admin/modules/dummy/settings',
        { greeting: 'Welcome', pageSize: '25', colour: 'red' },
        htmx,
      );
      expect(response.status).to.equal(200);
      expect(response.text).to.contain('Settings saved.');
      expect(await moduleSettings()).to.deep.equal({
        greeting: 'Welcome',
        pageSize: 25,
        showChart: false,
        colour: 'red',
      });
      expect((await admin.get('/dummy/items')).text).to.contain('Welcome, admin.');
      const audit = await server.services.audit.query({ action: 'settings.module' });
      expect(audit[0]).to.include({ target: 'dummy', actorName: 'admin' });
    });

    it("a module page's error shows once: the core field partial gets only the data of its include", async () => {
      await admin.get('/dummy/items');
      const page = await admin.post('/dummy/items', { name: '' });
      expect(page.status).to.equal(422);
      expect(page.text.split('Enter a name.').length - 1).to.equal(1);
      expect(page.text).to.match(/<input type="text" id="field-name" name="name" value=""/);
    });

    it("a module's fragments are conditional too: the same fragment again is 304", async () => {
      const first = await admin.get('/dummy/items', htmx);
      expect(first.status).to.equal(200);
      const etag = first.headers.get('etag') ?? '';
      expect(etag).to.not.equal('');
      expect((await admin.get('/dummy/items', { ...htmx, 'If-None-Match': etag })).status).to.equal(304);
      const created = await apiRequest(server.url, token, 'POST', '/api/v1/m/dummy/items', { name: 'new' });
      expect((await admin.get('/dummy/items', { ...htmx, 'If-None-Match': etag })).status).to.equal(200);
      const { id } = (created.body as { item: { id: number } }).item;
      expect((await apiRequest(server.url, token, 'DELETE', `/api/v1/m/dummy/items/${id}`)).status).to.equal(204);
    });

    it('is for administrators only', async () => {
      expect((await operator.get('/admin/modules/dummy/settings')).status).to.equal(403);
      expect((await operator.post('/admin/modules/dummy/settings', { greeting: 'x' })).status).to.equal(403);
    });
  });

  describe('ctx.fail', () => {
    it("answers a module's validation error with its details per field", async () => {
      const refused = await apiRequest(server.url, token, 'POST', '/api/v1/m/dummy/items', { name: 'x'.repeat(41) });
      expect(refused).to.deep.equal({
        status: 422,
        body: {
          error: {
            code: 'NXF_VALIDATION',
            message: 'The item has errors.',
            details: { name: 'At most 40 characters.' },
          },
        },
      });
    });
  });

  describe('dashboard', () => {
    it('shows module states and the widgets of modules the user may read, refreshed by htmx', async () => {
      await apiRequest(server.url, token, 'POST', '/api/v1/m/dummy/items', { name: 'widget item' });
      const page = await operator.get('/');
      expect(page.text).to.match(/<h2 id="widget-dummy-item-count">Dummy items<\/h2>/);
      expect(page.text).to.match(/<span class="value">1<\/span> items/);
      expect(page.text).to.contain('hx-get="/dashboard/widgets/dummy/item-count" hx-trigger="every 30s"');
      expect(page.text).to.match(/badge-ok">running<\/span> Dummy module/);
      const refreshed = await operator.get('/dashboard/widgets/dummy/item-count', htmx);
      expect(refreshed.text.trim()).to.equal('<p class="big-number"><span class="value">1</span> items</p>');
      expect((await operator.get('/dashboard/widgets/dummy/nope', htmx)).status).to.equal(404);
    });
  });

  describe('a widget whose loader throws', () => {
    it('shows a short error in its card, logs to the module log, and the rest of the dashboard renders', async () => {
      const broken = await copyMinimalModule('flaky-widgets', {
        manifest: (m) => (m.ui.widgets = [{ id: 'load', title: 'Rack load', view: 'load' }]),
        files: {
          'views/load.eta': '<p class="big-number"><%= it.kw %> kW</p>\n',
          'dist/index.js': `export default async function setup(ctx) {
  ctx.ui.get('/flaky-widgets', (request) => { request.body = 'home'; });
  ctx.widget('load', async () => { throw new Error('the PDU did not answer'); });
}
`,
        },
      });
      try {
        await installAndEnable(server, broken.dir);
        const page = await operator.get('/');
        expect(page.status).to.equal(200);
        expect(page.text).to.match(
          /<h2 id="widget-flaky-widgets-load">Rack load<\/h2>[\s\S]*?This widget could not load its data; see the module's log\./,
        );
        expect(page.text).to.not.contain('the PDU did not answer');
        expect(page.text).to.match(/<h2 id="widget-dummy-item-count">Dummy items<\/h2>/);
        const refreshed = await operator.get('/dashboard/widgets/flaky-widgets/load', htmx);
        expect(refreshed.status).to.equal(200);
        expect(refreshed.text).to.contain('This widget could not load its data');
        await eventually(async () =>
          (await server.services.modules.logs.list('flaky-widgets', { limit: 20 })).some(
            (entry) => entry.level === 'error' && entry.message === 'widget load failed: the PDU did not answer',
          ),
        );
      } finally {
        await server.services.modules.disable('flaky-widgets', testActor);
        await broken.remove();
      }
    });
  });

  describe('Modules list', () => {
    it('lists modules with their status and toggles them with an htmx swap of the row', async () => {
      const list = await admin.get('/admin/modules');
      expect(list.text).to.match(/<tr id="module-dummy">[\s\S]*badge-ok">ENABLED/);
      const disabled = await admin.post('/admin/modules/dummy/disable', {}, htmx);
      expect(disabled.status).to.equal(200);
      expect(disabled.text).to.match(/^\s*<tr id="module-dummy">/);
      expect(disabled.text).to.contain('DISABLED').and.to.contain('>Enable<');
      expect((await operator.get('/dummy/items')).status).to.equal(403);
      const enabled = await admin.post('/admin/modules/dummy/enable');
      expect(enabled.status).to.equal(303);
      expect((await operator.get('/dummy/items')).status).to.equal(200);
      const audit = await server.services.audit.query({ action: 'module.' });
      expect(audit.map((a) => a.action)).to.include.members(['module.disable', 'module.enable']);
    });

    it('is for administrators only', async () => {
      expect((await operator.get('/admin/modules')).status).to.equal(403);
      expect((await operator.post('/admin/modules/dummy/disable')).status).to.equal(403);
      expect(server.services.modules.registry.get('dummy')).to.not.equal(undefined);
    });
  });

  describe('disabling while requests are in flight', () => {
    it('a request in flight when the module is disabled completes before its teardown; the next one gets 403', async () => {
      const { registry, logs } = server.services.modules;
      const teardowns = async () =>
        (await logs.list('dummy', { limit: 100 })).filter((entry) => entry.message === 'dummy module torn down');
      const earlier = (await teardowns()).length;
      const inFlight = operator.get('/dummy/slow?until=release-in-flight');
      // The module's own count of the requests it is serving: the request is in its handler.
      await eventually(() => registry.get('dummy')?.inFlight === 1);
      const disabling = server.services.modules.disable('dummy', testActor);
      await eventually(() => registry.get('dummy') === undefined);
      expect((await operator.get('/dummy/slow?ms=1')).status).to.equal(403);
      // The handler is still waiting for its item: release it.
      const released = await server.services.db.one<{ at: Date }>(
        "INSERT INTO dm_item (name) VALUES ('release-in-flight') RETURNING now() AS at",
      );
      const response = await inFlight;
      expect(response.status).to.equal(200);
      expect(response.text).to.equal('slow done');
      await disabling;
      // The teardown's log line (written in the background, so waited for).
      const [teardown] = await eventually(async () => {
        const all = await teardowns();
        return all.length > earlier && all;
      });
      expect(teardown!.at.getTime(), 'torn down after the request was released').to.be.greaterThan(
        released!.at.getTime(),
      );
    });
  });
});
