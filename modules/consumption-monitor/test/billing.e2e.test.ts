import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { expect } from 'chai';
import type { Browser, Page } from 'puppeteer-core';
import { axeViolations } from '../../../dist/test/helpers/axe.js';
import { launchBrowser, signedInPage } from '../../../dist/test/helpers/browser.js';
import { testAdminPassword } from '../../../dist/test/helpers/server.js';
import { addEndpoint } from './helpers/billing.js';
import { startCmServer, type CmServer } from './helpers/cm-server.js';

/**
 * End to end in Chromium: an operator imports a month of readings on the History page, reads the month's
 * statement per customer on the Reports page, closes the month and prints it: one customer a page; then corrects
 * a reading on the History page.
 */
describe('end to end in Chromium: billing a month', function () {
  this.timeout(90_000);
  let cm: CmServer;
  let browser: Browser;
  let page: Page;
  let problems: string[];
  let folder: string;
  let acme: string;
  const text = (selector: string) =>
    page.$eval(selector, (element) => element.textContent?.replace(/\s+/g, ' ').trim() ?? '');

  before(async () => {
    [cm, browser, folder] = await Promise.all([
      startCmServer(),
      launchBrowser(),
      mkdtemp(path.join(tmpdir(), 'nxf-billing-')),
    ]);
    acme = await addEndpoint(cm, 'Acme PDU', { customer: 'Acme' });
    await addEndpoint(cm, 'Beta PDU', { customer: 'Beta' });
    // November 2025 in 15-minute readings, 00:00Z on the 1st to 00:00Z on 1 December (2 881 each): Acme draws
    // 1 kW (+0.25 kWh a reading), Beta 2 kW (+0.5 kWh).
    const lines = ['endpoint,timestamp,value'];
    const start = Date.UTC(2025, 10, 1);
    for (let i = 0; i <= 30 * 96; i++) {
      const at = new Date(start + i * 900_000).toISOString();
      lines.push(`Acme PDU,${at},${(1000 + i * 0.25).toFixed(2)}`, `Beta PDU,${at},${(i * 0.5).toFixed(1)}`);
    }
    await writeFile(path.join(folder, 'november.csv'), lines.join('\n'));
    ({ page, problems } = await signedInPage(
      browser,
      cm.server.url,
      { username: 'admin', password: testAdminPassword },
      { width: 1366, height: 768 },
    ));
  });
  after(async () => {
    await browser?.close();
    await cm?.close();
    await rm(folder, { recursive: true, force: true });
  });

  it('imports a month of readings from a CSV file on the History page', async () => {
    await page.click('nav[aria-label="Main"] a[href="/consumption/history"]');
    await page.waitForSelector('details.cm-import summary');
    await page.click('details.cm-import summary');
    expect(await axeViolations(page)).to.deep.equal([]);
    const input = (await page.$('#field-file')) as unknown as { uploadFile(file: string): Promise<void> };
    await input.uploadFile(path.join(folder, 'november.csv'));
    await Promise.all([page.waitForNavigation(), page.click('details.cm-import button[type="submit"]')]);
    expect(await text('#flash')).to.contain('Imported 5762 readings; 0 duplicates were skipped.');
  });

  it('shows the statement per customer, closes the month and prints one customer a page', async () => {
    await page.goto(`${cm.server.url}/consumption/reports?month=2025-11&view=customer`);
    const totals = await page.$$eval('.cm-statement tfoot tr', (rows) =>
      rows.map((row) => [...row.querySelectorAll('th, td')].map((cell) => cell.textContent?.trim())),
    );
    // November's 720 h: Acme 720 × 1 kW = 720 kWh, Beta 720 × 2 kW = 1 440 kWh (no price set: no cost).
    expect(totals.map((t) => t[4])).to.deep.equal(['720.000', '1440.000']);
    expect(await axeViolations(page)).to.deep.equal([]);
    await Promise.all([page.waitForNavigation(), page.click('form[action="/consumption/reports/close"] button')]);
    expect(await text('#flash')).to.contain('2025-11 is closed: its statement is issued.');
    expect(await text('.cm-statement-state')).to.contain('Closed');
    await page.emulateMediaType('print');
    const hidden = await page.$$eval('#sidebar, .topbar, .cm-no-print', (elements) =>
      elements.map((element) => getComputedStyle(element).display),
    );
    expect(hidden.length).to.be.greaterThan(2);
    expect(new Set(hidden)).to.deep.equal(new Set(['none']));
    const pdf = Buffer.from(await page.pdf({ format: 'A4' })).toString('latin1');
    // One page per customer: two statements, two pages.
    expect(pdf.match(/\/Type\s*\/Page(?![s\w])/g)).to.have.length(2);
    await page.emulateMediaType('screen');
    expect(problems).to.deep.equal([]);
  });

  it('corrects a reading on the History page: it stops counting, with the reason, and the page says so', async () => {
    await page.goto(`${cm.server.url}/consumption/history?endpointId=${acme}&from=2025-11-30&to=2025-12-01`);
    // Newest first: 23:45 is the first row of 30 November.
    const row = 'table.cm-readings tbody tr:first-child';
    expect(await text(`${row} th`)).to.contain('23:45');
    await page.click(`${row} details.cm-correct summary`);
    expect(await axeViolations(page)).to.deep.equal([]);
    await page.select(`${row} select[name="status"]`, 'suspect');
    await page.type(`${row} input[name="reason"]`, 'Read while the PDU rebooted');
    await Promise.all([page.waitForNavigation(), page.click(`${row} .cm-correct button[type="submit"]`)]);
    expect(await text('#flash')).to.contain('The reading of 2025-11-30T23:45:00.000Z is not counted now.');
    expect(page.url(), 'back on the same page of the history').to.contain(`endpointId=${acme}`);
    expect(await text(`${row} td:nth-child(2)`)).to.equal('suspect');
    expect(await text(`${row} td:nth-child(5)`)).to.equal('Read while the PDU rebooted');
    // 23:30 → 00:00 is one interval of 0.5 kWh now, still all in November: the issued 720 kWh and December stand.
    const { body } = await cm.api('GET', '/consumption/monthly-summary?month=2025-12');
    const line = body.endpoints.find((l: { endpointId: string }) => l.endpointId === acme);
    expect(line).to.include({ kwh: 0, adjustmentKwh: 0 });
    expect(problems).to.deep.equal([]);
  });
});
