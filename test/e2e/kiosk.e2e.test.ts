import { expect } from 'chai';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Browser, HTTPResponse, Page } from 'puppeteer-core';
import { launchBrowser, signedInPage } from '../helpers/browser.js';
import { watchPageProblems } from '../helpers/page-watch.js';
import { copyModuleFixture, installAndEnable, testActor } from '../helpers/modules.js';
import { startTestServer, testAdminPassword, type TestServer } from '../helpers/server.js';

declare global {
  interface Window {
    /** Set once when a display's page is first loaded: still there later means it never reloaded. */
    kioskMarker?: string;
  }
}

const text = (page: Page, selector: string) =>
  page.$eval(selector, (element) => element.textContent?.replace(/\s+/g, ' ').trim() ?? '');
const barText = (page: Page) => text(page, '#kiosk-updated');
const visiblePage = (page: Page) =>
  page.$eval('.kiosk-page:not([hidden])', (section) => section.getAttribute('aria-label'));

describe('kiosk displays in Chromium: set up by an admin, live, rotating, stale and back, revoked', function () {
  this.timeout(120_000);
  let server: TestServer;
  let browser: Browser;
  let admin: Page;
  let adminProblems: string[];
  let displayUrl = '';
  const removals: Array<() => Promise<void>> = [];

  /** A fresh browser context on the display's URL, as a wall screen opens it; marked so a reload would show. */
  async function openDisplay(url = displayUrl, viewport = { width: 800, height: 480 }) {
    const context = await browser.createBrowserContext();
    const page = await context.newPage();
    await page.setViewport(viewport);
    const problems = watchPageProblems(page);
    await page.goto(url);
    await page.evaluate(() => (window.kioskMarker = 'first load'));
    return { page, problems, close: () => context.close() };
  }
  const notReloaded = async (page: Page) =>
    expect(await page.evaluate(() => window.kioskMarker)).to.equal('first load');
  const setServerListening = async (listening: boolean, port: number) => {
    // The admin's own page would see the outage too: it waits elsewhere meanwhile.
    if (!listening) await admin.goto('about:blank');
    if (listening) return new Promise<void>((resolve) => server.server.listen(port, '127.0.0.1', resolve));
    return new Promise<void>((resolve) => {
      server.server.close(() => resolve());
      server.server.closeAllConnections();
    });
  };

  before(async () => {
    server = await startTestServer();
    const dummy = await copyModuleFixture();
    removals.push(dummy.remove);
    await installAndEnable(server, dummy.dir);
    await server.services.db.execute("INSERT INTO dm_item (name, notes) VALUES ('pdu-a1', 'A'), ('pdu-c1', 'C')");
    browser = await launchBrowser();
    ({ page: admin, problems: adminProblems } = await signedInPage(browser, server.url, {
      username: 'admin',
      password: testAdminPassword,
    }));
    admin.on('dialog', (dialog) => void dialog.accept());
  });
  after(async () => {
    await browser?.close();
    await server?.close();
    for (const remove of removals) await remove();
  });

  it('an admin makes a display on Administration → Displays; bad input is refused field by field, nothing saved', async () => {
    await admin.goto(`${server.url}/admin/displays`);
    await admin.type('#field-refreshSeconds', '0', { delay: 0 });
    await admin.$eval('#field-refreshSeconds', (input) => ((input as HTMLInputElement).value = '0'));
    await Promise.all([admin.waitForNavigation(), admin.click('.display-form button[type=submit]')]);
    expect(await text(admin, '#field-name-error')).to.equal('Give the display a name.');
    expect(await text(admin, '#display-pages-error')).to.equal('Choose at least one page.');
    expect(await text(admin, '#field-refreshSeconds-error')).to.equal('Enter 0.1 to 3600 seconds (tenths at most).');
    expect(await server.services.displays.list()).to.have.length(0);

    await admin.type('#field-name', 'Row A wall');
    await admin.click('label[for="display-page-0"]'); // Dummy › Chart
    await admin.click('label[for="display-page-1"]'); // Dummy › Board
    await admin.$eval('#field-refreshSeconds', (input) => ((input as HTMLInputElement).value = '2'));
    await admin.$eval('#field-rotateSeconds', (input) => ((input as HTMLInputElement).value = '4'));
    await admin.select('#field-theme', 'dark');
    await admin.type('#field-rack', 'A');
    await Promise.all([admin.waitForNavigation(), admin.click('.display-form button[type=submit]')]);
    displayUrl = await text(admin, '.display-url');
    expect(displayUrl).to.match(new RegExp(`^${server.url}/kiosk/[A-Za-z0-9_-]{43}$`));
    expect(await text(admin, '#display-rows'))
      .to.contain('Row A wall')
      .and.contain('Dummy › Chart')
      .and.contain('never opened');
    // Shown once: the list, loaded again, has no address in it.
    await admin.goto(`${server.url}/admin/displays`);
    expect(await admin.$('.display-url')).to.equal(null);
    const [created] = await server.services.audit.query({ action: 'display.create' });
    expect(created).to.include({ actorName: 'admin', target: 'Row A wall' });
  });

  it('opens as a kiosk: no sidebar, no forms, its name and the last good update in the bar, filtered to its rack', async () => {
    const display = await openDisplay();
    const { page } = display;
    expect(await page.$('nav[aria-label="Main"]')).to.equal(null);
    expect(await text(page, '.kiosk-name')).to.equal('Row A wall');
    expect(await barText(page)).to.match(/^Updated \d\d:\d\d:\d\d UTC$/);
    expect(await visiblePage(page)).to.equal('Chart');
    expect(await page.$eval('html', (html) => html.dataset.theme)).to.equal('dark');
    expect(await page.evaluate(() => document.documentElement.scrollHeight <= innerHeight), 'no scrolling').to.equal(
      true,
    );
    const visibleControls = await page.$$eval(
      'form, button, input, select',
      (controls) => controls.filter((control) => (control as HTMLElement).offsetParent !== null).length,
    );
    expect(visibleControls).to.equal(0);
    // Reloading from the same browser does not log a second view.
    await page.reload();
    const views = await server.services.audit.query({ action: 'display.view' });
    expect(views).to.have.length(1);
    expect(views[0]).to.include({ target: 'Row A wall', sourceIp: '127.0.0.1' });
    expect(display.problems).to.deep.equal([]);
    await display.close();
  });

  it('refreshes in place: unchanged data is a 304, new data is swapped in, and the next page is loaded before it shows', async () => {
    const display = await openDisplay();
    const { page } = display;
    const answers: Array<{ path: string; status: number; hidden: boolean }> = [];
    page.on('response', (response: HTTPResponse) => {
      const path = new URL(response.url()).pathname;
      if (!path.startsWith('/dummy/')) return;
      void page
        .$eval(`[data-path="${path}"]`, (body) => (body.parentElement as HTMLElement).hidden === true)
        .then((hidden) => answers.push({ path, status: response.status(), hidden }))
        .catch(() => {});
    });
    await page.waitForFunction(
      () => document.querySelector('.kiosk-page:not([hidden])')?.getAttribute('aria-label') === 'Board',
      {
        timeout: 15_000,
      },
    );
    expect(answers[0], 'the chart, refreshed once unchanged').to.deep.equal({
      path: '/dummy/chart',
      status: 304,
      hidden: false,
    });
    expect(
      answers.find((a) => a.path === '/dummy/board'),
      'the board, loaded while still hidden',
    ).to.deep.include({
      status: 200,
      hidden: true,
    });
    expect(await text(page, '#board-count')).to.equal('1 item in rack A');
    await server.services.db.execute("INSERT INTO dm_item (name, notes) VALUES ('pdu-a2', 'A')");
    await page.waitForFunction(() => document.querySelector('#board-count')?.textContent === '2 items in rack A', {
      timeout: 10_000,
    });
    expect(await text(page, '.kiosk-page:not([hidden]) tbody'))
      .to.contain('pdu-a2')
      .and.not.contain('pdu-c1');
    await notReloaded(page);
    expect(display.problems).to.deep.equal([]);
    await display.close();
  });

  it('keeps the last good content when the server is gone, says since when, retries sooner, and recovers by itself', async () => {
    const { page, close } = await openDisplay();
    const port = Number(new URL(server.url).port);
    const attempts: number[] = [];
    page.on('requestfailed', () => attempts.push(Date.now()));
    const before = await text(page, '.kiosk-page:not([hidden]) .kiosk-page-body');
    await setServerListening(false, port);
    try {
      await page.waitForSelector('#kiosk-updated.is-stale', { timeout: 10_000 });
      expect(await barText(page)).to.match(
        /^Not updated since \d\d:\d\d:\d\d UTC \(\d+ s ago\): the server could not be reached\.$/,
      );
      expect(await text(page, '.kiosk-page:not([hidden]) .kiosk-page-body'), 'the old content stays').to.equal(before);
      while (attempts.length < 3) await new Promise((resolve) => page.once('requestfailed', resolve));
    } finally {
      await setServerListening(true, port);
    }
    // After a failure the next try comes within a second or so, not a whole 2 s refresh interval later.
    expect(attempts[1]! - attempts[0]!).to.be.lessThan(2000);
    await page.waitForSelector('#kiosk-updated:not(.is-stale)', { timeout: 10_000 });
    expect(await barText(page)).to.match(/^Updated \d\d:\d\d:\d\d UTC$/);
    await notReloaded(page);
    await close();
  });

  it('a server that answers 500 leaves the content, marked with the status, until the page works again', async () => {
    const { page, close } = await openDisplay();
    await page.waitForFunction(
      () => document.querySelector('.kiosk-page:not([hidden])')?.getAttribute('aria-label') === 'Board',
      {
        timeout: 15_000,
      },
    );
    await server.services.db.execute('ALTER TABLE dm_item RENAME TO dm_item_away');
    try {
      await page.waitForFunction(() => document.querySelector('#kiosk-updated')?.textContent?.includes('HTTP 500'), {
        timeout: 15_000,
      });
      expect(await barText(page)).to.match(/^Not updated since .* UTC \(\d+ s ago\): the server answered HTTP 500\.$/);
      expect(await text(page, '#board-count')).to.equal('2 items in rack A');
    } finally {
      await server.services.db.execute('ALTER TABLE dm_item_away RENAME TO dm_item');
    }
    await page.waitForSelector('#kiosk-updated:not(.is-stale)', { timeout: 15_000 });
    await notReloaded(page);
    await close();
  });

  it("shows the server's time when the screen's clock is a day off, and counts ages on its own clock", async () => {
    const context = await browser.createBrowserContext();
    const page = await context.newPage();
    await page.evaluateOnNewDocument(() => {
      const RealDate = Date;
      const offset = -24 * 3600 * 1000;
      class SkewedDate extends RealDate {
        constructor(...args: unknown[]) {
          if (args.length === 0) super(RealDate.now() + offset);
          else super(...(args as [string]));
        }
        static override now() {
          return RealDate.now() + offset;
        }
      }
      (window as unknown as { Date: DateConstructor }).Date = SkewedDate as DateConstructor;
    });
    await page.goto(displayUrl);
    await page.waitForFunction(
      () => document.querySelector('.kiosk-page:not([hidden])')?.getAttribute('aria-label') === 'Board',
      {
        timeout: 15_000,
      },
    );
    const [, shown] = /^Updated (\d\d:\d\d:\d\d) UTC$/.exec(await barText(page)) ?? [];
    const serverNow = new Date().toISOString().slice(11, 19);
    const seconds = (hms: string) => hms.split(':').reduce((total, part) => total * 60 + Number(part), 0);
    expect(Math.abs(seconds(serverNow) - seconds(shown!)) % 86_400, `shown ${shown}, now ${serverNow}`).to.be.lessThan(
      10,
    );
    const port = Number(new URL(server.url).port);
    await setServerListening(false, port);
    try {
      await page.waitForSelector('#kiosk-updated.is-stale', { timeout: 10_000 });
      expect(await barText(page)).to.match(/\(\d{1,2} s ago\)/);
    } finally {
      await setServerListening(true, port);
    }
    await context.close();
  });

  it('a server answering 500 for an hour: the content stays, its age reads in hours, retries stay at the refresh interval', async () => {
    const { token } = await server.services.displays.create({
      name: 'Wall with a long outage', // listed after Row A wall, which later tests pick first
      pages: ['/dummy/board'],
      rotateSeconds: 30,
      refreshMs: 1000,
      theme: 'light',
      filter: { rack: 'A' },
    });
    const context = await browser.createBrowserContext();
    const page = await context.newPage();
    // The screen's monotonic clock, which ages are counted on, can be moved on by the test.
    await page.evaluateOnNewDocument(() => {
      const now = performance.now.bind(performance);
      let ahead = 0;
      performance.now = () => now() + ahead;
      (window as unknown as { skipAhead: (ms: number) => void }).skipAhead = (ms) => (ahead += ms);
    });
    await page.setViewport({ width: 800, height: 480 });
    await page.goto(`${server.url}/kiosk/${token}`);
    await page.evaluate(() => (window.kioskMarker = 'first load'));
    const before = await text(page, '.kiosk-page-body');
    const elements = () => page.evaluate(() => document.getElementsByTagName('*').length);
    const failures: number[] = [];
    page.on('response', (response) => {
      if (response.status() === 500) failures.push(Date.now());
    });
    await server.services.db.execute('ALTER TABLE dm_item RENAME TO dm_item_away');
    try {
      await page.waitForFunction(() => document.querySelector('#kiosk-updated')?.textContent?.includes('HTTP 500'), {
        timeout: 15_000,
      });
      const elementsWhenStale = await elements();
      await page.evaluate(() => (window as unknown as { skipAhead: (ms: number) => void }).skipAhead(3600 * 1000));
      await page.waitForFunction(
        () => /\(1 h 0 min ago\)/.test(document.querySelector('#kiosk-updated')?.textContent ?? ''),
        { timeout: 15_000 },
      );
      expect(await barText(page)).to.match(
        /^Not updated since \d\d:\d\d:\d\d UTC \(1 h 0 min ago\): the server answered HTTP 500\.$/,
      );
      while (failures.length < 6) await new Promise((resolve) => page.once('response', resolve));
      expect(await text(page, '.kiosk-page-body'), 'the last good content stays').to.equal(before);
      expect(await elements(), 'failures add nothing to the page').to.equal(elementsWhenStale);
      // Backoff 1 s, then the 1 s refresh interval: never a burst of retries.
      const gaps = failures.slice(1).map((at, index) => at - failures[index]!);
      for (const gap of gaps) expect(gap, `gaps ${gaps.join(', ')} ms`).to.be.greaterThan(700);
    } finally {
      await server.services.db.execute('ALTER TABLE dm_item_away RENAME TO dm_item');
    }
    await page.waitForSelector('#kiosk-updated:not(.is-stale)', { timeout: 15_000 });
    await notReloaded(page);
    await context.close();
  });

  it('fits one screen from 800×480 to 4K, its type growing with it, legible in the dark theme', async () => {
    const sizes: Record<
      string,
      { root: number; cell: number; chartText: number; scrolls: boolean; headBackground: string }
    > = {};
    for (const [width, height] of [
      [800, 480],
      [1920, 1080],
      [3840, 2160],
    ] as const) {
      // Opened on its second page, the Board (a table and a chart), as a display without script turns to it.
      const { page, close } = await openDisplay(`${displayUrl}?page=1`, { width, height });
      expect(await visiblePage(page)).to.equal('Board');
      sizes[`${width}×${height}`] = await page.evaluate(() => {
        const px = (element: Element | null) => parseFloat(getComputedStyle(element ?? document.body).fontSize);
        const visible = document.querySelector('.kiosk-page:not([hidden])')!;
        const body = visible.querySelector('.kiosk-page-body')!;
        return {
          root: px(document.documentElement),
          cell: px(visible.querySelector('td')),
          // Chart text on screen: its box, as the SVG is scaled to its place.
          chartText: visible.querySelector('.chart text')?.getBoundingClientRect().height ?? 0,
          scrolls: document.documentElement.scrollHeight > innerHeight || body.scrollHeight > body.clientHeight,
          headBackground: getComputedStyle(visible.querySelector('thead th')!).backgroundColor,
        };
      });
      await close();
    }
    const small = sizes['800×480']!;
    const hd = sizes['1920×1080']!;
    const uhd = sizes['3840×2160']!;
    expect(small.root).to.equal(14);
    expect(hd.root).to.be.within(20, 26);
    expect(uhd.root).to.be.within(36, 44);
    for (const [size, measured] of Object.entries(sizes)) {
      expect(measured.scrolls, `${size} scrolls`).to.equal(false);
      expect(measured.cell, `${size}: table text as large as the page's`).to.equal(measured.root);
      expect(measured.chartText, `${size}: chart text legible`).to.be.greaterThan(9);
      expect(measured.headBackground, `${size}: no light header on the dark theme`).to.not.equal('rgb(250, 251, 252)');
    }
  });

  it('keeps showing a page whose module is disabled, marked stale, and picks it up when it is enabled again', async () => {
    const { page, close } = await openDisplay();
    await server.services.modules.disable('dummy', testActor);
    try {
      await page.waitForFunction(() => document.querySelector('#kiosk-updated')?.textContent?.includes('HTTP 403'), {
        timeout: 15_000,
      });
      expect(await text(page, '.kiosk-page:not([hidden]) .kiosk-page-body')).to.not.equal('');
      await admin.goto(`${server.url}/admin/displays`);
      expect(await text(admin, '#display-rows')).to.contain('not shown: the module dummy is disabled');
    } finally {
      await server.services.modules.enable('dummy', testActor);
    }
    await page.waitForSelector('#kiosk-updated:not(.is-stale)', { timeout: 15_000 });
    await notReloaded(page);
    await close();
  });

  it('the Displays page shows each display’s last contact, browser and whether it is stale', async () => {
    await admin.goto(`${server.url}/admin/displays`);
    const row = await text(admin, '#display-rows tr');
    expect(row)
      .to.match(/Headless Chrome \d+ on Linux, 127\.0\.0\.1/)
      .and.to.contain('live');
    // A screen that stopped asking five minutes ago shows as stale at the next poll of the list.
    await server.services.db.execute(
      "UPDATE displays SET last_contact_at = now() - interval '5 min', last_good_at = now() - interval '5 min'",
    );
    await admin.waitForFunction(
      () => document.querySelector('#display-rows')?.textContent?.includes('stale: no request for 5 min'),
      {
        timeout: 15_000,
      },
    );
  });

  it('a revoked display says "display revoked" at its next refresh, without reloading, and stops asking', async () => {
    const { page, close } = await openDisplay();
    await admin.goto(`${server.url}/admin/displays`);
    await Promise.all([admin.waitForNavigation(), admin.click('#display-rows a')]);
    await Promise.all([admin.waitForNavigation(), admin.click('form[action$="/revoke"] button')]);
    expect(await text(admin, '#flash')).to.equal('Revoked Row A wall: it shows "display revoked" at its next refresh.');
    await page.waitForSelector('.kiosk-revoked', { timeout: 10_000 });
    expect(await text(page, '.kiosk-revoked h1')).to.equal('Display revoked');
    await notReloaded(page);
    let asked = 0;
    page.on('request', () => (asked += 1));
    // Nothing signals that nothing happens: wait longer than the 2 s refresh interval and count.
    await new Promise((resolve) => setTimeout(resolve, 3000));
    expect(asked).to.equal(0);
    const [revoked] = await server.services.audit.query({ action: 'display.revoke' });
    expect(revoked).to.include({ actorName: 'admin', target: 'Row A wall' });
    await close();
  });

  it('sends no referrer to another site from a display page', async () => {
    const [display] = await server.services.displays.list();
    const { token } = (await server.services.displays.rotate(display!.id))!;
    const seen: Array<string | undefined> = [];
    const other = http.createServer((request, response) => {
      seen.push(request.headers.referer);
      response.end('elsewhere');
    });
    await new Promise<void>((resolve) => other.listen(0, '127.0.0.1', resolve));
    try {
      const { page, close } = await openDisplay(`${server.url}/kiosk/${token}`);
      const elsewhere = `http://127.0.0.1:${(other.address() as AddressInfo).port}/`;
      await Promise.all([
        page.waitForNavigation(),
        page.evaluate((href) => {
          const link = document.createElement('a');
          link.href = href;
          document.querySelector('.kiosk-page-body')!.append(link);
          link.click();
        }, elsewhere),
      ]);
      expect(seen).to.deep.equal([undefined]);
      await close();
    } finally {
      other.close();
    }
  });

  it('raised no script errors or CSP violations on the admin pages', () => {
    expect(adminProblems).to.deep.equal([]);
  });
});
