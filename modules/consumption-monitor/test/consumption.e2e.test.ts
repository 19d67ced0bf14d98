import { expect } from 'chai';
import type { Browser, Page } from 'puppeteer-core';
import { startFakePdu, pduCredentials, type FakePdu } from '../../../dist/test/fixtures/fake-pdu.js';
import { launchBrowser, signedInPage } from '../../../dist/test/helpers/browser.js';
import { eventually } from '../../../dist/test/helpers/jobs.js';
import { testAdminPassword } from '../../../dist/test/helpers/server.js';
import { startCmServer, type CmServer } from './helpers/cm-server.js';

/**
 * End to end in Chromium: an operator adds an endpoint behind a form login in the htmx dialog, tests it, runs the
 * job from the Jobs page, and sees the tile and the history chart.
 */
describe('end to end in Chromium: the consumption monitor', function () {
  this.timeout(90_000);
  let cm: CmServer;
  let pdu: FakePdu;
  let browser: Browser;
  let page: Page;
  let problems: string[];
  before(async () => {
    [cm, pdu, browser] = await Promise.all([startCmServer(), startFakePdu(), launchBrowser()]);
    ({ page, problems } = await signedInPage(
      browser,
      cm.server.url,
      { username: 'admin', password: testAdminPassword },
      { width: 1366, height: 768 },
    ));
  });
  after(async () => {
    await browser?.close();
    await Promise.all([cm?.close(), pdu?.close()]);
  });

  const fill = async (selector: string, value: string) => {
    await page.$eval(selector, (element) => ((element as HTMLInputElement).value = ''));
    await page.type(selector, value);
  };
  const text = (selector: string) =>
    page.$eval(selector, (element) => element.textContent?.replace(/\s+/g, ' ').trim() ?? '');

  it('adds an endpoint with a form login in the dialog, with an inline error first', async () => {
    await page.click('nav[aria-label="Main"] a[href="/consumption/endpoints"]');
    await page.waitForSelector('a[href="/consumption/endpoints/new"]');
    await page.click('a[href="/consumption/endpoints/new"]');
    await page.waitForSelector('dialog.cm-dialog[open] #field-name');
    await fill('#field-name', 'R7 PDU A');
    await fill('#field-url', `${pdu.url}/form/meter`);
    await fill('#field-selector', '#energy');
    await page.select('#field-authType', 'form');
    await fill('#field-authUsername', pduCredentials.username);
    await fill('#field-loginUrl', `${pdu.url}/form/login`);
    await fill('#field-usernameSelector', '#username');
    await fill('#field-passwordSelector', '#password');
    await fill('#field-submitSelector', '#sign-in');
    await fill('#field-customer', 'Acme');
    await fill('#field-rack', 'R7');
    // No password yet: the dialog comes back with the error beside the field.
    await page.click('dialog.cm-dialog button.primary');
    await page.waitForSelector('#field-authPassword-error');
    expect(await text('#field-authPassword-error')).to.equal('Enter the password.');
    expect(await page.$eval('#field-name', (input) => (input as HTMLInputElement).value)).to.equal('R7 PDU A');
    await page.type('#field-authPassword', pduCredentials.password);
    await page.click('dialog.cm-dialog button.primary');
    await page.waitForFunction(
      () => !document.querySelector('dialog.cm-dialog') && document.querySelector('tr[id^="endpoint-"]'),
    );
    expect(await text('tr[id^="endpoint-"] th')).to.contain('R7 PDU A');
  });

  it('tests the endpoint and shows the value, raw text and time taken', async () => {
    await page.click('tr[id^="endpoint-"] form[action$="/test"] button');
    await page.waitForSelector('.cm-test');
    expect(await text('.cm-test')).to.match(/R7 PDU A: 1,234\.500 kWh · raw “1,234\.5 kWh” · \d+ ms/);
  });

  it('runs the job from the Jobs page, then shows the tile and the history chart', async () => {
    await page.click('nav[aria-label="Main"] a[href="/jobs"]');
    await page.waitForSelector('#job-consumption-monitor-collect-consumption button.primary');
    await page.click('#job-consumption-monitor-collect-consumption button.primary');
    await page.waitForFunction(() => /^\/executions\/[0-9a-f-]{36}$/.test(location.pathname));
    const executionId = page.url().split('/').at(-1)!;
    await eventually(
      async () => (await cm.server.services.executions.getExecution(executionId))?.status === 'succeeded',
    );
    await page.goto(`${cm.server.url}/consumption/live`);
    await page.waitForSelector('.cm-tile');
    expect(await text('.cm-tile h3')).to.equal('R7 PDU A');
    expect(await text('.cm-tile dl')).to.contain('1,234.5 kWh');
    expect(await text('.cm-group-tiles h2')).to.equal('Acme');
    // A second reading a little later gives the ledger its first interval, and the chart its energy.
    pdu.reading = '1,234.6 kWh';
    const second = await cm.server.services.scheduler.executeJob('consumption-monitor', 'collect-consumption', {
      actor: 'test',
    });
    await eventually(async () => (await cm.server.services.executions.getExecution(second.id))?.status === 'succeeded');
    await page.click('nav[aria-label="Main"] a[href="/consumption/history"]');
    await page.waitForSelector('.cm-chart svg');
    expect(await page.$$eval('table.cm-readings tbody tr', (rows) => rows.length)).to.equal(2);
    expect(await text('table.cm-readings tbody tr:last-child'))
      .to.contain('ok')
      .and.contain('1,234.5');
    expect(await page.$eval('.cm-chart svg', (svg) => svg.getAttribute('aria-label') ?? svg.textContent)).to.contain(
      'R7 PDU A: energy per hour',
    );
    expect(problems).to.deep.equal([]);
  });
});
