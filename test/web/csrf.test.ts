import { expect } from 'chai';
import { startTestServer, testAdminPassword, type TestServer } from '../helpers/server.js';
import { apiRequest, WebClient } from '../helpers/web-client.js';

describe('CSRF protection', () => {
  let server: TestServer;
  let admin: WebClient;

  before(async () => {
    server = await startTestServer();
    admin = new WebClient(server.url);
    await admin.login('admin', testAdminPassword);
    await admin.get('/admin/users');
  });
  after(() => server.close());

  const newUser = (name: string) => ({ username: name, role: 'viewer', password: 'a-fine-password' });

  it('refuses a form without a token', async () => {
    const response = await admin.postWithoutCsrf('/admin/users', newUser('no-token'));
    expect(response.status).to.equal(403);
    expect(response.text).to.contain('NXF_CSRF');
    expect(await server.services.users.findForLogin('no-token')).to.equal(undefined);
  });

  it('refuses a forged token and a token of another session', async () => {
    const forged = await admin.post('/admin/users', { ...newUser('forged'), _csrf: 'A'.repeat(43) });
    expect(forged.status).to.equal(403);

    const other = new WebClient(server.url);
    await other.login('admin', testAdminPassword);
    await other.get('/admin/users');
    const stolen = await admin.post('/admin/users', { ...newUser('stolen'), _csrf: other.csrfToken });
    expect(stolen.status).to.equal(403);
    expect(await server.services.users.findForLogin('stolen')).to.equal(undefined);
  });

  it('accepts the token as a form field or as the X-CSRF-Token header htmx sends', async () => {
    expect((await admin.post('/admin/users', newUser('with-field'))).status).to.equal(303);
    const viaHeader = await admin.request('POST', '/admin/users', {
      headers: { 'content-type': 'application/x-www-form-urlencoded', 'X-CSRF-Token': admin.csrfToken },
      body: new URLSearchParams(newUser('with-header')).toString(),
    });
    expect(viaHeader.status).to.equal(303);
  });

  it('protects the sign-in form too', async () => {
    const anonymous = new WebClient(server.url);
    const response = await anonymous.postWithoutCsrf('/login', { username: 'admin', password: testAdminPassword });
    expect(response.status).to.equal(403);
    expect(anonymous.cookies.has('nxf_session')).to.equal(false);
  });

  it('protects JSON requests made with a session cookie', async () => {
    const response = await admin.request('POST', '/profile/tokens', {
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ name: 'sneaky' }),
    });
    expect(response.status).to.equal(403);
  });

  it('exempts requests authenticated by a Bearer token', async () => {
    const { token } = await server.services.apiTokens.create(
      (await server.services.users.findForLogin('admin'))!.user.id,
      'csrf test',
    );
    const response = await apiRequest(server.url, token, 'POST', '/api/v1/me');
    // The route is GET-only: getting past CSRF to the router's 405 shows the exemption.
    expect(response.status).to.equal(405);
  });
});
