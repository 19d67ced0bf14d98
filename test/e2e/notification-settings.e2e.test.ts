import { expect } from 'chai';
import type { Browser, Page } from 'puppeteer-core';
import { verifyWebhookSignature } from '../../src/services/notifications/channels/webhook-channel.js';
import { startWebhookReceiver, type WebhookReceiver } from '../fixtures/webhook-receiver.js';
import { launchBrowser, signedInPage } from '../helpers/browser.js';
import { startTestServer, testAdminPassword, type TestServer } from '../helpers/server.js';

describe('end to end in Chromium: an admin adds a webhook channel and sends a test', function () {
  this.timeout(60_000);
  let server: TestServer;
  let receiver: WebhookReceiver;
  let browser: Browser;
  let page: Page;
  let problems: string[];

  before(async () => {
    server = await startTestServer();
    receiver = await startWebhookReceiver();
    browser = await launchBrowser();
    ({ page, problems } = await signedInPage(browser, server.url, { username: 'admin', password: testAdminPassword }));
  });
  after(async () => {
    await browser?.close();
    await receiver?.close();
    await server?.close();
  });

  const text = (selector: string) =>
    page.$eval(selector, (element) => element.textContent?.replace(/\s+/g, ' ').trim() ?? '');

  it('reaches the page from the sidebar', async () => {
    await page.click('nav[aria-label="Main"] a[href="/settings/notifications"]');
    await page.waitForFunction(() => document.querySelector('h1')?.textContent === 'Notifications');
    expect(await text('#no-channels')).to.equal('No channels yet.');
  });

  it('shows a mistake inline, then creates the channel', async () => {
    await page.click('a[href="/settings/notifications/new/webhook"]');
    await page.waitForSelector('#channel-form');
    await page.type('#field-name', 'Ops hook');
    await page.type('#field-cfg_url', 'not a url');
    await page.click('#channel-form button[type=submit]');
    await page.waitForSelector('#field-cfg_url-error');
    expect(await text('#field-cfg_url-error')).to.contain('Enter a full address');
    const url = await page.$('#field-cfg_url');
    await url?.click({ clickCount: 3 });
    await url?.type(`${receiver.url}/ops`);
    await page.type('#field-cfg_secret', 'e2e-signing-secret');
    await Promise.all([page.waitForNavigation(), page.click('#channel-form button[type=submit]')]);
    expect(new URL(page.url()).pathname).to.equal('/settings/notifications');
    expect(await text('#flash')).to.equal('Created the channel "Ops hook".');
    expect(await text('#channel-rows th')).to.equal('Ops hook');
  });

  it('presses "Send test" and sees the delivery in the row and in the deliveries table', async () => {
    await page.click('#channel-rows button[type=submit]:not(.danger)');
    await page.waitForSelector('.test-result .badge');
    expect(await text('.test-result')).to.equal('delivered answer 200 · 1 attempt');
    expect(await text('#deliveries tbody tr'))
      .to.contain('Ops hook')
      .and.contain('settings')
      .and.contain('delivered');
    await page.screenshot({ path: '/tmp/nxf-notifications.png', fullPage: true });
    const [request] = receiver.received('/ops');
    expect(
      verifyWebhookSignature('e2e-signing-secret', request!.body, request!.headers['x-nxforge-signature'] as string),
    ).to.equal(true);
  });

  it('raised no script errors and no Content-Security-Policy violations', () => {
    expect(problems).to.deep.equal([]);
  });
});
