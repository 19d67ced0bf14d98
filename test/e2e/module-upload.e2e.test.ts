import { expect } from 'chai';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { Browser, Page } from 'puppeteer-core';
import { launchBrowser, signedInPage } from '../helpers/browser.js';
import { runCli } from '../helpers/cli.js';
import { startTestServer, testAdminPassword, type TestServer } from '../helpers/server.js';

describe('end to end: scaffold, pack, upload, enable, use, disable and uninstall a module', function () {
  this.timeout(90_000);
  let work: string;
  let zip: string;
  let server: TestServer;
  let browser: Browser;
  let page: Page;
  let problems: string[];

  before(async () => {
    work = await mkdtemp(path.join(os.tmpdir(), 'nxf-e2e-author-'));
    expect((await runCli(['module', 'new', 'shelf-notes', '--dir', work], {})).code).to.equal(0);
    const packed = await runCli(['module', 'pack', path.join(work, 'shelf-notes'), '--out', work], {});
    expect(packed.code, packed.stderr).to.equal(0);
    zip = path.join(work, 'shelf-notes-0.1.0.zip');
    server = await startTestServer();
    browser = await launchBrowser();
    ({ page, problems } = await signedInPage(browser, server.url, { username: 'admin', password: testAdminPassword }));
  });
  after(async () => {
    await browser?.close();
    await server?.close();
    await rm(work, { recursive: true, force: true });
  });

  const text = (selector: string) => page.$eval(selector, (element) => element.textContent?.trim() ?? '');
  const sidebarHas = (label: string) =>
    page.$$eval(
      'nav[aria-label="Main"] .group, nav[aria-label="Main"] a',
      (nodes, wanted) => nodes.some((n) => n.textContent?.trim() === wanted),
      label,
    );

  it('uploads the packed ZIP through the Modules page', async () => {
    await page.goto(`${server.url}/admin/modules`);
    const input = await page.$('#module-file');
    await (input as unknown as { uploadFile(file: string): Promise<void> }).uploadFile(zip);
    await page.click('#module-upload button[type=submit]');
    await page.waitForSelector('#module-shelf-notes');
    expect(await text('#flash')).to.equal('shelf-notes 0.1.0 is installed. Enable it to use it.');
    expect(await text('#module-shelf-notes .badge')).to.equal('INSTALLED');
  });

  it('enables it; its sidebar entry and page appear', async () => {
    await page.click('#module-shelf-notes button[type=submit]');
    await page.waitForFunction(
      () => document.querySelector('#module-shelf-notes .badge')?.textContent?.trim() === 'ENABLED',
    );
    await page.goto(`${server.url}/`);
    expect(await sidebarHas('Shelf Notes')).to.equal(true);
    await page.click('nav[aria-label="Main"] a[href="/shelf-notes"]');
    await page.waitForFunction(() => document.querySelector('h1')?.textContent === 'Shelf Notes');
    expect(await text('main p')).to.equal('Hello, admin.');
    await page.type('#field-text', 'spare PSU on shelf 3');
    await Promise.all([page.waitForNavigation(), page.click('main form button[type=submit]')]);
    expect(await text('main table tbody th')).to.equal('spare PSU on shelf 3');
  });

  it('disables it: the entry is gone and the page answers 403', async () => {
    await page.goto(`${server.url}/admin/modules`);
    await page.click('#module-shelf-notes button[type=submit]');
    await page.waitForFunction(
      () => document.querySelector('#module-shelf-notes .badge')?.textContent?.trim() === 'DISABLED',
    );
    await page.goto(`${server.url}/`);
    expect(await sidebarHas('Shelf Notes')).to.equal(false);
    const response = await page.goto(`${server.url}/shelf-notes`);
    expect(response?.status()).to.equal(403);
  });

  it('uninstalls it after showing what would be dropped', async () => {
    await page.goto(`${server.url}/admin/modules/shelf-notes/uninstall`);
    expect(await page.$eval('main', (m) => m.textContent)).to.contain('snx_note');
    await page.click('#purge');
    await Promise.all([page.waitForNavigation(), page.click('button.danger')]);
    expect(new URL(page.url()).pathname).to.equal('/admin/modules');
    expect(await text('#flash')).to.equal('shelf-notes is uninstalled and its data deleted.');
    expect(await page.$('#module-shelf-notes')).to.equal(null);
    expect((await page.goto(`${server.url}/shelf-notes`))?.status()).to.equal(404);
  });

  it("raised no script errors, CSP violations or server errors (the uninstalled page's 404 was asked for)", () => {
    expect(problems.filter((problem) => problem !== `404: ${server.url}/shelf-notes`)).to.deep.equal([]);
  });
});
