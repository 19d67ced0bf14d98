import { expect } from 'chai';
import type { Browser } from 'puppeteer-core';
import { launchBrowser } from '../../../dist/test/helpers/browser.js';
import { watchPageProblems } from '../../../dist/test/helpers/page-watch.js';
import { testAdminPassword } from '../../../dist/test/helpers/server.js';
import { WebClient } from '../../../dist/test/helpers/web-client.js';
import { startTemperatureServer, type TemperatureServer } from './tm-server.js';

/** The dashboard on a kiosk display: the display's rack only, refreshed by the display, nothing to click. */
describe('temperature monitor: the Dashboard as a kiosk page', function () {
  this.timeout(60_000);
  let tm: TemperatureServer;
  let browser: Browser;
  const sql = (text: string, values: unknown[] = []) => tm.server.services.db.execute(text, values);

  before(async () => {
    tm = await startTemperatureServer();
    // Two hosts in two racks, one tracked sensor each, as a poll leaves them.
    for (const [name, rack, reading] of [
      ['web-1', 'R1', 31.5],
      ['db-1', 'R2', 44],
    ] as const) {
      await sql(
        `WITH host AS (INSERT INTO tm_host (name, address, source, rack, room, last_polled_at)
                       VALUES ($1, '127.0.0.1', 'redfish', $2, 'A', now()) RETURNING id)
         INSERT INTO tm_sensor (host_id, key, name, state, reading, read_at) SELECT id, 'cpu', 'CPU', 'ok', $3, now() FROM host`,
        [name, rack, reading],
      );
    }
    browser = await launchBrowser();
  });
  after(async () => {
    await browser?.close();
    await tm?.server.close();
  });

  it('is offered for displays, honouring the rack filter only, and the Displays form says so', async () => {
    const manifest = tm.server.services.modules.registry.get('temperature-monitor')!.manifest;
    const dashboard = manifest.ui.sidebar.children.find((child) => child.path === '/temperature');
    expect(dashboard).to.deep.include({ kiosk: true, kioskFilters: ['rack'] });
    const admin = new WebClient(tm.server.url);
    await admin.login('admin', testAdminPassword);
    const form = (await admin.get('/admin/displays')).text;
    expect(form).to.contain('Optional: this rack only, on Temperatures › Dashboard.');
    expect(form).to.contain('No page offered now can be limited this way.'); // no customer on temperatures
    const refused = await admin.post('/admin/displays', {
      name: 'Hall A',
      pages: '/temperature',
      refreshSeconds: '30',
      rotateSeconds: '30',
      theme: 'dark',
      customer: 'Acme',
    });
    expect(refused.status).to.equal(422);
    expect(refused.text).to.contain('None of the chosen pages can be limited to a customer');
    expect(await tm.server.services.displays.list(), 'nothing saved').to.have.length(0);
  });

  it("shows the display's rack only, with nothing to click, and takes in a new reading without reloading", async () => {
    const { token } = await tm.server.services.displays.create({
      name: 'Rack R1',
      pages: ['/temperature'],
      rotateSeconds: 30,
      refreshMs: 1000,
      theme: 'dark',
      filter: { rack: 'R1' },
    });
    const page = await (await browser.createBrowserContext()).newPage();
    const problems = watchPageProblems(page);
    await page.setViewport({ width: 800, height: 480 });
    await page.goto(`${tm.server.url}/kiosk/${token}`);
    await page.evaluate(() => ((window as unknown as { marker: string }).marker = 'first load'));
    expect(await page.$eval('main h1', (h1) => h1.textContent)).to.equal('Temperatures · rack R1');
    expect(await page.$$eval('.tm-host h4', (hosts) => hosts.map((host) => host.textContent?.trim()))).to.deep.equal([
      'web-1',
    ]);
    expect(await page.$$eval('main a[href]', (links) => links.length), 'no links away').to.equal(0);
    expect(await page.$('#tm-tiles[hx-get]'), 'the display refreshes the page, the page does not poll').to.equal(null);
    expect(await page.evaluate(() => document.documentElement.scrollHeight <= innerHeight)).to.equal(true);
    expect(await page.$eval('#kiosk-cut', (note) => (note as HTMLElement).hidden), 'it fits').to.equal(true);
    await sql(
      "UPDATE tm_sensor SET reading = 36.5, read_at = now() WHERE name = 'CPU' AND host_id = (SELECT id FROM tm_host WHERE name = 'web-1')",
    );
    await sql("UPDATE tm_host SET last_polled_at = now() + interval '1 s' WHERE name = 'web-1'");
    await page.waitForFunction(() => document.querySelector('.tm-tiles b')?.textContent === '36.5 °C', {
      timeout: 15_000,
    });
    expect(await page.evaluate(() => (window as unknown as { marker?: string }).marker)).to.equal('first load');
    // 150 more sensors on the rack's host do not fit 800×480: cut off, and the bar says so.
    await sql(
      `INSERT INTO tm_sensor (host_id, key, name, state, reading, read_at)
       SELECT h.id, 'disk' || n, 'Disk ' || n, 'ok', 30, now() FROM tm_host h, generate_series(1, 150) n WHERE h.name = 'web-1'`,
    );
    await sql("UPDATE tm_host SET last_polled_at = now() + interval '2 s' WHERE name = 'web-1'");
    await page.waitForSelector('#kiosk-cut:not([hidden])', { timeout: 15_000 });
    expect(await page.$eval('#kiosk-cut', (note) => note.textContent)).to.equal(
      'Not all of this page fits this screen',
    );
    expect(await page.$('.kiosk-page-body[data-cut]')).to.not.equal(null);
    expect(await page.evaluate(() => (window as unknown as { marker?: string }).marker)).to.equal('first load');
    expect(problems).to.deep.equal([]);
  });

  it("reaches the dashboard alone: the module's other pages under it are refused", async () => {
    const [display] = await tm.server.services.displays.list();
    const { token } = (await tm.server.services.displays.rotate(display!.id))!;
    const asDisplay = (path: string) =>
      fetch(`${tm.server.url}${path}`, { headers: { 'X-Display-Token': token, 'HX-Request': 'true' } });
    expect((await asDisplay('/temperature')).status).to.equal(200);
    for (const path of ['/temperature/hosts', '/temperature/alerts', '/temperature/tiles', '/temperature/sensors/1']) {
      const answer = await asDisplay(path);
      expect(answer.status, path).to.equal(403);
      expect(await answer.text()).to.contain('NXF_KIOSK_FORBIDDEN');
    }
  });
});
