import { expect } from 'chai';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import puppeteer from 'puppeteer-core';
import { createLogger } from '../../../src/logger.js';
import { BrowserPool } from '../../../src/services/scraping/browser-pool.js';
import { headlessModeFor, resolveChromiumExecutable } from '../../../src/services/scraping/chromium.js';
import { createScrapingService } from '../../../src/services/scraping/scraping.service.js';
import { startFakePdu, type FakePdu } from '../../fixtures/fake-pdu.js';

const isRunning = (pid: number) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

/** Polls `condition` (no timing assertion: the test's own timeout bounds it). */
const eventually = async (condition: () => boolean) => {
  while (!condition()) await new Promise((resolve) => setTimeout(resolve, 25));
};

describe('BrowserPool', function () {
  this.timeout(30_000);
  let pdu: FakePdu;
  let pool: BrowserPool;
  const logger = createLogger('silent');

  before(async () => {
    pdu = await startFakePdu();
    pool = new BrowserPool(logger, { maxBrowsers: 1, maxPagesPerBrowser: 2, acquireTimeoutMs: 10_000 });
  });
  after(async () => {
    await pool?.close();
    await pdu?.close();
  });

  const scraping = () => createScrapingService({ pool, logger, retry: { retries: 1, minDelayMs: 20 } });
  const energy = { energy: { selector: '#energy', type: 'number' as const } };

  it('reuses one browser for many scrapes and bounds concurrent pages', async () => {
    const before = pool.stats().launches;
    const service = scraping();
    let peak = 0;
    const watch = setInterval(() => (peak = Math.max(peak, pool.stats().busySlots)), 5);
    const results = await Promise.all(
      Array.from({ length: 6 }, () =>
        service.scrape({ url: `${pdu.url}/js?delay=150`, waitForSelector: '#energy', extract: energy }),
      ),
    );
    clearInterval(watch);
    expect(results.map((r) => r.data)).to.deep.equal(Array(6).fill({ energy: 1234.5 }));
    expect(pool.stats().launches - before).to.be.at.most(1);
    expect(pool.stats().browsers).to.equal(1);
    expect(peak).to.equal(2);
    expect(pool.stats()).to.include({ busySlots: 0, waiting: 0 });
  });

  it('relaunches a browser whose process was killed in the middle of a scrape', async () => {
    const service = scraping();
    await service.scrape({ url: `${pdu.url}/open` });
    const [pid] = pool.browserPids();
    const launches = pool.stats().launches;
    const pending = service.scrape({ url: `${pdu.url}/js?delay=1500`, waitForSelector: '#energy', extract: energy });
    await eventually(() => pdu.requests.some((r) => r.path === '/js'));
    process.kill(pid!, 'SIGKILL');
    const result = await pending;
    expect(result).to.include({ success: true, attempts: 2 });
    expect(pool.stats().launches).to.equal(launches + 1);
    expect(pool.browserPids()).to.not.include(pid);
  });

  it('reports a browser that went away mid-scrape as NXF_BROWSER_CRASHED, without a screenshot', async () => {
    const service = createScrapingService({ pool, logger, retry: { retries: 0 } });
    await service.scrape({ url: `${pdu.url}/open` });
    const [pid] = pool.browserPids();
    pdu.requests.length = 0;
    const pending = service.scrape({ url: `${pdu.url}/js?delay=1500`, waitForSelector: '#energy', extract: energy });
    await eventually(() => pdu.requests.some((r) => r.path === '/js'));
    process.kill(pid!, 'SIGKILL');
    const result = await pending;
    expect(result, result.error).to.include({ success: false, errorCode: 'NXF_BROWSER_CRASHED', attempts: 1 });
    expect(result.screenshot).to.equal(undefined);
  });

  it('answers NXF_BROWSER_BUSY when no page slot frees up in time, and retries it as transient', async () => {
    const busy = new BrowserPool(logger, { maxBrowsers: 1, maxPagesPerBrowser: 1, acquireTimeoutMs: 200 });
    try {
      const held = await busy.acquireSlot();
      const service = createScrapingService({ pool: busy, logger, retry: { retries: 1, minDelayMs: 20 } });
      const result = await service.scrape({ url: `${pdu.url}/open`, extract: energy });
      expect(result).to.include({ success: false, errorCode: 'NXF_BROWSER_BUSY', attempts: 2 });
      expect(busy.stats()).to.include({ busySlots: 1, waiting: 0 });
      held.release();
      expect((await service.scrape({ url: `${pdu.url}/open`, extract: energy })).data).to.deep.equal({
        energy: 1234.5,
      });
    } finally {
      await busy.close();
    }
  });

  it('closes a page that overruns its deadline, and stays usable', async () => {
    const lease = await pool.newPage({ deadlineMs: 300 });
    await lease.page.goto(`${pdu.url}/open`);
    const stuck = lease.page.evaluate(() => {
      for (;;) {
        // a device page script that never returns
      }
    });
    const error = await stuck.then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(error).to.be.instanceOf(Error);
    expect(lease.expired).to.equal(true);
    await lease.release();
    const result = await scraping().scrape({ url: `${pdu.url}/open`, extract: energy });
    expect(result.data).to.deep.equal({ energy: 1234.5 });
  });

  it('lets another thread drive a pooled browser over its WebSocket endpoint while holding a slot', async () => {
    const slot = await pool.acquireSlot();
    expect(slot.wsEndpoint).to.match(/^ws:\/\/127\.0\.0\.1:\d+\/devtools\/browser\//);
    const remote = await puppeteer.connect({ browserWSEndpoint: slot.wsEndpoint });
    const context = await remote.createBrowserContext();
    const page = await context.newPage();
    await page.goto(`${pdu.url}/open`);
    expect(await page.$eval('#energy', (e) => e.textContent)).to.equal('1,234.5 kWh');
    await context.close();
    await remote.disconnect();
    expect(pool.stats().busySlots).to.equal(1);
    slot.release();
    expect(pool.stats().busySlots).to.equal(0);
    expect(pool.stats().browsers).to.equal(1);
  });

  it('closes idle browsers, and closes everything on shutdown', async () => {
    const idle = new BrowserPool(logger, { maxBrowsers: 1, idleCloseMs: 200 });
    const service = createScrapingService({ pool: idle, logger });
    await service.scrape({ url: `${pdu.url}/open` });
    const [pid] = idle.browserPids();
    await eventually(() => idle.stats().browsers === 0);
    await eventually(() => !isRunning(pid!));
    await service.scrape({ url: `${pdu.url}/open` });
    const [second] = idle.browserPids();
    await idle.close();
    expect(isRunning(second!)).to.equal(false);
    const afterClose = await service.scrape({ url: `${pdu.url}/open` });
    expect(afterClose.errorCode).to.equal('NXF_BROWSER_POOL_CLOSED');
  });

  it('names PUPPETEER_EXECUTABLE_PATH and chromium when neither gives a browser', () => {
    expect(() => resolveChromiumExecutable({ PUPPETEER_EXECUTABLE_PATH: '/nonexistent/chrome' }))
      .to.throw(/PUPPETEER_EXECUTABLE_PATH is set to \/nonexistent\/chrome/)
      .with.property('code', 'NXF_CHROMIUM_MISSING');
    expect(() => resolveChromiumExecutable({ PATH: '/nonexistent' }))
      .to.throw(/PUPPETEER_EXECUTABLE_PATH is not set and there is no "chromium" on the PATH/)
      .with.property('code', 'NXF_CHROMIUM_MISSING');
    expect(resolveChromiumExecutable()).to.be.a('string');
  });

  it("prefers Chromium's headless shell on the PATH, and starts it in shell mode", async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'nxf-chromium-'));
    try {
      for (const name of ['chromium', 'chromium-headless-shell']) {
        await writeFile(path.join(dir, name), '#!/bin/sh\n', { mode: 0o755 });
      }
      const found = resolveChromiumExecutable({ PATH: dir });
      // Debian's wrapper script is bypassed for the binary behind it, where that is installed.
      expect([path.join(dir, 'chromium-headless-shell'), '/usr/lib/chromium/chromium-headless-shell']).to.include(
        found,
      );

      expect(headlessModeFor(found)).to.equal('shell');
      await rm(path.join(dir, 'chromium-headless-shell'));
      expect(resolveChromiumExecutable({ PATH: dir })).to.equal(path.join(dir, 'chromium'));
      expect(headlessModeFor(path.join(dir, 'chromium'))).to.equal(true);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
