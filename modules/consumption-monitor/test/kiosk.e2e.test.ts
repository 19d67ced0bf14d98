import { expect } from 'chai';
import type { Browser } from 'puppeteer-core';
import { startFakePdu, type FakePdu } from '../../../dist/test/fixtures/fake-pdu.js';
import { launchBrowser } from '../../../dist/test/helpers/browser.js';
import { watchPageProblems } from '../../../dist/test/helpers/page-watch.js';
import { formEndpoint } from './helpers/endpoints.js';
import { startCmServer, type CmServer } from './helpers/cm-server.js';

/** The Live Dashboard on a kiosk display: only the display's rack or customer, refreshed by the display. */
describe('consumption monitor: the Live Dashboard as a kiosk page', function () {
  this.timeout(60_000);
  let cm: CmServer;
  let pdu: FakePdu;
  let browser: Browser;
  const endpoint = (name: string, customer: string, rack: string) =>
    cm.api('POST', '/endpoints', { ...formEndpoint(pdu, name), labels: { customer, rack } });
  const display = async (filter: { rack?: string; customer?: string }) =>
    (
      await cm.server.services.displays.create({
        name: `Wall ${JSON.stringify(filter)}`,
        pages: ['/consumption/live'],
        rotateSeconds: 30,
        refreshMs: 1000,
        theme: 'contrast',
        filter,
      })
    ).token;

  before(async () => {
    [cm, pdu] = await Promise.all([startCmServer(), startFakePdu()]);
    await endpoint('R7 PDU A', 'Acme', 'R7');
    await endpoint('R8 PDU A', 'Globex', 'R8');
    browser = await launchBrowser();
  });
  after(async () => {
    await browser?.close();
    await Promise.all([cm?.close(), pdu?.close()]);
  });

  it('is offered for displays by its manifest', async () => {
    const manifest = cm.server.services.modules.registry.get('consumption-monitor')!.manifest;
    const live = manifest.ui.sidebar.children.find((child) => child.path === '/consumption/live');
    expect(live?.kiosk).to.equal(true);
  });

  it("shows the display's rack only, grouped by customer, with nothing to click, and takes in a new endpoint by itself", async () => {
    const token = await display({ rack: 'R8' });
    const page = await (await browser.createBrowserContext()).newPage();
    const problems = watchPageProblems(page);
    await page.setViewport({ width: 800, height: 480 });
    await page.goto(`${cm.server.url}/kiosk/${token}`);
    const tiles = () => page.$$eval('.cm-tile h3', (names) => names.map((name) => name.textContent));
    expect(await tiles()).to.deep.equal(['R8 PDU A']);
    expect(await page.$eval('h1', (h1) => h1.textContent)).to.equal('Live Dashboard · rack R8');
    expect(await page.$('.cm-group'), 'no grouping links on a wall screen').to.equal(null);
    expect(await page.$('#cm-tiles[hx-get]'), 'the display refreshes the page, the page does not poll').to.equal(null);
    await endpoint('R8 PDU B', 'Initech', 'R8');
    // The module reuses its tiles for 5 s; the display asks every second.
    await page.waitForFunction(() => document.querySelectorAll('.cm-tile').length === 2, { timeout: 15_000 });
    expect(await tiles()).to.deep.equal(['R8 PDU A', 'R8 PDU B']);
    expect(await page.$$eval('.cm-group-tiles h2', (h2s) => h2s.map((h2) => h2.textContent))).to.deep.equal(['Globex', 'Initech']);
    expect(problems).to.deep.equal([]);
  });

  it("limited to a customer, shows that customer's endpoints grouped by rack", async () => {
    const token = await display({ customer: 'Acme' });
    const html = await (await fetch(`${cm.server.url}/kiosk/${token}`)).text();
    expect(html).to.contain('R7 PDU A').and.not.contain('R8 PDU');
    expect(html).to.contain('<h2>R7</h2>');
  });
});
