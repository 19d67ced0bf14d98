import { expect } from 'chai';
import { contentSecurityPolicy } from '../../src/web/middleware/security-headers.js';
import { startTestServer, testAdminPassword, type TestServer } from '../helpers/server.js';
import { rawGet, WebClient } from '../helpers/web-client.js';

describe('layout, static files and headers', () => {
  let server: TestServer;
  let admin: WebClient;
  let viewer: WebClient;

  before(async () => {
    server = await startTestServer();
    await server.services.users.create({ username: 'vera', password: 'vera-password-1', role: 'viewer' });
    admin = new WebClient(server.url);
    await admin.login('admin', testAdminPassword);
    viewer = new WebClient(server.url);
    await viewer.login('vera', 'vera-password-1');
  });
  after(() => server.close());

  it('puts security headers on pages, static files, errors and the API', async () => {
    for (const path of ['/login', '/static/css/nxforge.css', '/nowhere', '/api/v1/me', '/healthz']) {
      const response = await fetch(new URL(path, server.url));
      expect(response.headers.get('content-security-policy'), path).to.equal(contentSecurityPolicy);
      expect(response.headers.get('x-content-type-options'), path).to.equal('nosniff');
      expect(response.headers.get('referrer-policy'), path).to.equal('same-origin');
      expect(response.headers.get('x-request-id'), path).to.match(/^[0-9a-f-]{36}$/);
    }
    expect(contentSecurityPolicy).to.contain("script-src 'self'").and.to.contain("frame-ancestors 'none'");
    expect(contentSecurityPolicy).to.not.contain('unsafe-inline');
  });

  it('keeps a sane X-Request-Id from the caller', async () => {
    const response = await fetch(new URL('/healthz', server.url), { headers: { 'x-request-id': 'abc-123' } });
    expect(response.headers.get('x-request-id')).to.equal('abc-123');
  });

  it('serves htmx from the installed package and the stylesheet from public/, with no inline script', async () => {
    const htmx = await fetch(new URL('/static/vendor/htmx.min.js', server.url));
    expect(htmx.status).to.equal(200);
    expect(htmx.headers.get('content-type')).to.match(/javascript/);
    expect(await htmx.text()).to.contain('4.0');
    expect((await fetch(new URL('/static/js/nxforge.js', server.url))).status).to.equal(200);
    expect((await fetch(new URL('/static/vendor/htmx.esm.js', server.url))).status).to.equal(404);
    const page = await admin.get('/');
    expect(page.text).to.not.match(/<script(?![^>]*\ssrc=)[^>]*>/);
    expect(page.text).to.not.match(/\son[a-z]+=/);
  });

  it('refuses paths that climb out of public/, sent raw, encoded and double-encoded', async () => {
    // The same file through a raw path is served: the requests below reach the server exactly as written.
    expect((await rawGet(server.url, '/static/css/../css/nxforge.css')).status).to.equal(200);
    const attempts = [
      '/static/../package.json',
      '/static/css/../../package.json',
      '/static/%2e%2e/package.json',
      '/static/%2E%2E%2Fpackage.json',
      '/static/..%2fpackage.json',
      '/static/css/%2e%2e%2f%2e%2e%2fpackage.json',
      '/static/%252e%252e/package.json',
      '/static/%252e%252e%252fpackage.json',
      '/static/vendor/..%2f..%2fpackage.json',
    ];
    for (const attempt of attempts) {
      const response = await rawGet(server.url, attempt);
      expect(response.status, attempt).to.be.oneOf([400, 403, 404]);
      expect(response.body, attempt).to.not.contain('"name": "nxforge"');
    }
  });

  it('composes the sidebar per user: admins see Users, viewers do not; the current page is marked', async () => {
    const adminPage = await admin.get('/admin/users');
    expect(adminPage.text).to.contain('<nav class="sidebar" id="sidebar" aria-label="Main">');
    expect(adminPage.text).to.match(/<a href="\/admin\/users" aria-current="page">/);
    expect(adminPage.text).to.match(/<a href="\/" >/);
    const viewerPage = await viewer.get('/');
    expect(viewerPage.text).to.not.contain('href="/admin/users"');
    expect(viewerPage.text).to.match(/<a href="\/" aria-current="page">/);
  });

  it('has a CSRF meta tag, a skip link and a main landmark; boosts navigation', async () => {
    const page = await admin.get('/');
    expect(page.text).to.match(/<meta name="csrf-token" content="[A-Za-z0-9_-]{43}">/);
    expect(page.text).to.contain('<a class="skip-link" href="#main">');
    expect(page.text).to.contain('<main id="main"');
    expect(page.text).to.contain('hx-boost:inherited="true"');
  });

  it('answers an htmx fragment request with the fragment alone and a boosted one with the whole page', async () => {
    const fragment = await admin.get('/profile', { 'HX-Request': 'true', 'HX-Request-Type': 'partial' });
    expect(fragment.text).to.not.contain('<html');
    const boosted = await admin.get('/profile', {
      'HX-Request': 'true',
      'HX-Request-Type': 'full',
      'HX-Boosted': 'true',
    });
    expect(boosted.text).to.contain('<html');
  });

  it('answers unknown pages with an HTML 404 and unknown API paths with JSON', async () => {
    const page = await admin.get('/no/such/page');
    expect(page.status).to.equal(404);
    expect(page.text).to.contain('NXF_NOT_FOUND');
    expect(page.text).to.contain('<html');
    const api = await admin.get('/api/v1/nothing');
    expect(api.status).to.equal(404);
    expect(api.json()).to.deep.equal({ error: { code: 'NXF_NOT_FOUND', message: 'Nothing at /api/v1/nothing.' } });
  });

  it('answers malformed JSON with a 400 in JSON', async () => {
    const { token } = await server.services.apiTokens.create(
      (await server.services.users.findForLogin('admin'))!.user.id,
      't',
    );
    const response = await fetch(new URL('/api/v1/me', server.url), {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: '{"broken": ',
    });
    expect(response.status).to.equal(400);
    expect(((await response.json()) as { error: { code: string } }).error.code).to.equal('NXF_BAD_REQUEST');
  });
});

describe('GET /healthz', () => {
  it('is 200 {"status":"ok"} while the database answers and 503 when it does not', async () => {
    const server = await startTestServer();
    try {
      const ok = await fetch(new URL('/healthz', server.url));
      expect(ok.status).to.equal(200);
      expect(await ok.json()).to.deep.equal({ status: 'ok' });
      await server.database.drop();
      const down = await fetch(new URL('/healthz', server.url));
      expect(down.status).to.equal(503);
      expect(((await down.json()) as { status: string }).status).to.equal('unavailable');
    } finally {
      await server.close({ keep: true });
    }
  });
});
