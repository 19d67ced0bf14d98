import { expect } from 'chai';
import type { Browser, Page } from 'puppeteer-core';
import { launchBrowser } from '../helpers/browser.js';
import { withLabServer } from '../helpers/jobs.js';
import { watchPageProblems } from '../helpers/page-watch.js';

describe('end to end in Chromium: an operator runs a job and watches it', function () {
  this.timeout(60_000);
  const suite = withLabServer();
  let browser: Browser;
  let page: Page;
  let problems: string[];
  let executionId: string;

  before(async () => {
    // 20 lines a fifth of a second apart: about four seconds of a job logging as it goes.
    await suite.server.services.scheduler.saveJobConfig('lab', 'chatty', { lines: 20, delayMs: 200 }, 'admin');
    await suite.server.services.users.create({ username: 'otto', password: 'operator-password', role: 'operator' });
    browser = await launchBrowser();
    page = await browser.newPage();
    await page.setViewport({ width: 1024, height: 700 });
    problems = watchPageProblems(page);
    await page.goto(`${suite.server.url}/login`);
    await page.type('#field-username', 'otto');
    await page.type('#field-password', 'operator-password');
    await Promise.all([page.waitForNavigation(), page.click('button[type=submit]')]);
  });
  after(async () => {
    await browser?.close();
  });

  const text = (selector: string) =>
    page.$eval(selector, (element) => element.textContent?.replace(/\s+/g, ' ').trim() ?? '');

  it('opens the Jobs page from the sidebar and presses "Run now"', async () => {
    await page.click('nav[aria-label="Main"] a[href="/jobs"]');
    await page.waitForFunction(() => document.querySelector('h1')?.textContent === 'Jobs');
    expect(await text('#job-lab-chatty th')).to.contain('Chatty');
    await page.click('#job-lab-chatty button.primary');
    await page.waitForFunction(() => /^\/executions\/[0-9a-f-]{36}$/.test(location.pathname));
    executionId = new URL(page.url()).pathname.split('/').pop()!;
    await page.waitForFunction(() => document.querySelector('h1')?.textContent?.includes('Chatty'));
  });

  it('watches the log grow while the job runs, until it succeeds', async () => {
    // Record what the page shows each time htmx changes it: line count and status.
    await page.evaluate(() => {
      const seen: Array<[number, string]> = [];
      (window as unknown as { seen: typeof seen }).seen = seen;
      const look = () =>
        seen.push([
          document.querySelectorAll('#log-rows tr').length,
          document.querySelector('#execution-head .status')?.getAttribute('data-status') ?? '',
        ]);
      look();
      new MutationObserver(look).observe(document.querySelector('main')!, { childList: true, subtree: true });
    });
    await page.waitForFunction(
      () => document.querySelector('#execution-head .status')?.getAttribute('data-status') === 'succeeded',
      { timeout: 30_000 },
    );
    const seen = await page.evaluate(() => (window as unknown as { seen: Array<[number, string]> }).seen);
    const whileRunning = seen.filter(([lines, status]) => status === 'running' && lines > 0 && lines < 20);
    expect(whileRunning.length, JSON.stringify(seen)).to.be.greaterThan(0);
    await page.waitForFunction(() => document.querySelectorAll('#log-rows tr').length === 20);
    const lines = await page.$$eval('#log-rows tr td:last-child', (cells) => cells.map((c) => c.textContent?.trim()));
    expect(lines.map((line) => line?.split(' {')[0])).to.deep.equal(
      Array.from({ length: 20 }, (_, i) => `line ${i + 1}`),
    );
    expect(await text('#execution-outcome')).to.contain('"lines": 20');
  });

  it("lists the job's events on the execution page once they are in", async () => {
    await page.waitForFunction(() =>
      document.querySelector('#execution-events')?.textContent?.includes('job.completed'),
    );
    expect(await text('#execution-events')).to.contain('job.started');
  });

  it('finds the execution on the Executions page', async () => {
    await page.click('nav[aria-label="Main"] a[href="/executions"]');
    await page.waitForFunction(() => document.querySelector('h1')?.textContent === 'Executions');
    const row = await page.$eval(
      `#execution-rows a[href="/executions/${executionId}"]`,
      (a) => a.closest('tr')!.textContent,
    );
    expect(row).to.contain('lab/chatty').and.to.contain('succeeded').and.to.contain('manual');
  });

  it('finds its events on the Events page, and sees a new one arrive without a reload', async () => {
    await page.click('nav[aria-label="Main"] a[href="/events"]');
    await page.waitForFunction(() => document.querySelector('h1')?.textContent === 'Events');
    const rows = await page.$$eval('#event-rows tr', (trs) => trs.map((tr) => tr.textContent?.replace(/\s+/g, ' ')));
    expect(rows.some((row) => row?.includes('job.completed') && row.includes('lab/chatty'))).to.equal(true);
    expect(rows.some((row) => row?.includes('job.started') && row.includes('lab/chatty'))).to.equal(true);
    await suite.server.services.events.emit(
      'lab.threshold_exceeded',
      { subject: 'rack-7', kw: 4.2 },
      { source: 'lab', severity: 'warning' },
    );
    await page.waitForFunction(() =>
      document.querySelector('#event-rows tr')?.textContent?.includes('lab.threshold_exceeded'),
    );
    expect(await text('#event-rows tr:first-child'))
      .to.contain('rack-7')
      .and.to.contain('warning');
    await page.screenshot({ path: '/tmp/nxf-events.png', fullPage: true });
  });

  it('raised no script errors, CSP violations or server errors', () => {
    expect(problems).to.deep.equal([]);
  });
});
