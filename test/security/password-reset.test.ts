import { expect } from 'chai';
import { startTestServer, testAdminPassword, type TestServer } from '../helpers/server.js';
import { apiRequest, WebClient } from '../helpers/web-client.js';

describe('security: a password reset leaves nothing of the old credentials working', () => {
  let server: TestServer;
  let admin: WebClient;
  before(async () => {
    server = await startTestServer();
    admin = new WebClient(server.url);
    await admin.login('admin', testAdminPassword);
  });
  after(() => server.close());

  it("an administrator's reset ends the user's sessions and revokes their API tokens", async () => {
    const olivia = await server.services.users.create({
      username: 'olivia',
      password: 'olivia-password-1',
      role: 'operator',
    });
    const browser = new WebClient(server.url);
    await browser.login('olivia', 'olivia-password-1');
    const tokens = [
      (await server.services.apiTokens.create(olivia.id, 'script')).token,
      (await server.services.apiTokens.create(olivia.id, 'backup')).token,
    ];
    for (const token of tokens) expect((await apiRequest(server.url, token, 'GET', '/api/v1/me')).status).to.equal(200);

    const reset = await admin.post(`/admin/users/${olivia.id}/password`);
    expect(reset.text).to.contain('They were signed out and 2 API tokens revoked.');
    for (const token of tokens) {
      const refused = await apiRequest(server.url, token, 'GET', '/api/v1/me');
      expect(refused.status).to.equal(401);
      expect(refused.body).to.have.nested.property('error.code', 'NXF_TOKEN_INVALID');
    }
    expect((await browser.get('/')).status).to.equal(302);
    const [entry] = await server.services.audit.query({ action: 'user.password_reset' });
    expect(entry).to.include({ target: 'olivia' }).and.to.have.nested.property('details.tokensRevoked', 2);
    const listed = await server.services.apiTokens.listForUser(olivia.id);
    expect(listed.map((token) => token.revokedAt)).to.satisfy((dates: unknown[]) =>
      dates.every((d) => d instanceof Date),
    );
  });

  it('changing your own password keeps your tokens (you proved the old one, and they are listed to revoke)', async () => {
    const paul = await server.services.users.create({ username: 'paul', password: 'paul-password-12', role: 'viewer' });
    const token = (await server.services.apiTokens.create(paul.id, 'kept')).token;
    const browser = new WebClient(server.url);
    await browser.login('paul', 'paul-password-12');
    const changed = await browser.post('/profile/password', {
      current: 'paul-password-12',
      password: 'paul-password-new',
      confirm: 'paul-password-new',
    });
    expect(changed.status).to.equal(303);
    expect((await apiRequest(server.url, token, 'GET', '/api/v1/me')).status).to.equal(200);
  });
});
