import { expect } from 'chai';
import { defaultThrottlePolicy } from '../../src/auth/login-throttle.js';
import { sessionCacheTtlMs } from '../../src/auth/sessions.js';
import { sha256Hex } from '../../src/hash.js';
import { atClock } from '../helpers/clock.js';
import { eventually } from '../helpers/jobs.js';
import { createTestDatabase, type TestDatabase } from '../helpers/postgres.js';
import { startTestServer, type TestServer } from '../helpers/server.js';
import { WebClient } from '../helpers/web-client.js';

/**
 * Sessions, login throttling and the client's address, with two NxForge processes on one database: A as
 * installed by default (no proxy trusted, the default throttle), B behind a reverse proxy
 * (NXFORGE_TRUST_PROXY=true).
 */
describe('sessions, throttling and the reverse proxy, across two processes', function () {
  this.timeout(30_000);
  let database: TestDatabase;
  let a: TestServer;
  let b: TestServer;
  const password = 'sam-password-123';

  before(async () => {
    database = await createTestDatabase();
    a = await startTestServer({ database });
    b = await startTestServer({ database, env: { NXFORGE_TRUST_PROXY: 'true' } });
    await a.services.users.create({ username: 'sam', password, role: 'operator' });
  });
  after(async () => {
    await a?.close({ keep: true });
    await b?.close({ keep: true });
    await database?.drop();
  });
  beforeEach(() => a.services.db.execute('DELETE FROM login_failures'));

  const signedIn = async (server: TestServer, headers: Record<string, string> = {}) => {
    const client = new WebClient(server.url);
    await client.get('/login', headers);
    const response = await client.post('/login', { username: 'sam', password }, headers);
    expect(response.status).to.equal(303);
    await client.get('/', headers); // the signed-in page, for its CSRF token
    return { client, response, token: client.cookies.get('nxf_session') as string };
  };
  const session = (token: string) =>
    a.services.db.one<{ lifetime: number; idle: number }>(
      `SELECT extract(epoch FROM expires_at - created_at)::int AS lifetime,
              extract(epoch FROM expires_at - last_seen_at)::int AS idle
         FROM sessions WHERE id = $1`,
      [sha256Hex(token)],
    );
  const samId = async () => (await a.services.users.findForLogin('sam'))!.user.id;

  describe('sessions', () => {
    it('last 24 hours after the latest request and at most 30 days after sign-in', async () => {
      const { client, token } = await signedIn(a);
      // Signed in now: 24 h = 86 400 s ahead.
      expect(await session(token)).to.deep.equal({ lifetime: 86_400, idle: 86_400 });

      // A request more than a minute after the last one pushes the end to 24 h after it.
      const id = sha256Hex(token);
      await a.services.db.execute(
        `UPDATE sessions SET created_at = now() - interval '2 days', last_seen_at = now() - interval '2 minutes'
          WHERE id = $1`,
        [id],
      );
      await a.services.sessions.forgetUser(await samId());
      expect((await client.get('/')).status).to.equal(200);
      // 2 days old + 24 h = 3 days = 259 200 s from sign-in; 86 400 s from this request.
      expect(await session(token)).to.deep.equal({ lifetime: 259_200, idle: 86_400 });

      // Near the 30-day end, a request cannot push it further: 30 days = 2 592 000 s from sign-in.
      await a.services.db.execute(
        `UPDATE sessions SET created_at = now() - interval '29 days 23 hours', last_seen_at = now() - interval '2 minutes'
          WHERE id = $1`,
        [id],
      );
      await a.services.sessions.forgetUser(await samId());
      expect((await client.get('/')).status).to.equal(200);
      expect((await session(token))?.lifetime).to.equal(2_592_000);

      // Once the end has passed, the session is over.
      await a.services.db.execute("UPDATE sessions SET expires_at = now() - interval '1 second' WHERE id = $1", [id]);
      await a.services.sessions.forgetUser(await samId());
      expect((await client.get('/')).status).to.equal(302);
    });

    it('end in every process at once when ended in one (logout, user disabled), not after the cache TTL', async () => {
      expect(sessionCacheTtlMs, 'the documented cache TTL').to.equal(5000);
      for (const end of ['logout', 'disable'] as const) {
        const { client, token } = await signedIn(a);
        const onB = new WebClient(b.url);
        onB.cookies.set('nxf_session', token);
        // The clock stands still, so B's cached lookup cannot expire: only the eviction can drop it.
        await atClock(Date.now(), async () => {
          expect((await onB.get('/')).status).to.equal(200);
          expect(b.services.sessions.peek(token), 'cached in B').to.not.equal(undefined);
          if (end === 'logout') expect((await client.post('/logout')).status).to.equal(303);
          else {
            await a.services.users.setDisabled(await samId(), true);
            await a.services.sessions.destroyForUser(await samId());
          }
          await eventually(() => b.services.sessions.peek(token) === undefined);
          expect((await onB.get('/')).status, end).to.equal(302);
        });
        if (end === 'disable') await a.services.users.setDisabled(await samId(), false);
      }
    });
  });

  describe('POST /profile/password', () => {
    it('refuses a wrong current password, a weak one and a mismatch inline, keeping the session', async () => {
      const { client } = await signedIn(a);
      await client.get('/profile');
      const wrong = await client.post('/profile/password', {
        current: 'not-my-password',
        password: 'x',
        confirm: 'y',
      });
      expect(wrong.status).to.equal(422);
      expect(wrong.text)
        .to.contain('This is not your current password.')
        .and.to.contain('The two new passwords differ.')
        .and.to.contain('At least 12 characters.');
      expect((await client.get('/')).status).to.equal(200);
      expect((await new WebClient(a.url).login('sam', password)).status, 'unchanged').to.equal(303);
    });

    it('changes the password: this browser stays signed in with a new session, the others are signed out', async () => {
      const { client: here, token: before } = await signedIn(a);
      const { client: elsewhere } = await signedIn(b);
      await here.get('/profile');
      const changed = await here.post('/profile/password', {
        current: password,
        password: 'sam-new-password-456',
        confirm: 'sam-new-password-456',
      });
      expect(changed.status).to.equal(303);
      expect(changed.headers.get('location')).to.equal('/profile');
      const after = here.cookies.get('nxf_session');
      expect(after).to.be.a('string').and.to.not.equal(before);
      const page = await here.get('/profile');
      expect(page.status).to.equal(200);
      expect(page.text).to.contain('Your password has been changed; other sessions were signed out.');
      expect((await elsewhere.get('/')).status, 'the other process signed it out').to.equal(302);
      expect((await new WebClient(a.url).login('sam', password)).status).to.equal(401);
      expect((await new WebClient(a.url).login('sam', 'sam-new-password-456')).status).to.equal(303);
      const [entry] = await a.services.audit.query({ action: 'user.password_change', limit: 1 });
      expect(entry).to.include({ outcome: 'success', target: 'sam' });

      // With htmx the whole page is reloaded (its CSRF token belongs to the old session).
      await here.get('/profile');
      const htmx = await here.post(
        '/profile/password',
        { current: 'sam-new-password-456', password, confirm: password },
        { 'HX-Request': 'true', 'HX-Request-Type': 'partial' },
      );
      expect(htmx.status).to.equal(204);
      expect(htmx.headers.get('hx-redirect')).to.equal('/profile');
    });
  });

  describe('NXFORGE_TRUST_PROXY', () => {
    const proxied = { 'X-Forwarded-For': '203.0.113.9', 'X-Forwarded-Proto': 'https' };

    it("when true, takes the client's address and HTTPS from the proxy: audit log, throttling, Secure cookie", async () => {
      const { response } = await signedIn(b, proxied);
      const cookie = response.headers.getSetCookie().find((c) => c.startsWith('nxf_session='));
      expect(cookie).to.match(/;\s*secure/i);
      const [login] = await b.services.audit.query({ actor: 'sam', action: 'auth.login', limit: 1 });
      expect(login).to.include({ outcome: 'success', sourceIp: '203.0.113.9' });
      const client = new WebClient(b.url);
      await client.get('/login', proxied);
      expect((await client.post('/login', { username: 'sam', password: 'wrong' }, proxied)).status).to.equal(401);
      const keys = await b.services.db.select<{ key: string }>('SELECT key FROM login_failures ORDER BY key');
      expect(keys.map((row) => row.key)).to.deep.equal(['ip:203.0.113.9', 'pair:203.0.113.9 sam', 'user:sam']);
    });

    it('when false (the default), ignores X-Forwarded-* headers', async () => {
      const { response } = await signedIn(a, proxied);
      const cookie = response.headers.getSetCookie().find((c) => c.startsWith('nxf_session='));
      expect(cookie).to.not.match(/;\s*secure/i);
      const [login] = await a.services.audit.query({ actor: 'sam', action: 'auth.login', limit: 1 });
      expect(login).to.include({ outcome: 'success', sourceIp: '127.0.0.1' });
      const client = new WebClient(a.url);
      await client.get('/login', proxied);
      await client.post('/login', { username: 'sam', password: 'wrong' }, proxied);
      const keys = await a.services.db.select<{ key: string }>('SELECT key FROM login_failures ORDER BY key');
      expect(keys.map((row) => row.key)).to.deep.equal(['ip:127.0.0.1', 'pair:127.0.0.1 sam', 'user:sam']);
    });
  });

  describe('login throttling with the documented numbers (docs/operations.md)', () => {
    const fromHere = { username: 'sam', address: '127.0.0.1' };

    it('is the default policy: 3 failures free, then 0.5 s more each (at most 4 s); 10 lock for 15 minutes, 50 a username', () => {
      expect(a.services.throttle.policy).to.deep.equal({
        delayAfter: 3,
        delayStepMs: 500,
        maxDelayMs: 4000,
        lockAfter: 10,
        accountLockAfter: 50,
        windowMinutes: 15,
        lockMinutes: 15,
      });
      expect(a.services.throttle.policy).to.equal(defaultThrottlePolicy);
    });

    it('delays after the third failure and locks at the tenth for 15 minutes, even for the right password', async () => {
      const { throttle } = a.services;
      const delays: number[] = [];
      for (let attempt = 1; attempt <= 10; attempt += 1) delays.push((await throttle.begin(fromHere)).delayMs);
      // Attempt n is answered after (n − 1 − 3) × 500 ms once n − 1 > 3 failures precede it: 5 → 500 … 10 → 3000.
      expect(delays).to.deep.equal([0, 0, 0, 0, 500, 1000, 1500, 2000, 2500, 3000]);
      const lock = await a.services.db.one<{ seconds: number }>(
        `SELECT round(extract(epoch FROM locked_until - last_failed_at))::int AS seconds FROM login_failures
          WHERE key = 'pair:127.0.0.1 sam'`,
      );
      expect(lock?.seconds, '15 minutes').to.equal(900);
      const client = new WebClient(a.url);
      await client.get('/login');
      const locked = await client.post('/login', { username: 'sam', password });
      expect(locked.status).to.equal(429);
      expect(locked.headers.get('retry-after')).to.equal('900');
    });

    it('counts only failures within 15 minutes; a right password takes its attempt back', async () => {
      const { throttle, db } = a.services;
      for (let i = 0; i < 5; i += 1) await throttle.begin(fromHere);
      expect((await throttle.check(['pair:127.0.0.1 sam'])).delayMs, '5 failures: (5 − 3) × 500').to.equal(1000);
      // The same five, 16 minutes ago: outside the window, they count for nothing, and the next starts afresh.
      await db.execute(
        "UPDATE login_failures SET first_failed_at = now() - interval '16 minutes', last_failed_at = now() - interval '16 minutes'",
      );
      expect((await throttle.check(['pair:127.0.0.1 sam'])).delayMs).to.equal(0);
      await throttle.begin(fromHere);
      const failures = async (key: string) =>
        (await db.one<{ failures: number }>('SELECT failures FROM login_failures WHERE key = $1', [key]))?.failures;
      expect(await failures('pair:127.0.0.1 sam')).to.equal(1);
      await signedIn(a);
      expect(await failures('pair:127.0.0.1 sam'), "the browser's pair is forgotten").to.equal(undefined);
      expect(await failures('user:sam'), 'the failure before stays on the username').to.equal(1);
    });
  });
});
