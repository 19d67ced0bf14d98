import { expect } from 'chai';
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import zlib from 'node:zlib';
import { copyModuleFixture, fixturePath, installAndEnable } from '../helpers/modules.js';
import { startTestServer, testAdminPassword, type TestServer } from '../helpers/server.js';
import { WebClient } from '../helpers/web-client.js';

/** A GET as a browser sends it, with the raw bytes of the answer (nothing decoded on the way). */
function rawRequest(url: string, headers: Record<string, string> = {}) {
  return new Promise<{ status: number; headers: http.IncomingHttpHeaders; bytes: Buffer }>((resolve, reject) => {
    http
      .get(url, { headers: { 'accept-encoding': 'br, gzip', ...headers } }, (response) => {
        const chunks: Buffer[] = [];
        response.on('data', (chunk: Buffer) => chunks.push(chunk));
        response.on('end', () =>
          resolve({ status: response.statusCode ?? 0, headers: response.headers, bytes: Buffer.concat(chunks) }),
        );
      })
      .on('error', reject);
  });
}

describe('page weight: compression, fingerprinted assets, 304 for unchanged fragments', () => {
  let server: TestServer;
  let remove: () => Promise<void>;
  let token: string;
  const display = { 'HX-Request': 'true', 'HX-Request-Type': 'partial' };

  before(async () => {
    server = await startTestServer();
    const dummy = await copyModuleFixture();
    remove = dummy.remove;
    await installAndEnable(server, dummy.dir);
    ({ token } = await server.services.displays.create({
      name: 'Weight',
      pages: ['/dummy/board'],
      rotateSeconds: 30,
      refreshMs: 30_000,
      theme: 'light',
      filter: {},
    }));
  });
  after(async () => {
    await server?.close();
    await remove?.();
  });

  it('compresses pages and text assets with brotli (gzip for clients without it); small answers stay as they are', async () => {
    const page = await rawRequest(`${server.url}/kiosk/${token}`);
    expect(page.headers['content-encoding']).to.equal('br');
    expect(zlib.brotliDecompressSync(page.bytes).toString()).to.contain('<p class="kiosk-name">Weight</p>');
    const gzipped = await rawRequest(`${server.url}/login`, { 'accept-encoding': 'gzip' });
    expect(gzipped.headers['content-encoding']).to.equal('gzip');
    expect(zlib.gunzipSync(gzipped.bytes).toString()).to.contain('<form');
    const htmx = await rawRequest(`${server.url}/static/vendor/htmx.min.js`);
    expect(htmx.headers['content-encoding']).to.equal('br');
    expect(htmx.bytes.length).to.be.lessThan(16_000);
    const health = await rawRequest(`${server.url}/healthz`);
    expect(health.headers['content-encoding'], 'under 1 KB').to.equal(undefined);
  });

  it("fingerprints a module's own files as the core's: immutable with the right ?h=, revalidated otherwise", async () => {
    const css = readFileSync(path.join(fixturePath('dummy-module'), 'public', 'dummy.css'));
    const fingerprint = createHash('sha256').update(css).digest('hex').slice(0, 16);
    const page = await fetch(`${server.url}/kiosk/${token}`);
    expect(await page.text()).to.contain(`href="/static/modules/dummy/dummy.css?h=${fingerprint}"`);
    const linked = await rawRequest(`${server.url}/static/modules/dummy/dummy.css?h=${fingerprint}`);
    expect(linked.headers['cache-control']).to.equal('public, max-age=31536000, immutable');
    const guessed = await rawRequest(`${server.url}/static/modules/dummy/dummy.css?h=0123456789abcdef`);
    expect(guessed.headers['cache-control']).to.equal('no-cache');
    const kioskCss = await rawRequest(`${server.url}/static/css/kiosk.css`);
    expect(kioskCss.status).to.equal(200);
  });

  it('a display knows the ETag of the page it was sent, so its first unchanged refresh is already a 304', async () => {
    const html = await (await fetch(`${server.url}/kiosk/${token}`)).text();
    const etag = /data-etag="([^"]+)"/.exec(html)?.[1]?.replace(/&quot;/g, '"');
    expect(etag).to.match(/^W\/".+"$/);
    const refresh = await rawRequest(`${server.url}/dummy/board`, {
      ...display,
      'X-Display-Token': token,
      'If-None-Match': etag!,
    });
    expect(refresh.status).to.equal(304);
    expect(refresh.bytes).to.have.length(0);
    await server.services.db.execute("INSERT INTO dm_item (name) VALUES ('new')");
    const changed = await rawRequest(`${server.url}/dummy/board`, { ...display, 'X-Display-Token': token, 'If-None-Match': etag! });
    expect(changed.status).to.equal(200);
    expect(changed.headers.etag).to.not.equal(etag);
  });

  it('answers a signed-in page compressed and its unchanged fragments with 304', async () => {
    const admin = new WebClient(server.url);
    await admin.login('admin', testAdminPassword);
    const cookie = [...admin.cookies].map(([name, value]) => `${name}=${value}`).join('; ');
    const jobs = await rawRequest(`${server.url}/jobs`, { cookie });
    expect(jobs.headers['content-encoding']).to.equal('br');
    const count = await rawRequest(`${server.url}/dummy/board/count`, { cookie, ...display });
    const again = await rawRequest(`${server.url}/dummy/board/count`, {
      cookie,
      ...display,
      'If-None-Match': String(count.headers.etag),
    });
    expect(again.status).to.equal(304);
  });
});
