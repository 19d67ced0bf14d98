import { expect } from 'chai';
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { corePaths } from '../../src/paths.js';
import { startTestServer, testAdminPassword, type TestServer } from '../helpers/server.js';
import { WebClient } from '../helpers/web-client.js';

const htmx = { 'HX-Request': 'true', 'HX-Request-Type': 'partial' };

/** The headers every response carries, cached or not. */
function expectSecurityHeaders(headers: Headers): void {
  expect(headers.get('content-security-policy')).to.contain("script-src 'self'");
  expect(headers.get('x-content-type-options')).to.equal('nosniff');
  expect(headers.get('x-frame-options')).to.equal('DENY');
}

/** Sends raw bytes and returns the raw answer (for what Node answers before the app sees a request). */
function rawExchange(url: string, request: string): Promise<string> {
  const { hostname, port } = new URL(url);
  return new Promise((resolve, reject) => {
    let answer = '';
    const socket = net.connect(Number(port), hostname, () => socket.end(request));
    socket.on('data', (chunk: Buffer) => (answer += chunk.toString()));
    socket.on('close', () => resolve(answer));
    socket.on('error', reject);
  });
}

describe('security: caching and headers on every kind of response', () => {
  let server: TestServer;
  let admin: WebClient;
  let token: string;
  before(async () => {
    server = await startTestServer();
    admin = new WebClient(server.url);
    await admin.login('admin', testAdminPassword);
    const user = (await server.services.users.findForLogin('admin'))!.user;
    token = (await server.services.apiTokens.create(user.id, 'headers test')).token;
  });
  after(() => server.close());

  it('no signed-in page, fragment, API answer or error may be stored', async () => {
    const responses = {
      page: await admin.get('/'),
      fragment: await admin.get('/jobs/rows', htmx),
      notFound: await admin.get('/no/such/page'),
      apiError: await admin.get('/api/v1/modules/nope/logs?offset=1.5'),
      healthz: await admin.get('/healthz'),
      login: await new WebClient(server.url).get('/login'),
    };
    expect(responses.fragment.text).to.not.contain('<html');
    expect(responses.notFound.status).to.equal(404);
    for (const [kind, response] of Object.entries(responses)) {
      expect(response.headers.get('cache-control'), kind).to.equal('no-store');
      expectSecurityHeaders(response.headers);
    }
    const api = await fetch(new URL('/api/v1/me', server.url), { headers: { authorization: `Bearer ${token}` } });
    expect(api.status).to.equal(200);
    expect(api.headers.get('cache-control')).to.equal('no-store');
  });

  it('the answers that show a secret once are not stored: a new API token, a generated password', async () => {
    const created = await admin.post('/profile/tokens', { name: 'shown once' });
    expect(created.text).to.match(/nxf_[A-Za-z0-9_-]{40}/);
    expect(created.headers.get('cache-control')).to.equal('no-store');
    const olivia = await server.services.users.create({
      username: 'olivia',
      password: 'olivia-password-1',
      role: 'viewer',
    });
    const reset = await admin.post(`/admin/users/${olivia.id}/password`);
    expect(reset.text).to.contain('New password for olivia');
    expect(reset.headers.get('cache-control')).to.equal('no-store');
  });

  it('pages link assets by content hash, served immutable; any other asset URL revalidates', async () => {
    for (const page of [await new WebClient(server.url).get('/login'), await admin.get('/')]) {
      const assets = [...page.text.matchAll(/(?:href|src)="(\/static\/[^"]+)"/g)].map((match) => match[1] as string);
      expect(assets.length, 'favicon, stylesheet, two scripts, icons').to.be.at.least(4);
      expect(page.text).to.not.contain('?v=');
      for (const asset of assets) {
        const url = new URL(asset, server.url);
        const file = url.pathname.startsWith('/static/vendor/')
          ? path.join(corePaths.htmxDist, path.basename(url.pathname))
          : path.join(corePaths.public, url.pathname.slice('/static/'.length));
        const hash = createHash('sha256').update(readFileSync(file)).digest('hex').slice(0, 16);
        expect(url.searchParams.get('h'), asset).to.equal(hash);
        const served = await fetch(url);
        expect(served.status, asset).to.equal(200);
        expect(served.headers.get('cache-control'), asset).to.equal('public, max-age=31536000, immutable');
        expectSecurityHeaders(served.headers);
      }
    }
    for (const url of ['/static/css/nxforge.css', '/static/css/nxforge.css?h=0123456789abcdef']) {
      const response = await fetch(new URL(url, server.url));
      expect(response.status, url).to.equal(200);
      expect(response.headers.get('cache-control'), url).to.equal('no-cache');
    }
  });

  it("Node's own answer to oversized headers carries the same headers", async () => {
    const answer = await rawExchange(
      server.url,
      `GET / HTTP/1.1\r\nHost: localhost\r\nX-Big: ${'a'.repeat(20_000)}\r\n\r\n`,
    );
    const [head = ''] = answer.split('\r\n\r\n');
    expect(head).to.match(/^HTTP\/1\.1 431 /);
    expect(head).to.match(/^Cache-Control: no-store$/im);
    expect(head).to.match(/^X-Content-Type-Options: nosniff$/im);
    expect(head).to.match(/^Content-Security-Policy: .*frame-ancestors 'none'/im);
    const malformed = await rawExchange(server.url, 'NOT A REQUEST\r\n\r\n');
    expect(malformed).to.match(/^HTTP\/1\.1 400 /);
    expect(malformed).to.match(/^X-Frame-Options: DENY$/im);
  });
});
