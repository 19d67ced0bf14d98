import { expect } from 'chai';
import type { Browser, Page } from 'puppeteer-core';
import { clickSidebarLink, launchBrowser, signedInPage } from '../helpers/browser.js';
import { copyModuleFixture, installAndEnable } from '../helpers/modules.js';
import { startTestServer, testAdminPassword, type TestServer } from '../helpers/server.js';

describe('end to end in Chromium: a module appears, an admin disables it, it is gone', function () {
  this.timeout(60_000);
  let server: TestServer;
  let fixture: Awaited<ReturnType<typeof copyModuleFixture>>;
  let browser: Browser;
  let viewer: Page;
  let admin: Page;
  let problems: string[][];

  /** The sidebar's labels, without their icons. */
  const sidebarLabels = (page: Page) =>
    page.$$eval('nav[aria-label="Main"] a, nav[aria-label="Main"] .group', (nodes) =>
      nodes.map((n) =>
        [...n.childNodes]
          .filter((c) => c.nodeType === Node.TEXT_NODE)
          .map((c) => c.textContent)
          .join('')
          .trim(),
      ),
    );

  before(async () => {
    server = await startTestServer();
    fixture = await copyModuleFixture();
    await installAndEnable(server, fixture.dir);
    await server.services.users.create({ username: 'wall', password: 'wall-kiosk-pass', role: 'viewer' });
    browser = await launchBrowser();
    const wall = await signedInPage(
      browser,
      server.url,
      { username: 'wall', password: 'wall-kiosk-pass' },
      { width: 800, height: 480 },
    );
    const root = await signedInPage(browser, server.url, { username: 'admin', password: testAdminPassword });
    [viewer, admin] = [wall.page, root.page];
    problems = [wall.problems, root.problems];
  });
  after(async () => {
    await browser?.close();
    await server?.close();
    await fixture?.remove();
  });

  it("a viewer sees the module's sidebar entry and opens its page", async () => {
    expect(await sidebarLabels(viewer)).to.include.members(['Dummy', 'Items', 'Chart']);
    await clickSidebarLink(viewer, '/dummy/items');
    await viewer.waitForFunction(() => document.querySelector('h1')?.textContent === 'Dummy items');
    expect(await viewer.$eval('.greeting', (p) => p.textContent)).to.equal('Hello, wall.');
    await viewer.screenshot({ path: '/tmp/nxf-dummy-800x480.png' });
  });

  it('an admin disables it from the Modules page; the row is swapped in place', async () => {
    await admin.goto(`${server.url}/admin/modules`);
    await admin.click('#module-dummy button[type=submit]');
    await admin.waitForFunction(
      () => document.querySelector('#module-dummy .badge')?.textContent?.trim() === 'DISABLED',
    );
    expect(await admin.$eval('#module-dummy button[type=submit]', (b) => b.textContent?.trim())).to.match(/^Enable/);
    expect(await admin.$eval('#flash', (f) => f.textContent?.trim())).to.equal('dummy is disabled.');
  });

  it("the viewer's page now answers 403 and the entry is gone from the sidebar", async () => {
    const response = await viewer.reload();
    expect(response?.status()).to.equal(403);
    expect(await viewer.$eval('main', (m) => m.textContent)).to.contain('NXF_MODULE_DISABLED');
    await viewer.goto(`${server.url}/`);
    const labels = await sidebarLabels(viewer);
    expect(labels).to.not.include('Dummy');
    expect(labels).to.include('Dashboard');
  });

  it('raised no script errors, CSP violations or server errors', () => {
    expect(problems.flat()).to.deep.equal([]);
  });
});
