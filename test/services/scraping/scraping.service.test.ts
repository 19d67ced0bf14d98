import { expect } from 'chai';
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { createLogger } from '../../../src/logger.js';
import { BrowserPool } from '../../../src/services/scraping/browser-pool.js';
import {
  createScrapingService,
  type ScrapingConfig,
  type ScrapingService,
  type SessionCookie,
} from '../../../src/services/scraping/scraping.service.js';
import { createStorageService, type ModuleStorage } from '../../../src/services/storage/storage.service.js';
import { pduCredentials, pduLoginForm, pduPresetCookie, startFakePdu, type FakePdu } from '../../fixtures/fake-pdu.js';

/** Every file under `dir`, relative to it. */
const listFiles = async (dir: string) => (await readdir(dir, { recursive: true })).map(String);

describe('ScrapingService against a fake PDU in real Chromium', function () {
  this.timeout(30_000);
  let pdu: FakePdu;
  let pool: BrowserPool;
  let storage: ModuleStorage;
  let scraping: ScrapingService;
  let dataDir: string;

  before(async () => {
    pdu = await startFakePdu();
    dataDir = await mkdtemp(path.join(os.tmpdir(), 'nxf-scrape-'));
    storage = createStorageService(path.join(dataDir, 'storage')).forModule('consumption-monitor', { writable: true });
    pool = new BrowserPool(createLogger('silent'), { maxBrowsers: 1, maxPagesPerBrowser: 4 });
    scraping = createScrapingService({
      pool,
      storage,
      logger: createLogger('silent'),
      retry: { retries: 1, minDelayMs: 20 },
    });
  });
  after(async () => {
    await pool?.close();
    await pdu?.close();
    await rm(dataDir, { recursive: true, force: true });
  });
  beforeEach(() => {
    pdu.reading = '1,234.5 kWh';
    pdu.requests.length = 0;
  });

  const energy = { energy: { selector: '#energy', type: 'number' as const, unit: 'kWh' } };
  const scrapeEnergy = (config: Omit<ScrapingConfig, 'extract'>) =>
    scraping.scrape({ extract: energy, timeout: 5000, ...config });

  it('reads the kWh counter of an open page', async () => {
    const result = await scrapeEnergy({ url: `${pdu.url}/open` });
    expect(result).to.include({ success: true, attempts: 1 });
    expect(result.data).to.deep.equal({ energy: 1234.5 });
    expect(result.screenshot).to.equal(undefined);
    expect(result.duration).to.be.a('number');
  });

  it('signs in with HTTP basic auth, and fails without retrying on a wrong password', async () => {
    const ok = await scrapeEnergy({ url: `${pdu.url}/basic`, auth: { type: 'basic', credentials: pduCredentials } });
    expect(ok.data).to.deep.equal({ energy: 1234.5 });
    const wrong = await scrapeEnergy({
      url: `${pdu.url}/basic`,
      auth: { type: 'basic', credentials: { username: 'apc', password: 'nope' } },
    });
    expect(wrong).to.include({ success: false, errorCode: 'NXF_SCRAPE_AUTH', attempts: 1 });
    expect(wrong.error).to.contain('401');
  });

  it('signs in through a login form with a session cookie, and detects the login page coming back', async () => {
    const form = {
      type: 'form' as const,
      credentials: pduCredentials,
      form: { ...pduLoginForm, loginUrl: `${pdu.url}/form/login` },
    };
    const ok = await scrapeEnergy({ url: `${pdu.url}/form/meter`, auth: form });
    expect(ok.data).to.deep.equal({ energy: 1234.5 });
    const wrong = await scrapeEnergy({
      url: `${pdu.url}/form/meter`,
      auth: { ...form, credentials: { ...pduCredentials, password: 'bad' } },
    });
    expect(wrong).to.include({ success: false, errorCode: 'NXF_SCRAPE_AUTH', attempts: 1 });
    expect(wrong.error).to.contain('login page came back');
  });

  it('keeps a device session: signs in only when the device shows its login form, and returns the cookies', async () => {
    const auth = {
      type: 'form' as const,
      credentials: pduCredentials,
      form: { ...pduLoginForm, loginUrl: `${pdu.url}/form/login` },
    };
    const read = (cookies: SessionCookie[]) =>
      scrapeEnergy({ url: `${pdu.url}/form/meter`, auth, session: { cookies } });
    pdu.logins = 0;
    const first = await read([]);
    expect(first).to.include({ success: true, logins: 1 });
    expect(first.cookies?.map((cookie) => cookie.name)).to.deep.equal(['pdu_session']);
    const second = await read(first.cookies!);
    const third = await read(second.cookies!);
    expect([second.logins, third.logins, pdu.logins]).to.deep.equal([0, 0, 1]);
    expect(third.data).to.deep.equal({ energy: 1234.5 });
    pdu.dropSessions();
    const again = await read(third.cookies!);
    expect(again).to.include({ success: true, logins: 1 });
    expect(pdu.logins).to.equal(2);
  });

  it('sends a pre-set cookie', async () => {
    const result = await scrapeEnergy({
      url: `${pdu.url}/cookie/meter`,
      auth: { type: 'cookie', credentials: { [pduPresetCookie.name]: pduPresetCookie.value } },
    });
    expect(result.data).to.deep.equal({ energy: 1234.5 });
  });

  it('signs in again when the device logs the session out between two pages', async () => {
    pdu.logoutAfter = 1;
    const logins = pdu.logins;
    const result = await scraping.scrape(
      {
        url: `${pdu.url}/expiring/meter`,
        timeout: 5000,
        auth: {
          type: 'form',
          credentials: pduCredentials,
          form: { ...pduLoginForm, loginUrl: `${pdu.url}/expiring/login` },
        },
      },
      async (page, session) => {
        const first = await scraping.extractNumber(page, '#energy', { unit: 'kWh' });
        await session.goto(`${pdu.url}/expiring/meter`);
        return [first, await scraping.extractNumber(page, '#energy', { unit: 'kWh' })];
      },
    );
    expect(result.error).to.equal(undefined);
    expect(result.data).to.deep.equal([1234.5, 1234.5]);
    expect(pdu.logins - logins).to.equal(2);
  });

  it('reports a device that keeps showing its login page after signing in again as NXF_SCRAPE_SESSION_LOST, retried', async () => {
    // The device logs a session out after one meter view; the page asked for (with a query) is not where its login
    // lands, so after signing in again it is loaded once more, and shows the login page again.
    pdu.logoutAfter = 1;
    const result = await scraping.scrape(
      {
        url: `${pdu.url}/expiring/meter`,
        timeout: 5000,
        retries: 1,
        auth: {
          type: 'form',
          credentials: pduCredentials,
          form: { ...pduLoginForm, loginUrl: `${pdu.url}/expiring/login` },
        },
      },
      async (_page, session) => session.goto(`${pdu.url}/expiring/meter?outlets=all`),
    );
    expect(result).to.include({ success: false, errorCode: 'NXF_SCRAPE_SESSION_LOST', attempts: 2 });
    expect(result.error).to.contain('keeps showing its login page after signing in');
  });

  it('reports anything else going wrong as NXF_SCRAPE_FAILED, not retried', async () => {
    const result = await scraping.scrape({ url: `${pdu.url}/open`, timeout: 5000, retries: 1 }, async () => {
      throw new Error('the outlet table has an unexpected layout');
    });
    expect(result).to.include({ success: false, errorCode: 'NXF_SCRAPE_FAILED', attempts: 1 });
    expect(result.error).to.contain('the outlet table has an unexpected layout');
  });

  it("keeps a screenshot of every scrape with screenshot: 'always', and none with 'never'", async () => {
    const always = await scrapeEnergy({ url: `${pdu.url}/open`, name: 'always-pdu', screenshot: 'always' });
    expect(always).to.include({ success: true });
    expect(always.screenshot?.subarray(1, 4).toString()).to.equal('PNG');
    expect(always.screenshotPath).to.match(/^screenshots\/\d{4}-\d\d-\d\d\/always-pdu-\d+\.png$/);
    expect(await storage.readFile(always.screenshotPath!)).to.deep.equal(always.screenshot);

    const stored = async () => (await listFiles(path.join(dataDir, 'storage'))).filter((f) => f.includes('never-pdu'));
    const never = await scrapeEnergy({ url: `${pdu.url}/error`, name: 'never-pdu', screenshot: 'never', retries: 0 });
    expect(never).to.include({ success: false, errorCode: 'NXF_SCRAPE_HTTP' });
    expect(never.screenshot).to.equal(undefined);
    expect(never.screenshotPath).to.equal(undefined);
    expect(await stored()).to.deep.equal([]);
  });

  it('offers the helpers on a page of its own: loginBasicAuth, loginFormAuth, extractText', async () => {
    const lease = await pool.newPage();
    try {
      const { page } = lease;
      await scraping.loginBasicAuth(page, pduCredentials.username, pduCredentials.password);
      await page.goto(`${pdu.url}/basic`);
      expect(await scraping.extractText(page, '#energy')).to.equal('1,234.5 kWh');
      const missing = await scraping.extractText(page, '#voltage').catch((error: unknown) => error);
      expect(missing).to.have.property('code', 'NXF_SCRAPE_SELECTOR');

      // Without a loginUrl, the form is the page the browser is on (the device redirected there).
      await page.goto(`${pdu.url}/form/meter`);
      expect(page.url()).to.equal(`${pdu.url}/form/login`);
      await scraping.loginFormAuth(page, { ...pduLoginForm, ...pduCredentials });
      expect(await scraping.extractNumber(page, '#energy', { unit: 'kWh' })).to.equal(1234.5);

      const refused = await scraping
        .loginFormAuth(page, {
          ...pduLoginForm,
          ...pduCredentials,
          password: 'wrong',
          loginUrl: `${pdu.url}/form/login`,
        })
        .catch((error: unknown) => error);
      expect(refused).to.have.property('code', 'NXF_SCRAPE_AUTH');
    } finally {
      await lease.release();
    }
  });

  it('reads a value rendered by JavaScript after a delay', async () => {
    const result = await scrapeEnergy({ url: `${pdu.url}/js?delay=400`, waitForSelector: '#energy' });
    expect(result.data).to.deep.equal({ energy: 1234.5 });
    const text = await scraping.scrape({ url: `${pdu.url}/js?delay=50`, waitForSelector: '#energy' });
    expect(text.data).to.deep.equal({ text: '1,234.5 kWh' });
  });

  it('reports a page that never finishes as a timeout, retried, with a screenshot stored', async () => {
    const result = await scrapeEnergy({ url: `${pdu.url}/hang`, timeout: 1000, name: 'rack-7 pdu' });
    expect(result).to.include({ success: false, errorCode: 'NXF_SCRAPE_TIMEOUT', attempts: 2 });
    expect(result.screenshot?.subarray(1, 4).toString()).to.equal('PNG');
    expect(result.screenshotPath).to.match(/^screenshots\/\d{4}-\d\d-\d\d\/rack-7-pdu-\d+\.png$/);
    expect(await storage.readFile(result.screenshotPath!)).to.deep.equal(result.screenshot);
  });

  it('reports a 500 page as a transient HTTP failure, retried, with the error page stored as a screenshot', async () => {
    const result = await scrapeEnergy({ url: `${pdu.url}/error` });
    expect(result).to.include({ success: false, errorCode: 'NXF_SCRAPE_HTTP', attempts: 2 });
    expect(result.error).to.contain('HTTP 500');
    expect(pdu.requests.filter((r) => r.path === '/error')).to.have.length(2);
    const stored = await readFile(path.join(dataDir, 'storage', 'consumption-monitor', result.screenshotPath!));
    expect(stored.length).to.be.greaterThan(100);
  });

  it('fails on a value that is not a number, without retrying and without inventing 0', async () => {
    pdu.reading = 'n/a kWh';
    const result = await scrapeEnergy({ url: `${pdu.url}/open` });
    expect(result).to.include({ success: false, errorCode: 'NXF_SCRAPE_PARSE', attempts: 1 });
    expect(result.data).to.equal(undefined);
    const missing = await scraping.scrape({ url: `${pdu.url}/open`, extract: { x: { selector: '#nothing' } } });
    expect(missing).to.include({ success: false, errorCode: 'NXF_SCRAPE_SELECTOR', attempts: 1 });
  });

  it('reports an unreachable device as such, retried', async () => {
    // A port nothing listens on (Chromium refuses some well-known ports outright, such as 9: not a test of this).
    const closed = net.createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const { port } = closed.address() as net.AddressInfo;
    await new Promise<void>((resolve) => closed.close(() => resolve()));
    const result = await scrapeEnergy({ url: `http://127.0.0.1:${port}/meter`, retries: 1 });
    expect(result).to.include({ success: false, errorCode: 'NXF_SCRAPE_UNREACHABLE', attempts: 2 });
    expect(result.error).to.contain('ERR_CONNECTION_REFUSED');
  });

  it('reports an address the browser cannot load as NXF_SCRAPE_FAILED, not retried (the browser is fine)', async () => {
    const result = await scrapeEnergy({ url: 'pdu-7.rack.local/meter', retries: 1 });
    expect(result).to.include({ success: false, errorCode: 'NXF_SCRAPE_FAILED', attempts: 1 });
    expect(result.error).to.equal('pdu-7.rack.local/meter is not an address the browser can load.');
  });

  it('leaks no cookie from one endpoint to the next on the same host', async () => {
    const form = {
      type: 'form' as const,
      credentials: pduCredentials,
      form: { ...pduLoginForm, loginUrl: `${pdu.url}/form/login` },
    };
    expect((await scrapeEnergy({ url: `${pdu.url}/form/meter`, auth: form })).success).to.equal(true);
    const cookieAuth = { type: 'cookie' as const, credentials: { [pduPresetCookie.name]: pduPresetCookie.value } };
    expect((await scrapeEnergy({ url: `${pdu.url}/cookie/meter`, auth: cookieAuth })).success).to.equal(true);
    pdu.requests.length = 0;
    const anonymous = await scrapeEnergy({ url: `${pdu.url}/cookie/meter` });
    expect(anonymous).to.include({ success: false, errorCode: 'NXF_SCRAPE_AUTH' });
    const anonymousMeter = await scrapeEnergy({ url: `${pdu.url}/form/meter`, retries: 0 });
    expect(anonymousMeter.success).to.equal(false);
    expect(pdu.requests.map((r) => r.cookie).filter(Boolean)).to.deep.equal([]);
  });
});
