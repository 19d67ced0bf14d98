import { expect } from 'chai';
import { copyModuleFixture, installAndEnable } from '../helpers/modules.js';
import { startTestServer, testAdminPassword, type TestServer } from '../helpers/server.js';
import { apiRequest, WebClient } from '../helpers/web-client.js';

describe("module context: can(), flash(), renderView(), fail()'s details and audit()", function () {
  this.timeout(30_000);
  let server: TestServer;
  let dummy: Awaited<ReturnType<typeof copyModuleFixture>>;
  let admin: WebClient;
  let viewer: WebClient;

  before(async () => {
    server = await startTestServer();
    dummy = await copyModuleFixture();
    await installAndEnable(server, dummy.dir);
    await server.services.users.create({ username: 'vic', password: 'viewer-password-1', role: 'viewer' });
    admin = new WebClient(server.url);
    await admin.login('admin', testAdminPassword);
    viewer = new WebClient(server.url);
    await viewer.login('vic', 'viewer-password-1');
  });
  after(async () => {
    await server?.close();
    await dummy?.remove();
  });

  it('it.can(permission) in a view: the form to add an item is shown to those who may send it only', async () => {
    expect((await admin.get('/dummy/items')).text).to.contain('<form method="post" action="/dummy/items"');
    expect((await viewer.get('/dummy/items')).text).to.not.contain('action="/dummy/items"');
  });

  it('ctx.flash after a redirect: the next page says what happened, once', async () => {
    const posted = await admin.post('/dummy/items', { name: 'rack 7 shelf' });
    expect(posted.status).to.equal(302);
    const next = await admin.get('/dummy/items');
    expect(next.text).to.contain('Added rack 7 shelf.');
    expect((await admin.get('/dummy/items')).text).to.not.contain('Added rack 7 shelf.');
  });

  it('ctx.renderView renders a part alone, without the layout, for a page to include', async () => {
    const page = (await admin.get('/dummy/parts')).text;
    expect(page).to.contain('<section class="part"><p class="big-number"><span class="value">');
    expect(page.match(/<html/g)).to.have.length(1);
  });

  it("ctx.fail(status, code, message, details): the API answers the details with the module's code", async () => {
    const admins = await server.services.users.findForLogin('admin');
    const { token } = await server.services.apiTokens.create(admins!.user.id, 'extras');
    const refused = await apiRequest(server.url, token, 'POST', '/api/v1/m/dummy/items', { name: ' ' });
    expect(refused).to.deep.equal({
      status: 400,
      body: { error: { code: 'DUMMY_NAME_REQUIRED', message: 'name is required', details: { name: 'Required.' } } },
    });
  });

  it("ctx.audit writes the module's action to the core's audit log, with the user of the request", async () => {
    const admins = await server.services.users.findForLogin('admin');
    const { token } = await server.services.apiTokens.create(admins!.user.id, 'audit');
    const created = await apiRequest(server.url, token, 'POST', '/api/v1/m/dummy/items', { name: 'audited shelf' });
    expect(created.status).to.equal(201);
    const [entry] = await server.services.audit.query({ action: 'dummy.item.create' });
    expect(entry).to.deep.include({ action: 'dummy.item.create', actorName: 'admin', target: 'audited shelf' });
    expect(entry!.outcome).to.equal('success');
    expect(entry!.details).to.deep.equal({ id: (created.body as { item: { id: number } }).item.id });
  });
});
