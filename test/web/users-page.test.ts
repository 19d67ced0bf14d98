import { expect } from 'chai';
import { startTestServer, testAdminPassword, type TestServer } from '../helpers/server.js';
import { WebClient } from '../helpers/web-client.js';

describe('users page', () => {
  let server: TestServer;
  let admin: WebClient;
  const htmx = { 'HX-Request': 'true', 'HX-Request-Type': 'partial' };

  before(async () => {
    server = await startTestServer();
    admin = new WebClient(server.url);
    await admin.login('admin', testAdminPassword);
  });
  after(() => server.close());
  beforeEach(() => admin.get('/admin/users'));

  const idOf = async (username: string) => (await server.services.users.findForLogin(username))!.user.id;

  it('lists the users in a table with headers', async () => {
    const page = await admin.get('/admin/users');
    expect(page.status).to.equal(200);
    expect(page.text).to.contain('<th scope="col">Username</th>');
    expect(page.text).to.match(/<th scope="row">admin <span class="badge">you<\/span><\/th>/);
  });

  it('creates a user through the htmx form and returns the reset form plus the new row', async () => {
    const response = await admin.post(
      '/admin/users',
      { username: 'nina', role: 'operator', password: 'nina-password-1' },
      htmx,
    );
    expect(response.status).to.equal(200);
    expect(response.text).to.contain('<form id="user-create"');
    expect(response.text).to.not.contain('<html');
    expect(response.text).to.match(/<hx-partial hx-target="#users-rows" hx-swap="beforeend">[\s\S]*nina/);
    expect(response.text).to.match(/<hx-partial hx-target="#flash"[\s\S]*Created nina\./);
    expect((await server.services.users.findForLogin('nina'))?.user.role).to.equal('operator');
    const login = await new WebClient(server.url).login('nina', 'nina-password-1');
    expect(login.status).to.equal(303);
  });

  it('shows validation errors inline with 422 and keeps what was typed', async () => {
    const response = await admin.post(
      '/admin/users',
      { username: 'bad name!', role: 'wizard', password: 'short' },
      htmx,
    );
    expect(response.status).to.equal(422);
    expect(response.text).to.contain('Letters, digits, dot, dash and underscore only');
    expect(response.text).to.contain('Choose admin, operator or viewer.');
    expect(response.text).to.contain('At least 12 characters.');
    expect(response.text).to.contain('value="bad name!"');
    expect(response.text).to.contain('aria-invalid="true"');

    const tooLong = await admin.post(
      '/admin/users',
      { username: 'x'.repeat(65), role: 'viewer', password: 'long-enough-pw' },
      htmx,
    );
    expect(tooLong.status).to.equal(422);
    expect(tooLong.text).to.contain('At most 64 characters.');
  });

  it('refuses a taken username (whatever its case)', async () => {
    const response = await admin.post(
      '/admin/users',
      { username: 'ADMIN', role: 'viewer', password: 'long-enough-pw' },
      htmx,
    );
    expect(response.status).to.equal(422);
    expect(response.text).to.contain('This username is taken.');
  });

  it('without JavaScript the same form redirects with a message, or re-renders the page with errors', async () => {
    const created = await admin.post('/admin/users', {
      username: 'plain',
      role: 'viewer',
      password: 'plain-password-1',
    });
    expect(created.status).to.equal(303);
    const page = await admin.get('/admin/users');
    expect(page.text).to.contain('Created plain.');
    const invalid = await admin.post('/admin/users', { username: '', role: 'viewer', password: '' });
    expect(invalid.status).to.equal(422);
    expect(invalid.text).to.contain('<html');
    expect(invalid.text).to.contain('Enter a username.');
  });

  it('generates a password when none is typed and shows it once', async () => {
    const response = await admin.post('/admin/users', { username: 'gen', role: 'viewer', password: '' }, htmx);
    const password = /Their password is (\S+) —/.exec(response.text)?.[1];
    expect(password).to.have.length(20);
    expect((await new WebClient(server.url).login('gen', password as string)).status).to.equal(303);
  });

  it('changes a role and answers the updated row', async () => {
    const id = await idOf('nina');
    const response = await admin.post(`/admin/users/${id}/role`, { role: 'viewer' }, htmx);
    expect(response.status).to.equal(200);
    expect(response.text).to.match(/^\s*<tr id="user-/);
    expect(response.text).to.contain('<option value="viewer" selected>');
    expect((await server.services.users.findById(id))?.role).to.equal('viewer');
    const audit = await server.services.audit.query({ action: 'user.role_change' });
    expect(audit[0]).to.include({ target: 'nina', actorName: 'admin', outcome: 'success' });
    expect(audit[0]?.details).to.deep.equal({ from: 'operator', to: 'viewer' });
  });

  it('disables a user (signing them out) and enables them again', async () => {
    const id = await idOf('nina');
    const nina = new WebClient(server.url);
    await nina.login('nina', 'nina-password-1');
    const disabled = await admin.post(`/admin/users/${id}/disable`, {}, htmx);
    expect(disabled.text).to.contain('badge-muted">disabled');
    expect((await nina.get('/')).status).to.equal(302);
    expect((await nina.login('nina', 'nina-password-1')).status).to.equal(403);
    await admin.post(`/admin/users/${id}/enable`, {}, htmx);
    expect((await nina.login('nina', 'nina-password-1')).status).to.equal(303);
  });

  it('resets a password: the old one stops working, the new one is shown once', async () => {
    const id = await idOf('plain');
    const signedIn = new WebClient(server.url);
    expect((await signedIn.login('plain', 'plain-password-1')).status).to.equal(303);
    const response = await admin.post(`/admin/users/${id}/password`, {}, htmx);
    // Their sessions end with the old password.
    expect((await signedIn.get('/')).status).to.equal(302);
    const password = /New password for plain: (\S+) —/.exec(response.text)?.[1];
    expect(password).to.have.length(20);
    expect((await new WebClient(server.url).login('plain', 'plain-password-1')).status).to.equal(401);
    expect((await new WebClient(server.url).login('plain', password as string)).status).to.equal(303);
  });

  it('will not disable or demote the last enabled administrator', async () => {
    const id = await idOf('admin');
    const disable = await admin.post(`/admin/users/${id}/disable`, {}, htmx);
    expect(disable.status).to.equal(409);
    expect(disable.headers.get('hx-retarget')).to.equal('#flash');
    expect(disable.text).to.contain('last enabled administrator');
    const demote = await admin.post(`/admin/users/${id}/role`, { role: 'viewer' });
    expect(demote.status).to.equal(409);
    expect((await server.services.users.findById(id))?.role).to.equal('admin');
  });

  it('answers 404 for an unknown user id', async () => {
    const response = await admin.post('/admin/users/00000000-0000-0000-0000-000000000000/disable');
    expect(response.status).to.equal(404);
    expect((await admin.post('/admin/users/not-a-uuid/disable')).status).to.equal(404);
  });
});
