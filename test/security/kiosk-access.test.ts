import { expect } from 'chai';
import { randomBytes } from 'node:crypto';
import type { DisplaySettings } from '../../src/displays/display-input.js';
import { captureLog } from '../helpers/log-capture.js';
import { copyModuleFixture, installAndEnable } from '../helpers/modules.js';
import { startTestServer, testAdminPassword, type TestServer } from '../helpers/server.js';
import { WebClient } from '../helpers/web-client.js';

const fragment = { 'HX-Request': 'true', 'HX-Request-Type': 'partial' };
const board: DisplaySettings = {
  name: 'Row B',
  pages: ['/dummy/board'],
  rotateSeconds: 30,
  refreshMs: 30_000,
  theme: 'dark',
  filter: { rack: 'B' },
};

describe('security: a kiosk display reaches its own pages and nothing else', () => {
  let server: TestServer;
  let remove: () => Promise<void>;
  let token: string;
  let displayId: string;
  /** A request as the display's pages make it: the token in X-Display-Token. */
  const asDisplay = (path: string, init: RequestInit = {}, key = token) =>
    fetch(new URL(path, server.url), {
      redirect: 'manual',
      ...init,
      headers: { ...fragment, 'X-Display-Token': key, ...(init.headers as Record<string, string>) },
    });

  const log = captureLog('info');
  before(async () => {
    server = await startTestServer({ logger: log.logger });
    const dummy = await copyModuleFixture();
    remove = dummy.remove;
    await installAndEnable(server, dummy.dir);
    const created = await server.services.displays.create(board);
    token = created.token;
    displayId = created.display.id;
  });
  after(async () => {
    await server?.close();
    await remove?.();
  });

  it('opens at /kiosk/<token>: 256 bits in the URL, only their SHA-256 stored', async () => {
    expect(token).to.match(/^[A-Za-z0-9_-]{43}$/);
    expect(Buffer.from(token, 'base64url')).to.have.length(32);
    const row = await server.services.db.one<{ token_hash: string }>('SELECT token_hash FROM displays WHERE id = $1', [
      displayId,
    ]);
    expect(row?.token_hash).to.match(/^[0-9a-f]{64}$/);
    expect(JSON.stringify(row)).to.not.contain(token);
    const page = await fetch(`${server.url}/kiosk/${token}`);
    expect(page.status).to.equal(200);
    expect(await page.text()).to.contain('<p class="kiosk-name">Row B</p>');
  });

  it('a guessed, truncated or padded token is a plain 404, the same as any address that is not there', async () => {
    const unknown = await fetch(`${server.url}/no/such/page`);
    for (const guess of [
      randomBytes(32).toString('base64url'),
      token.slice(0, 42),
      `${token}x`,
      'x',
      token.toUpperCase(),
    ]) {
      const page = await fetch(`${server.url}/kiosk/${guess}`, { redirect: 'manual' });
      expect(page.status, guess).to.equal(404);
      expect(await page.text()).to.not.contain('revoked');
      const refresh = await asDisplay('/dummy/board', {}, guess);
      expect(refresh.status, guess).to.equal(404);
    }
    expect(unknown.status).to.equal(404);
  });

  it("reads its pages and the fragments under them; the page honours the display's rack filter", async () => {
    await server.services.db.execute("INSERT INTO dm_item (name, notes) VALUES ('in B', 'B'), ('in C', 'C')");
    const page = await asDisplay('/dummy/board');
    expect(page.status).to.equal(200);
    const html = await page.text();
    expect(html).to.contain('rack B').and.contain('in B').and.not.contain('in C');
    expect(html, 'the view alone, never the core layout').to.not.contain('<nav');
    const count = await asDisplay('/dummy/board/count');
    expect(await count.text()).to.contain('1 item in rack B');
  });

  it('anything else is 403 NXF_KIOSK_FORBIDDEN — other pages, core pages, the API, form posts — and never a login page', async () => {
    const refused = [
      await asDisplay('/dummy/items'),
      await asDisplay('/admin/users'),
      await asDisplay('/'),
      await asDisplay('/api/v1/modules'),
      await asDisplay('/api/v1/m/dummy/items'),
      await asDisplay('/dummy/board', {
        method: 'POST',
        body: 'name=x',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
      }),
      await asDisplay('/dummy/items', {
        method: 'POST',
        body: 'name=x',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
      }),
      await fetch(`${server.url}/kiosk/${token}`, { method: 'POST' }),
    ];
    for (const answer of refused) {
      expect(answer.status, answer.url).to.equal(403);
      expect(answer.headers.get('hx-redirect'), 'no trip to the login page').to.equal(null);
      expect(await answer.text()).to.contain('NXF_KIOSK_FORBIDDEN');
    }
    const api = await asDisplay('/api/v1/modules', { headers: { 'HX-Request': '' } });
    expect(((await api.json()) as { error: { code: string } }).error.code).to.equal('NXF_KIOSK_FORBIDDEN');
    const items = await server.services.db.select("SELECT 1 FROM dm_item WHERE name = 'x'");
    expect(items, 'nothing was written').to.have.length(0);
  });

  it("ignores the session of a signed-in user in the same browser: the display's token decides", async () => {
    const admin = new WebClient(server.url);
    await admin.login('admin', testAdminPassword);
    expect((await admin.get('/admin/users')).status).to.equal(200);
    const asKiosk = await admin.get('/admin/users', { ...fragment, 'X-Display-Token': token });
    expect(asKiosk.status).to.equal(403);
  });

  it('keeps its token to itself: no referrer leaves a display page, and the request log shows only its start', async () => {
    const page = await fetch(`${server.url}/kiosk/${token}`);
    expect(page.headers.get('referrer-policy')).to.equal('no-referrer');
    expect(await page.text()).to.contain('<meta name="referrer" content="no-referrer">');
    expect((await asDisplay('/dummy/board')).headers.get('referrer-policy')).to.equal('no-referrer');
    const logged = log.lines.filter((line) => line.msg === 'request' && String(line.path).startsWith('/kiosk/'));
    expect(logged.length).to.be.greaterThan(0);
    for (const line of logged) expect(line.path).to.match(/^\/kiosk\/[A-Za-z0-9_-]{0,6}…$/);
    expect(logged.map((line) => line.path)).to.include(`/kiosk/${token.slice(0, 6)}…`);
    expect(JSON.stringify(log.lines)).to.not.contain(token);
  });

  it('a page its module stopped offering for displays (an upgrade) is refused, and says so on the display and to admins', async () => {
    const both = await server.services.displays.create({
      ...board,
      name: 'Both',
      pages: ['/dummy/chart', '/dummy/board'],
    });
    const upgraded = await copyModuleFixture({
      manifest: (manifest) => {
        manifest.version = '1.0.1';
        for (const child of manifest.ui.sidebar.children) if (child.path === '/dummy/chart') delete child.kiosk;
      },
    });
    try {
      await server.services.modules.upgrade('dummy', upgraded.dir, { name: 'test' });
      const chart = await asDisplay('/dummy/chart', {}, both.token);
      expect(chart.status).to.equal(403);
      expect(await chart.text()).to.contain('Dummy module no longer offers /dummy/chart for displays');
      const page = await (await fetch(`${server.url}/kiosk/${both.token}`)).text();
      expect(page).to.contain('This page cannot be shown: Dummy module no longer offers /dummy/chart for displays.');
      const admin = new WebClient(server.url);
      await admin.login('admin', testAdminPassword);
      expect((await admin.get('/admin/displays')).text).to.contain(
        'not shown: Dummy module no longer offers /dummy/chart for displays',
      );
      // The page it still offers goes on working.
      expect((await asDisplay('/dummy/board', {}, both.token)).status).to.equal(200);
    } finally {
      await upgraded.remove();
    }
  });

  it('a rotated token says "display revoked" (410) and the new one works; a revoked one says so too', async () => {
    const rotated = await server.services.displays.rotate(displayId);
    const old = await fetch(`${server.url}/kiosk/${token}`);
    expect(old.status).to.equal(410);
    expect(await old.text())
      .to.contain('Display revoked')
      .and.contain('replaced by a new one');
    const oldRefresh = await asDisplay('/dummy/board');
    expect(oldRefresh.status).to.equal(410);
    expect(oldRefresh.headers.get('x-display-revoked')).to.equal('true');
    token = rotated!.token;
    expect((await asDisplay('/dummy/board')).status).to.equal(200);
    await server.services.displays.revoke(displayId);
    const revoked = await asDisplay('/dummy/board');
    expect(revoked.status).to.equal(410);
    expect(await revoked.text())
      .to.contain('Display revoked')
      .and.contain('An administrator revoked this display');
  });

  // Last: it removes the dummy module.
  it('a page whose module is removed: its refreshes are a plain 404, the display and its admins say why', async () => {
    const { token: key } = await server.services.displays.create({ ...board, name: 'Gone' });
    await server.services.modules.disable('dummy', { name: 'test' });
    await server.services.modules.uninstall('dummy', { name: 'test' });
    const refresh = await asDisplay('/dummy/board', {}, key);
    expect(refresh.status).to.equal(404);
    expect(refresh.headers.get('hx-redirect'), 'no trip to the login page').to.equal(null);
    const page = await fetch(`${server.url}/kiosk/${key}`);
    expect(page.status).to.equal(200);
    expect(await page.text()).to.contain('This page cannot be shown: no module serves /dummy/board.');
    const admin = new WebClient(server.url);
    await admin.login('admin', testAdminPassword);
    expect((await admin.get('/admin/displays')).text).to.contain('not shown: no module serves /dummy/board');
    // The display keeps its pages: installing the module again brings them back.
    const [gone] = (await server.services.displays.list()).filter((display) => display.name === 'Gone');
    expect(gone?.pages).to.deep.equal(['/dummy/board']);
  });
});
