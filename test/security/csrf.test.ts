import { expect } from 'chai';
import { startTestServer, testAdminPassword, type TestServer } from '../helpers/server.js';
import { WebClient } from '../helpers/web-client.js';

describe('security: CSRF', () => {
  let server: TestServer;
  let admin: WebClient;
  before(async () => {
    server = await startTestServer();
    admin = new WebClient(server.url);
    await admin.login('admin', testAdminPassword);
  });
  after(() => server.close());

  const refused = (response: { status: number; text: string }) => {
    expect(response.status).to.equal(403);
    expect(response.text).to.contain('NXF_CSRF');
  };
  const zip = { field: 'file', name: 'module.zip', content: Buffer.from('not a zip') };

  it('refuses a form without the token, with another session’s, or with the one from before sign-in', async () => {
    refused(await admin.postWithoutCsrf('/profile/tokens', { name: 'none' }));
    const other = new WebClient(server.url);
    await other.login('admin', testAdminPassword);
    refused(await admin.post('/profile/tokens', { name: 'other session', _csrf: other.csrfToken }));
    const visitor = new WebClient(server.url);
    await visitor.get('/login');
    const beforeSignIn = visitor.csrfToken;
    await visitor.post('/login', { username: 'admin', password: testAdminPassword });
    refused(await visitor.post('/profile/tokens', { name: 'stale', _csrf: beforeSignIn }));
    refused(await new WebClient(server.url).postWithoutCsrf('/login', { username: 'admin', password: 'x' }));
  });

  it('takes the token from the query string only on the module upload, and only multipart', async () => {
    const query = `_csrf=${encodeURIComponent(admin.csrfToken)}`;
    refused(await admin.postWithoutCsrf(`/profile/tokens?${query}`, { name: 'query, urlencoded' }));
    refused(
      await admin.postFile(`/profile/tokens?${query}`, zip, { csrf: 'none', fields: { name: 'query, multipart' } }),
    );
    refused(await admin.postFile(`/admin/users?${query}`, zip, { csrf: 'none' }));
    // The upload form's token is in its action URL: past the check, the archive itself is refused.
    const upload = await admin.postFile('/admin/modules/upload', zip, { csrf: 'query' });
    expect(upload.status).to.equal(400);
    expect(upload.text).to.not.contain('NXF_CSRF');
  });

  it('an Authorization header does not exempt a page or an API call made with the session cookie', async () => {
    refused(
      await admin.request('POST', '/profile/tokens', {
        headers: { 'content-type': 'application/x-www-form-urlencoded', authorization: 'Bearer nxf_forged' },
        body: 'name=bearer',
      }),
    );
    const api = await admin.request('POST', '/api/v1/modules/none/enable', {
      headers: { 'content-type': 'application/json' },
      body: '{}',
    });
    expect(api.status).to.equal(403);
    expect(api.json()).to.have.nested.property('error.code', 'NXF_CSRF');
  });

  it('accepts the token in the field or in the X-CSRF-Token header', async () => {
    expect((await admin.post('/profile/tokens', { name: 'by field' })).status).to.equal(200);
    const header = await admin.request('POST', '/profile/tokens', {
      headers: { 'content-type': 'application/x-www-form-urlencoded', 'x-csrf-token': admin.csrfToken },
      body: 'name=by+header',
    });
    expect(header.status).to.equal(200);
  });
});
