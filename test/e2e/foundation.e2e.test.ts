import { expect } from 'chai';
import type { Browser, Page } from 'puppeteer-core';
import { clickSidebarLink, launchBrowser } from '../helpers/browser.js';
import { watchPageProblems } from '../helpers/page-watch.js';
import { startTestServer, testAdminPassword, type TestServer } from '../helpers/server.js';

describe('end to end in Chromium: sign in, sidebar, create a user, sign out', function () {
  this.timeout(60_000);
  let server: TestServer;
  let browser: Browser;
  let page: Page;
  let problems: string[];

  before(async () => {
    server = await startTestServer();
    browser = await launchBrowser();
    page = await browser.newPage();
    await page.setViewport({ width: 800, height: 480 });
    problems = watchPageProblems(page);
  });
  after(async () => {
    await browser?.close();
    await server?.close();
  });

  const text = (selector: string) => page.$eval(selector, (element) => element.textContent?.trim() ?? '');

  it('signs in through the login form', async () => {
    await page.goto(`${server.url}/admin/users`);
    expect(new URL(page.url()).pathname).to.equal('/login');
    await page.type('#field-username', 'admin');
    await page.type('#field-password', testAdminPassword);
    await Promise.all([page.waitForNavigation(), page.click('button[type=submit]')]);
    expect(new URL(page.url()).pathname).to.equal('/admin/users');
    expect(await text('h1')).to.equal('Users');
  });

  it('shows the sidebar as a navigation landmark with the current page marked', async () => {
    const labels = await page.$$eval('nav[aria-label="Main"] a', (links) => links.map((a) => a.textContent?.trim()));
    expect(labels).to.include.members(['Dashboard', 'Users']);
    expect(await text('nav[aria-label="Main"] a[aria-current="page"]')).to.contain('Users');
  });

  it('navigates with boosted links, without reloading the page', async () => {
    await page.evaluate(() => ((window as unknown as { marker: number }).marker = 42));
    await clickSidebarLink(page, '/');
    await page.waitForFunction(() => document.querySelector('h1')?.textContent === 'Dashboard');
    expect(await page.evaluate(() => (window as unknown as { marker?: number }).marker)).to.equal(42);
    expect(new URL(page.url()).pathname).to.equal('/');
    await clickSidebarLink(page, '/admin/users');
    await page.waitForFunction(() => document.querySelector('h1')?.textContent === 'Users');
  });

  it('shows validation errors inline without leaving the page', async () => {
    await page.type('#user-create #field-username', 'bad name');
    await page.click('#user-create button[type=submit]');
    await page.waitForSelector('#user-create .field.has-error');
    expect(await text('#field-username-error')).to.contain('Letters, digits');
    expect(await page.$('#field-password-error'), 'an empty password is allowed (one is generated)').to.equal(null);
  });

  it('creates a user through the htmx form: the row appears, the form resets, a message shows', async () => {
    await page.evaluate(() => ((window as unknown as { marker: number }).marker = 7));
    const username = await page.$('#user-create #field-username');
    await username?.click({ clickCount: 3 });
    await username?.type('grace');
    await page.select('#user-create #field-role', 'operator');
    await page.type('#user-create #field-password', 'grace-password-1');
    await page.click('#user-create button[type=submit]');
    await page.waitForFunction(() =>
      [...document.querySelectorAll('#users-rows th')].some((th) => th.textContent?.trim() === 'grace'),
    );
    expect(await text('#flash')).to.equal('Created grace.');
    expect(await page.$eval('#user-create #field-username', (input) => (input as HTMLInputElement).value)).to.equal('');
    expect(await page.evaluate(() => (window as unknown as { marker?: number }).marker)).to.equal(7);
    expect((await server.services.users.findForLogin('grace'))?.user.role).to.equal('operator');
  });

  it('fits an 800×480 kiosk screen without horizontal scrolling, and starts keyboard users at the skip link', async () => {
    await page.screenshot({ path: '/tmp/nxf-users-800x480.png' });
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
    expect(overflow).to.be.at.most(0);
    await page.reload();
    await page.keyboard.press('Tab');
    expect(await page.evaluate(() => document.activeElement?.className)).to.equal('skip-link');
    const unlabelled = await page.$$eval('input:not([type=hidden]), select', (controls) =>
      controls.filter((c) => !(c.id && document.querySelector(`label[for="${c.id}"]`))).map((c) => c.outerHTML),
    );
    expect(unlabelled).to.deep.equal([]);
  });

  it('signs out', async () => {
    await Promise.all([page.waitForNavigation(), page.click('.account button[type=submit]')]);
    expect(new URL(page.url()).pathname).to.equal('/login');
    expect(await text('#flash')).to.equal('You have signed out.');
    const response = await page.goto(`${server.url}/admin/users`);
    expect(new URL(response?.url() ?? '').pathname).to.equal('/login');
  });

  it('raised no script errors and no Content-Security-Policy violations', () => {
    expect(problems).to.deep.equal([]);
  });
});
