import { expect } from 'chai';
import { sha256Hex } from '../../src/hash.js';
import { startTestServer, testAdminPassword, type TestServer } from '../helpers/server.js';
import { apiRequest, WebClient } from '../helpers/web-client.js';

describe('personal API tokens', () => {
  let server: TestServer;
  let browser: WebClient;

  before(async () => {
    server = await startTestServer();
    await server.services.users.create({ username: 'vic', password: 'vic-password-123', role: 'viewer' });
    browser = new WebClient(server.url);
    await browser.login('vic', 'vic-password-123');
    await browser.get('/profile');
  });
  after(() => server.close());

  async function createToken(name: string): Promise<string> {
    const page = await browser.post('/profile/tokens', { name });
    expect(page.status).to.equal(200);
    const token = /<code class="token-value" id="new-token">([^<]+)<\/code>/.exec(page.text)?.[1];
    expect(token).to.match(/^nxf_[A-Za-z0-9_-]{43}$/);
    return token as string;
  }

  it('is shown once on creation and stored only as a hash', async () => {
    const token = await createToken('billing export');
    const rows = await server.services.db.select<{ token_hash: string; token_prefix: string }>(
      'SELECT token_hash, token_prefix FROM api_tokens WHERE name = $1',
      ['billing export'],
    );
    expect(rows).to.have.length(1);
    expect(rows[0]?.token_hash).to.equal(sha256Hex(token));
    expect(token.startsWith(rows[0]?.token_prefix as string)).to.equal(true);
    const profile = await browser.get('/profile');
    expect(profile.text).to.contain('billing export');
    expect(profile.text).to.not.contain(token);
  });

  it("authenticates /api/v1 requests as its owner, with the owner's permissions", async () => {
    const token = await createToken('script');
    const me = await apiRequest(server.url, token, 'GET', '/api/v1/me');
    expect(me.status).to.equal(200);
    expect(me.body).to.deep.include({ authMethod: 'token' });
    expect((me.body as { user: { username: string; role: string } }).user).to.include({
      username: 'vic',
      role: 'viewer',
    });
    const tokens = await server.services.apiTokens.listForUser(
      (await server.services.users.findForLogin('vic'))!.user.id,
    );
    expect(tokens.find((t) => t.name === 'script')?.lastUsedAt).to.be.instanceOf(Date);
  });

  it('does not open pages: a token is for the API only', async () => {
    const token = await createToken('not for pages');
    const response = await fetch(new URL('/profile', server.url), {
      headers: { authorization: `Bearer ${token}` },
      redirect: 'manual',
    });
    expect(response.status).to.equal(302);
  });

  it('stops working once revoked, and revocation is audited', async () => {
    const token = await createToken('short lived');
    const [record] = (
      await server.services.apiTokens.listForUser((await server.services.users.findForLogin('vic'))!.user.id)
    ).filter((t) => t.name === 'short lived');
    const revoked = await browser.post(`/profile/tokens/${record?.id}/revoke`);
    expect(revoked.status).to.equal(200);
    expect(revoked.text).to.contain('revoked');
    const response = await apiRequest(server.url, token, 'GET', '/api/v1/me');
    expect(response.status).to.equal(401);
    expect(response.body).to.deep.equal({
      error: { code: 'NXF_TOKEN_INVALID', message: 'The API token is unknown or revoked.' },
    });
    const audit = await server.services.audit.query({ actor: 'vic', action: 'token.' });
    expect(audit.map((entry) => `${entry.action} ${entry.target}`)).to.include.members([
      'token.create short lived',
      'token.revoke short lived',
    ]);
  });

  it("cannot revoke someone else's token", async () => {
    const adminId = (await server.services.users.findForLogin('admin'))!.user.id;
    const { record } = await server.services.apiTokens.create(adminId, 'admin token');
    const response = await browser.post(`/profile/tokens/${record.id}/revoke`);
    expect(response.status).to.equal(404);
    expect((await server.services.apiTokens.listForUser(adminId))[0]?.revokedAt).to.equal(null);
  });

  it('refuses an empty or over-long name inline', async () => {
    const empty = await browser.post('/profile/tokens', { name: '  ' });
    expect(empty.status).to.equal(422);
    expect(empty.text).to.contain('Give the token a name.');
    const long = await browser.post('/profile/tokens', { name: 'n'.repeat(101) });
    expect(long.status).to.equal(422);
    expect(long.text).to.contain('At most 100 characters.');
  });

  it('stops working when its owner is disabled', async () => {
    const token = await createToken('owner disabled');
    const admin = new WebClient(server.url);
    await admin.login('admin', testAdminPassword);
    await admin.get('/admin/users');
    const vic = (await server.services.users.findForLogin('vic'))!.user;
    expect((await admin.post(`/admin/users/${vic.id}/disable`)).status).to.equal(303);
    expect((await apiRequest(server.url, token, 'GET', '/api/v1/me')).status).to.equal(401);
  });

  it('an unknown token is a 401, not a silent fallback to the session', async () => {
    const response = await apiRequest(server.url, 'nxf_made-up', 'GET', '/api/v1/me');
    expect(response.status).to.equal(401);
  });
});
