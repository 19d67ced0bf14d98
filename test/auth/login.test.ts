import { expect } from 'chai';
import { sha256Hex } from '../../src/hash.js';
import { atClock } from '../helpers/clock.js';
import { startTestServer, testAdminPassword, type TestServer } from '../helpers/server.js';
import { WebClient } from '../helpers/web-client.js';

describe('sign-in and sessions', () => {
  let server: TestServer;
  before(async () => {
    server = await startTestServer({
      throttlePolicy: {
        delayAfter: 2,
        delayStepMs: 50,
        maxDelayMs: 200,
        lockAfter: 4,
        windowMinutes: 15,
        lockMinutes: 15,
      },
    });
    await server.services.users.create({ username: 'olivia', password: 'olivia-password-1', role: 'operator' });
  });
  after(() => server.close());
  beforeEach(() => server.services.db.execute('DELETE FROM login_failures'));

  it('first boot created admin with NXFORGE_ADMIN_PASSWORD', async () => {
    const found = await server.services.users.findForLogin('admin');
    expect(found?.user.role).to.equal('admin');
  });

  it('signs in with a 303 and an HttpOnly, SameSite session cookie, and out again', async () => {
    const client = new WebClient(server.url);
    const response = await client.login('admin', testAdminPassword);
    expect(response.status).to.equal(303);
    expect(response.headers.get('location')).to.equal('/');
    const cookie = response.headers.getSetCookie().find((c) => c.startsWith('nxf_session='));
    expect(cookie)
      .to.match(/httponly/i)
      .and.to.match(/samesite=lax/i);
    expect((await client.get('/')).status).to.equal(200);

    const logout = await client.post('/logout');
    expect(logout.status).to.equal(303);
    expect(logout.headers.get('location')).to.equal('/login');
    expect((await client.get('/')).status).to.equal(302);
    const audit = await server.services.audit.query({ actor: 'admin', action: 'auth.' });
    expect(audit.map((entry) => entry.action)).to.include.members(['auth.login', 'auth.logout']);
  });

  it('returns to the page asked for, but never to another site', async () => {
    const client = new WebClient(server.url);
    const denied = await client.get('/admin/users');
    expect(denied.headers.get('location')).to.equal('/login?next=%2Fadmin%2Fusers');
    await client.get('/login?next=%2Fadmin%2Fusers');
    const response = await client.post('/login', {
      username: 'admin',
      password: testAdminPassword,
      next: '/admin/users',
    });
    expect(response.headers.get('location')).to.equal('/admin/users');

    const other = new WebClient(server.url);
    await other.get('/login');
    const evil = await other.post('/login', {
      username: 'admin',
      password: testAdminPassword,
      next: '//evil.example/',
    });
    expect(evil.headers.get('location')).to.equal('/');
  });

  it('refuses a wrong password and empty credentials with the form shown again', async () => {
    const client = new WebClient(server.url);
    const wrong = await client.login('admin', 'not-the-password');
    expect(wrong.status).to.equal(401);
    expect(wrong.text).to.contain('Incorrect username or password.');
    expect(wrong.text).to.contain('value="admin"');
    expect(client.cookies.has('nxf_session')).to.equal(false);

    const empty = await client.post('/login', { username: '', password: '' });
    expect(empty.status).to.equal(400);
    expect(empty.text).to.contain('Enter your username and password.');

    const unknown = await client.post('/login', { username: 'nobody', password: 'whatever-password' });
    expect(unknown.status).to.equal(401);
    expect(unknown.text).to.contain('Incorrect username or password.');
  });

  it('accepts an over-long username as a failed attempt, not an error', async () => {
    const client = new WebClient(server.url);
    const response = await client.login('u'.repeat(5000), 'x');
    expect(response.status).to.equal(401);
  });

  it('slows repeated failures down, then refuses even the right password for a while', async () => {
    const client = new WebClient(server.url);
    await client.get('/login');
    const { throttle } = server.services;
    const delays: number[] = [];
    for (let attempt = 0; attempt < 4; attempt += 1) {
      delays.push((await throttle.check(['user:olivia'])).delayMs);
      const response = await client.post('/login', { username: 'olivia', password: `wrong-${attempt}` });
      expect(response.status).to.equal(401);
    }
    // No delay up to `delayAfter` (2) failures, then delayStepMs more for each one past it.
    expect(delays).to.deep.equal([0, 0, 0, 50]);
    const locked = await client.post('/login', { username: 'olivia', password: 'olivia-password-1' });
    expect(locked.status).to.equal(429);
    expect(locked.text).to.match(/Too many failed sign-in attempts\. Try again in 15 minutes\./);
    expect(locked.headers.get('retry-after')).to.equal('900');
    const audit = await server.services.audit.query({ actor: 'olivia', action: 'auth.login' });
    expect(audit[0]).to.include({ outcome: 'failure' }).and.to.have.nested.property('details.reason', 'locked');

    // Once the lock has run out, the right password works again.
    await server.services.db.execute("UPDATE login_failures SET locked_until = now() - interval '1 second'");
    expect((await client.post('/login', { username: 'olivia', password: 'olivia-password-1' })).status).to.equal(303);
  });

  it('locks an address that tries many usernames', async () => {
    const client = new WebClient(server.url);
    await client.get('/login');
    for (let attempt = 0; attempt < 4; attempt += 1) {
      await client.post('/login', { username: `guess-${attempt}`, password: 'nope-nope-nope' });
    }
    const response = await client.post('/login', { username: 'admin', password: testAdminPassword });
    expect(response.status).to.equal(429);
  });

  it('refuses a disabled user, and ends their existing sessions when disabled', async () => {
    const user = await server.services.users.create({ username: 'dora', password: 'dora-password-12', role: 'viewer' });
    const client = new WebClient(server.url);
    expect((await client.login('dora', 'dora-password-12')).status).to.equal(303);
    await server.services.users.setDisabled(user.id, true);
    expect((await client.get('/')).status).to.equal(302);
    const again = await new WebClient(server.url).login('dora', 'dora-password-12');
    expect(again.status).to.equal(403);
    expect(again.text).to.contain('This account is disabled.');
  });

  it('treats a tampered or expired session cookie as signed out and clears it', async () => {
    const client = new WebClient(server.url);
    await client.login('admin', testAdminPassword);
    const token = client.cookies.get('nxf_session') as string;

    const tampered = new WebClient(server.url);
    tampered.cookies.set('nxf_session', `${token.slice(0, -2)}xx`);
    const response = await tampered.get('/');
    expect(response.status).to.equal(302);
    expect(response.headers.get('location')).to.equal('/login');
    expect(tampered.cookies.has('nxf_session')).to.equal(false);

    // A cached lookup is not trusted past the session's own expiry, even within the cache's 5 s. The clock is
    // moved instead of waited for: the session is made to expire 4 s after "now" (the server's), looked up and
    // cached at that now, then the clock is moved past the expiry, where the database agrees it has ended.
    const id = sha256Hex(token);
    const adminId = (await server.services.users.findForLogin('admin'))!.user.id;
    let expiresAt = 0;
    for (let attempt = 1; ; attempt += 1) {
      const row = await server.services.db.one<{ expires: Date }>(
        "UPDATE sessions SET expires_at = now() + interval '4 seconds' WHERE id = $1 RETURNING expires_at AS expires",
        [id],
      );
      expiresAt = row!.expires.getTime();
      await server.services.sessions.forgetUser(adminId);
      client.cookies.set('nxf_session', token);
      // Fails only when the lookup came more than 4 s after the update; then the next try starts afresh.
      if ((await atClock(expiresAt - 4000, () => client.get('/'))).status === 200) break;
      expect(attempt, 'looked up within 4 s of the update').to.be.below(3);
    }
    await server.services.db.execute("UPDATE sessions SET expires_at = now() - interval '1 second' WHERE id = $1", [
      id,
    ]);
    expect((await atClock(expiresAt + 1, () => client.get('/'))).status).to.equal(302);
  });
});

describe('sessions across a restart', () => {
  it('a signed-in browser stays signed in after the server restarts', async () => {
    const first = await startTestServer();
    const client = new WebClient(first.url);
    await client.login('admin', testAdminPassword);
    await first.close({ keep: true });

    const second = await startTestServer({ database: first.database, dataDir: first.dataDir });
    try {
      const restarted = new WebClient(second.url);
      for (const [name, value] of client.cookies) restarted.cookies.set(name, value);
      const page = await restarted.get('/');
      expect(page.status).to.equal(200);
      expect(page.text).to.contain('Signed in as <strong>admin</strong>');
    } finally {
      await second.close();
      await first.database.drop();
    }
  });
});
