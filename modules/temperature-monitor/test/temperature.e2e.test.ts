import { expect } from 'chai';
import type { Browser, Page } from 'puppeteer-core';
import { startWebhookReceiver, type WebhookReceiver } from '../../../dist/test/fixtures/webhook-receiver.js';
import { launchBrowser, signedInPage } from '../../../dist/test/helpers/browser.js';
import { eventually, runJob } from '../../../dist/test/helpers/jobs.js';
import { testActor } from '../../../dist/test/helpers/modules.js';
import { testAdminPassword } from '../../../dist/test/helpers/server.js';
import { bmcCredentials, startFakeBmc, type FakeBmc } from './fake-bmc.js';
import { startTemperatureServer, type TemperatureServer } from './tm-server.js';

const hostName = 'rack-7 <b>web</b>';

describe('end to end in Chromium: a BMC added, its sensors tracked, polled, charted, and an alert delivered', function () {
  this.timeout(120_000);
  let tm: TemperatureServer;
  let bmc: FakeBmc;
  let receiver: WebhookReceiver;
  let browser: Browser;
  let page: Page;
  let problems: string[];

  before(async () => {
    receiver = await startWebhookReceiver();
    bmc = await startFakeBmc();
    tm = await startTemperatureServer();
    await tm.server.services.modules.saveSettings('temperature-monitor', { minDurationSeconds: 0 }, testActor);
    const hook = await tm.server.services.toolkit.notifications.channels.create({
      name: 'Pager',
      type: 'webhook',
      enabled: true,
      values: { url: `${receiver.url}/pager` },
    });
    await tm.server.services.rules.store.create({
      name: 'Hot',
      eventPattern: 'temperature-monitor.alert_firing',
      minSeverity: 'critical',
      channelIds: [hook.id],
      quietSeconds: 3600,
      enabled: true,
    });
    tm.server.services.rules.engine.invalidate(); // the engine caches rules for a while
    browser = await launchBrowser();
    ({ page, problems } = await signedInPage(browser, tm.server.url, {
      username: 'admin',
      password: testAdminPassword,
    }));
  });
  after(async () => {
    await browser?.close();
    await tm?.server.close();
    await bmc?.close();
    await receiver?.close();
  });

  const text = (selector: string) =>
    page.$eval(selector, (element) => element.textContent?.replace(/\s+/g, ' ').trim() ?? '');
  /**
   * Clicks, then waits for the page the click leads to (its path): links and forms are boosted by htmx, so the
   * page changes without a navigation event.
   */
  const follow = async (selector: string, path: RegExp) => {
    await page.click(selector);
    await page.waitForFunction(
      (source) => new RegExp(source).test(location.pathname + location.search),
      {},
      path.source,
    );
    await page.waitForFunction(() => !document.querySelector('.htmx-request'));
  };

  it('adds the mockup BMC from the Hosts page of its sidebar entry', async () => {
    const links = await page.$$eval('nav[aria-label="Main"] a', (anchors) =>
      anchors.map((a) => a.getAttribute('href')),
    );
    expect(links).to.include.members([
      '/temperature',
      '/temperature/hosts',
      '/temperature/alerts',
      '/temperature/trends',
    ]);
    await follow('nav[aria-label="Main"] a[href="/temperature/hosts"]', /^\/temperature\/hosts$/);
    await follow('a[href="/temperature/hosts/new"]', /^\/temperature\/hosts\/new$/);
    await page.waitForSelector('#field-name');
    await page.type('#field-name', hostName);
    await page.type('#field-address', bmc.url);
    await page.type('#field-username', bmcCredentials.username);
    await page.type('#field-password', bmcCredentials.password);
    await page.type('[id="field-labels.room"]', 'A');
    await page.type('[id="field-labels.rack"]', '7');
    await follow('form.tm-form button[type=submit]', /^\/temperature\/hosts\/\d+$/);
    await page.waitForSelector('form[action$="/discover"]');
    expect(await text('h1')).to.equal(hostName);
    expect(await text('#flash')).to.contain('added');
  });

  it('discovers its sensors and tracks the ones with a reading', async () => {
    await page.click('form[action$="/discover"] button');
    await page.waitForSelector('table.tm-discovered');
    const rows = await page.$$eval('table.tm-discovered tbody tr', (trs) =>
      trs.map((tr) => [
        tr.querySelector('th')?.textContent?.trim(),
        (tr.querySelector('input') as HTMLInputElement).checked,
      ]),
    );
    expect(rows).to.deep.include(['CPU #1 Temperature', true]);
    await page.click('form[action$="/track"] button[type=submit]');
    await page.waitForFunction(() => /Tracking \d+ sensors/.test(document.querySelector('#flash')?.textContent ?? ''));
    expect(await page.$$eval('table.data tbody tr', (trs) => trs.length)).to.be.greaterThan(5);
  });

  it('runs the poll job from the Jobs page and shows the tiles, grouped, with the host name as text', async () => {
    await page.goto(`${tm.server.url}/jobs`);
    await follow('#job-temperature-monitor-poll-temperatures button.primary', /^\/executions\/[0-9a-f-]{36}$/);
    await page.waitForFunction(
      () => document.querySelector('#execution-head .status')?.getAttribute('data-status') === 'succeeded',
      { timeout: 30_000 },
    );
    await page.goto(`${tm.server.url}/temperature`);
    expect(await text('.tm-room h2')).to.equal('Room A');
    expect(await text('.tm-host h4 a')).to.equal(hostName); // shown as text: no <b> element made of it
    expect(await page.$$eval('.tm-host h4 b', (bold) => bold.length)).to.equal(0);
    const cpu = await page.$eval('.tm-tiles a[title^="CPU #1"]', (a) => ({
      value: a.querySelector('b')?.textContent,
      state: a.parentElement?.className,
    }));
    expect(cpu).to.deep.equal({ value: '37.0 °C', state: 'tm-ok' });
  });

  it('refreshes the tiles as an htmx fragment, and fits an 800×480 kiosk screen', async () => {
    const fragment = await page.evaluate(async () => {
      const response = await fetch('/temperature/tiles', {
        headers: { 'HX-Request': 'true', 'HX-Request-Type': 'partial' },
      });
      return response.text();
    });
    // A poll that finds the tiles unchanged is answered 304, without a body (a kiosk's refresh costs nothing).
    const again = await page.evaluate(async () => {
      const headers = { 'HX-Request': 'true', 'HX-Request-Type': 'partial' };
      // Each body is read to its end: the page reloads next, and would abort a response left unread.
      const first = await fetch('/temperature/tiles', { headers });
      await first.text();
      let etag = first.headers.get('etag') ?? '';
      // Tiles show their age to the minute: should the minute turn in between, the next ask has the new ETag.
      for (let attempt = 0; ; attempt += 1) {
        const next = await fetch('/temperature/tiles', { headers: { ...headers, 'If-None-Match': etag } });
        await next.text();
        if (next.status === 304 || attempt === 1) return { etag, status: next.status };
        etag = next.headers.get('etag') ?? '';
      }
    });
    expect(again.etag).to.match(/^W\//);
    expect(again.status).to.equal(304);
    expect(fragment.trimStart()).to.match(/^<div id="tm-tiles"/);
    expect(fragment).not.to.contain('<html');
    expect(
      await page.$eval('#tm-tiles', (region) => [region.getAttribute('hx-get'), region.getAttribute('hx-trigger')]),
    ).to.deep.equal(['/temperature/tiles', 'every 30s']);
    await page.setViewport({ width: 800, height: 480 });
    await page.reload();
    expect(await page.evaluate(() => document.documentElement.scrollWidth)).to.be.at.most(800);
    await page.setViewport({ width: 1024, height: 700 });
  });

  it('opens a tile: the trend chart is drawn on the server with the threshold bands', async () => {
    await follow('.tm-tiles a[title^="CPU #1"]', /^\/temperature\/sensors\/\d+$/);
    await page.waitForSelector('figure.chart svg');
    expect(await page.$$eval('figure.chart svg', (svgs) => svgs.length)).to.equal(1);
    expect(
      await page.$$eval('figure.chart rect.band', (bands) => bands.map((b) => b.getAttribute('class'))),
    ).to.deep.equal(['band band-warning', 'band band-critical']);
    await follow('a[href$="range=7d"]', /range=7d$/);
    await page.waitForFunction(() =>
      document.querySelector('figcaption .chart-title')?.textContent?.includes('last 7d'),
    );
  });

  it('a reading pushed over critical shows as an alert, and the notification reaches the webhook', async () => {
    bmc.setSensor('CPU1Temp', 47);
    expect((await runJob(tm.server, 'temperature-monitor', 'poll-temperatures')).status).to.equal('succeeded');
    // The dashboard trusts the tiles' stamp it read for a second (src/web/tiles-source.ts): a poll shows after it.
    await new Promise((resolve) => setTimeout(resolve, 1100));
    await page.goto(`${tm.server.url}/temperature`);
    expect(await page.$eval('.tm-tiles a[title^="CPU #1"]', (a) => a.parentElement?.className)).to.equal('tm-critical');
    await follow('nav[aria-label="Main"] a[href="/temperature/alerts"]', /^\/temperature\/alerts$/);
    await page.waitForSelector('table.tm-alerts');
    const row = await text('table.tm-alerts tbody tr');
    expect(row)
      .to.contain(`${hostName} · CPU #1 Temperature`)
      .and.contain('critical')
      .and.contain('firing')
      .and.contain('ok → critical at 47.0 °C (threshold 45.0 °C)');
    const [delivery] = await eventually(() =>
      receiver.received('/pager').length > 0 ? receiver.received('/pager') : undefined,
    );
    const body = JSON.parse(delivery!.body) as { title: string; message: string };
    expect(body.title).to.equal(`temperature-monitor.alert_firing: ${hostName}/CPU #1 Temperature`);
    expect(body.message).to.contain('47 °C, past its critical threshold of 45 °C');
    await page.goto(`${tm.server.url}/`);
    expect(await text('.widget'))
      .to.contain('Temperature alerts')
      .and.contain('CPU #1 Temperature');
    expect(problems).to.deep.equal([]);
  });
});
