import { expect } from 'chai';
import type { Browser, HTTPRequest, Page } from 'puppeteer-core';
import { launchBrowser, signedInPage } from '../helpers/browser.js';
import { copyMinimalModule, copyModuleFixture, installAndEnable, testActor } from '../helpers/modules.js';
import { startTestServer, testAdminPassword, type TestServer } from '../helpers/server.js';

/** The element focused now, marked so that a later look can tell whether it is still the same node. */
declare global {
  interface Window {
    marked?: Element | null;
  }
}
const markFocused = (page: Page) => page.evaluate(() => (window.marked = document.activeElement));
const stillFocused = (page: Page) =>
  page.evaluate(() => !!window.marked?.isConnected && document.activeElement === window.marked);
const text = (page: Page, selector: string) =>
  page.$eval(selector, (element) => element.textContent?.replace(/\s+/g, ' ').trim() ?? '');

describe('live pages in Chromium: lost sessions, failed polls, focus, errors that say why, busy buttons', function () {
  this.timeout(90_000);
  let server: TestServer;
  let browser: Browser;
  let admin: Page;
  let adminProblems: string[];
  const removals: Array<() => Promise<void>> = [];

  before(async () => {
    server = await startTestServer();
    const dummy = await copyModuleFixture();
    removals.push(dummy.remove);
    await installAndEnable(server, dummy.dir);
    // A module whose JS migration cannot be loaded: enabling it must say so.
    const broken = await copyMinimalModule('broken-migration', {
      files: { 'migrations/001_bad.js': 'export async function up( {\n' },
    });
    removals.push(broken.remove);
    await server.services.modules.installFromDirectory(broken.dir, 'installed', testActor);
    await server.services.users.create({ username: 'otto', password: 'operator-password', role: 'operator' });
    await server.services.users.create({ username: 'rita', password: 'rita-password-1', role: 'viewer' });
    browser = await launchBrowser();
    ({ page: admin, problems: adminProblems } = await signedInPage(
      browser,
      server.url,
      { username: 'admin', password: testAdminPassword },
      { width: 800, height: 480 },
    ));
    admin.on('dialog', (dialog) => void dialog.accept());
  });
  after(async () => {
    await browser?.close();
    await server?.close();
    for (const remove of removals) await remove();
  });

  it('a poll that meets an ended session sends the user to sign in and back to the page, with the layout', async () => {
    const { page } = await signedInPage(browser, server.url, { username: 'otto', password: 'operator-password' });
    await page.goto(`${server.url}/jobs`);
    const otto = await server.services.users.findForLogin('otto');
    await server.services.sessions.destroyForUser(otto!.user.id);
    // The next poll of /jobs/rows is answered 401: the browser goes to the login page, not to the fragment.
    await page.waitForFunction(() => location.pathname === '/login', { timeout: 20_000 });
    expect(new URL(page.url()).searchParams.get('next')).to.equal('/jobs');
    expect(await text(page, '#flash')).to.equal('Your session ended — sign in again.');
    await page.type('#field-username', 'otto');
    await page.type('#field-password', 'operator-password');
    await Promise.all([page.waitForNavigation(), page.click('button[type=submit]')]);
    expect(new URL(page.url()).pathname).to.equal('/jobs');
    expect(await text(page, 'h1')).to.equal('Jobs');
    expect(await page.$('header.topbar'), 'the whole page, in the layout').to.not.equal(null);
    await page.close();
  });

  it('the login error appears once, not under every field', async () => {
    const page = await (await browser.createBrowserContext()).newPage();
    await page.goto(`${server.url}/login`);
    await page.type('#field-username', 'admin');
    await page.type('#field-password', 'not-the-password');
    await Promise.all([page.waitForNavigation(), page.click('button[type=submit]')]);
    const body = await page.$eval('main', (main) => main.textContent ?? '');
    expect(body.split('Incorrect username or password.').length - 1).to.equal(1);
    expect(await page.$$('.field .error')).to.have.length(0);
    await page.close();
  });

  it('keeps keyboard focus on a control across a poll that changes its row, and across a row action', async () => {
    await admin.goto(`${server.url}/jobs`);
    await admin.focus('#job-dummy-tick form[action$="/pause"] button');
    await markFocused(admin);
    // The job runs every five seconds, so its row changes under the focused button within a poll or two.
    const before = await text(admin, '#job-dummy-tick');
    await admin.waitForFunction(
      (old) => document.querySelector('#job-dummy-tick')?.textContent?.replace(/\s+/g, ' ').trim() !== old,
      { timeout: 20_000 },
      before,
    );
    expect(await stillFocused(admin), 'focus after a poll').to.equal(true);
    await admin.keyboard.press('Enter');
    await admin.waitForFunction(() => document.activeElement?.textContent?.startsWith('Resume'));
    expect(await stillFocused(admin), 'the same button, now Resume').to.equal(true);
    expect(await text(admin, '#flash')).to.equal('dummy/tick is paused: it runs only when started by hand.');
    await admin.keyboard.press('Enter');
    await admin.waitForFunction(() => document.activeElement?.textContent?.startsWith('Pause'));
    expect(await stillFocused(admin)).to.equal(true);
  });

  it('does not swap a polled fragment that did not change: it is answered 304', async () => {
    await admin.goto(`${server.url}/admin/modules/dummy`);
    const statuses: number[] = [];
    const nextLogAnswer = () =>
      new Promise<void>((resolve) => {
        const onResponse = (response: { url(): string; status(): number }) => {
          if (!response.url().endsWith('/admin/modules/dummy/log')) return;
          statuses.push(response.status());
          admin.off('response', onResponse);
          resolve();
        };
        admin.on('response', onResponse);
      });
    const settled = () => admin.waitForFunction(() => !document.querySelector('#module-log.htmx-request'));
    // The first poll teaches the page the fragment's ETag; from then on the log is watched for any change.
    await nextLogAnswer();
    await settled();
    await admin.evaluate(() => {
      const changes = { count: 0 };
      (window as unknown as { logChanges: typeof changes }).logChanges = changes;
      const observer = new MutationObserver(() => (changes.count += 1));
      observer.observe(document.querySelector('#module-log')!, { subtree: true, childList: true, characterData: true });
    });
    await nextLogAnswer();
    await settled();
    expect(statuses).to.deep.equal([200, 304]);
    const changes = await admin.evaluate(
      () => (window as unknown as { logChanges: { count: number } }).logChanges.count,
    );
    expect(changes, 'nothing in the log was swapped').to.equal(0);
  });

  it('a row action (Save on Users) keeps focus on its button, shows it busy, and clears the last message', async () => {
    await admin.goto(`${server.url}/admin/users`);
    const rita = (await server.services.users.findForLogin('rita'))!.user;
    // A reset password is shown once, in the flash area …
    await admin.click(`#user-${rita.id} form[action$="/password"] button`);
    await admin.waitForFunction(() => document.querySelector('#flash')?.textContent?.includes('New password for rita'));
    await admin.select(`#role-${rita.id}`, 'operator');
    await admin.focus(`#user-${rita.id} form[action$="/role"] button`);
    await markFocused(admin);
    // … and is gone as soon as the next action starts. That action is held on its way to show the busy button.
    await admin.setRequestInterception(true);
    const held = new Promise<HTTPRequest>((resolve) =>
      admin.on('request', (request) => (request.url().endsWith('/role') ? resolve(request) : void request.continue())),
    );
    await admin.keyboard.press('Enter');
    const request = await held;
    expect(await admin.$eval('#flash', (flash) => flash.textContent?.trim())).to.equal('');
    const busy = await admin.evaluate(() => ({
      aria: document.activeElement?.getAttribute('aria-busy'),
      spinner: getComputedStyle(document.activeElement!, '::after').animationName,
    }));
    expect(busy).to.deep.equal({ aria: 'true', spinner: 'nx-spin' });
    await request.continue();
    await admin.waitForFunction(() => document.querySelector('#flash')?.textContent?.includes('rita is now operator'));
    admin.removeAllListeners('request');
    await admin.setRequestInterception(false);
    expect(await stillFocused(admin), 'focus on Save after the row was morphed').to.equal(true);
    expect(await admin.evaluate(() => document.activeElement?.getAttribute('aria-busy'))).to.equal(null);
    expect(await text(admin, '#flash')).to.not.contain('New password');
  });

  it('enabling a module whose code cannot load says what failed, on the row and in the flash, with its log a click away', async () => {
    await admin.goto(`${server.url}/admin/modules`);
    await admin.click('#module-broken-migration button[type=submit]');
    await admin.waitForSelector('#flash .flash-error');
    expect(await text(admin, '#flash')).to.match(
      /^broken-migration could not be enabled: migration 001_bad\.js could not be loaded: .+ Open the log of broken-migration$/,
    );
    expect(await text(admin, '#module-broken-migration .error')).to.match(
      /^migration 001_bad\.js could not be loaded: .+ Open the log of broken-migration$/,
    );
    await admin.click('#module-broken-migration .error a');
    await admin.waitForFunction(() => location.pathname === '/admin/modules/broken-migration');
    expect(await text(admin, '#module-log')).to.match(/enable failed: migration 001_bad\.js could not be loaded/);
  });

  it('raised no script errors or CSP violations on the way', () => {
    expect(adminProblems).to.deep.equal([]);
  });

  it('a poll the server does not answer marks its data stale with its age, and recovers by itself', async () => {
    const { page } = await signedInPage(browser, server.url, { username: 'admin', password: testAdminPassword });
    await page.goto(`${server.url}/jobs`);
    const rows = await page.$$eval('#job-rows tr', (trs) => trs.length);
    const port = Number(new URL(server.url).port);
    await new Promise<void>((resolve) => {
      server.server.close(() => resolve());
      server.server.closeAllConnections();
    });
    try {
      await page.waitForSelector('.poll-stale', { timeout: 20_000 });
      expect(await text(page, '.poll-stale')).to.match(
        /^Not updated since \d\d:\d\d:\d\d UTC \(\d+ s ago\): the server could not be reached\. Retrying by itself\.$/,
      );
      expect(await page.$eval('#job-rows', (tbody) => tbody.hasAttribute('data-stale'))).to.equal(true);
      expect(await page.$$eval('#job-rows tr', (trs) => trs.length), 'the old data stays').to.equal(rows);
    } finally {
      await new Promise<void>((resolve) => server.server.listen(port, '127.0.0.1', resolve));
    }
    await page.waitForSelector('.poll-stale', { hidden: true, timeout: 20_000 });
    expect(await page.$eval('#job-rows', (tbody) => tbody.hasAttribute('data-stale'))).to.equal(false);
    await page.close();
  });
});
