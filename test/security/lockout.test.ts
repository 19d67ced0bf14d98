import { expect } from 'chai';
import type { ThrottlePolicy } from '../../src/auth/login-throttle.js';
import { startTestServer, type TestServer } from '../helpers/server.js';
import { WebClient } from '../helpers/web-client.js';

/** A browser at its own address (the server trusts X-Forwarded-For, as behind a reverse proxy). */
class Browser extends WebClient {
  constructor(
    baseUrl: string,
    readonly address: string,
  ) {
    super(baseUrl);
  }

  override request(method: string, path: string, init: { headers?: Record<string, string>; body?: BodyInit } = {}) {
    return super.request(method, path, { ...init, headers: { 'x-forwarded-for': this.address, ...init.headers } });
  }
}

// Locks after 3 failures per (user, address), address or device, and after 6 per username; no delays.
const policy: ThrottlePolicy = {
  delayAfter: 100,
  delayStepMs: 1,
  maxDelayMs: 1,
  lockAfter: 3,
  accountLockAfter: 6,
  windowMinutes: 15,
  lockMinutes: 15,
};
const password = 'olivia-password-1';

describe('security: login throttling that strangers cannot turn against a user', () => {
  let server: TestServer;
  const browser = (address: string) => new Browser(server.url, address);
  /** A browser at `address` that has loaded the login form. */
  const atLoginForm = async (address: string) => {
    const client = browser(address);
    await client.get('/login');
    return client;
  };
  const failedLogins = async () =>
    (await server.services.audit.query({ actor: 'olivia', action: 'auth.login', limit: 500 })).filter(
      (entry) => entry.details?.reason === 'bad-credentials',
    ).length;

  before(async () => {
    server = await startTestServer({ throttlePolicy: policy, env: { NXFORGE_TRUST_PROXY: 'true' } });
    await server.services.users.create({ username: 'olivia', password, role: 'operator' });
  });
  after(() => server.close());
  beforeEach(async () => {
    await server.services.db.execute('DELETE FROM login_failures');
    await server.services.db.execute('DELETE FROM audit_log');
  });

  it('failures from one address lock that address, not the account: the user signs in from elsewhere', async () => {
    const stranger = await atLoginForm('10.2.0.1');
    for (let attempt = 0; attempt < 3; attempt += 1) {
      expect((await stranger.post('/login', { username: 'olivia', password: `guess-${attempt}` })).status).to.equal(
        401,
      );
    }
    expect((await stranger.post('/login', { username: 'olivia', password })).status).to.equal(429);
    expect((await stranger.post('/login', { username: 'admin', password: 'another-guess' })).status).to.equal(429);
    expect((await browser('10.2.0.2').login('olivia', password)).status).to.equal(303);
  });

  it('a browser that signed in before keeps signing in while strangers fail from many addresses', async () => {
    const own = browser('10.1.0.1');
    expect((await own.login('olivia', password)).status).to.equal(303);
    expect(own.cookies.get('nxf_device')).to.be.a('string');
    await own.post('/logout');
    // Two failures from each of three addresses: under the per-address limit (3), up to the account's (6).
    for (const address of ['10.9.0.1', '10.9.0.2', '10.9.0.3']) {
      const stranger = await atLoginForm(address);
      for (let attempt = 0; attempt < 2; attempt += 1) {
        expect((await stranger.post('/login', { username: 'olivia', password: 'wrong-guess' })).status).to.equal(401);
      }
    }
    // A browser that never signed in as olivia is now refused, even with the right password…
    const fresh = await browser('10.1.0.2').login('olivia', password);
    expect(fresh.status).to.equal(429);
    expect(fresh.text).to.contain('Too many failed sign-in attempts.');
    // …the one that did is not, and it has limits of its own: three failures lock that browser only.
    expect((await own.login('olivia', password)).status).to.equal(303);
    await own.post('/logout');
    await own.get('/login');
    for (let attempt = 0; attempt < 3; attempt += 1) {
      expect((await own.post('/login', { username: 'olivia', password: 'typo' })).status).to.equal(401);
    }
    expect((await own.post('/login', { username: 'olivia', password })).status).to.equal(429);
  });

  it('a device cookie that is forged or names another user counts for nothing', async () => {
    const admin = browser('10.5.0.9');
    await admin.login('admin', 'admin-password-for-tests');
    const adminDevice = admin.cookies.get('nxf_device') as string;
    const olivia = (await server.services.users.findForLogin('olivia'))!.user;
    const [, nonce, signature] = adminDevice.split('.');
    for (const [address, cookie] of [
      ['10.5.0.1', adminDevice],
      ['10.5.0.2', `${olivia.id}.${nonce}.${signature}`],
    ] as const) {
      const stranger = await atLoginForm(address);
      stranger.cookies.set('nxf_device', cookie);
      for (let attempt = 0; attempt < 3; attempt += 1) {
        expect((await stranger.post('/login', { username: 'olivia', password: 'guess' })).status).to.equal(401);
      }
      expect((await stranger.post('/login', { username: 'olivia', password })).status).to.equal(429);
    }
  });

  it('40 parallel wrong logins from a fresh address: only 3 reach the password check', async () => {
    const stranger = await atLoginForm('10.7.0.1');
    const statuses = await Promise.all(
      Array.from({ length: 40 }, (_, attempt) =>
        stranger.post('/login', { username: 'olivia', password: `parallel-${attempt}` }).then((r) => r.status),
      ),
    );
    // 401 is answered only after the password hash was checked; 429 before it.
    expect(statuses.filter((status) => status === 401)).to.have.length(3);
    expect(statuses.filter((status) => status === 429)).to.have.length(37);
    expect(await failedLogins()).to.equal(3);
  });

  it('40 parallel wrong logins from a known browser: only 3 reach the password check', async () => {
    const own = browser('10.8.0.1');
    expect((await own.login('olivia', password)).status).to.equal(303);
    await own.post('/logout');
    await own.get('/login');
    await server.services.db.execute('DELETE FROM audit_log');
    const statuses = await Promise.all(
      Array.from({ length: 40 }, (_, attempt) =>
        own.post('/login', { username: 'olivia', password: `parallel-${attempt}` }).then((r) => r.status),
      ),
    );
    expect(statuses.filter((status) => status === 401)).to.have.length(3);
    expect(await failedLogins()).to.equal(3);
  });
});
