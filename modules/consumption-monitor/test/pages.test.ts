import { expect } from 'chai';
import { startFakePdu, pduCredentials, type FakePdu } from '../../../dist/test/fixtures/fake-pdu.js';
import { testAdminPassword } from '../../../dist/test/helpers/server.js';
import { WebClient } from '../../../dist/test/helpers/web-client.js';
import { formEndpoint } from './helpers/endpoints.js';
import { startCmServer, type CmServer } from './helpers/cm-server.js';

/** The module's pages without JavaScript (plain forms), its bundled state and what disabling it takes away. */
describe('consumption monitor: pages and lifecycle', function () {
  this.timeout(60_000);
  let cm: CmServer;
  let pdu: FakePdu;
  let web: WebClient;
  before(async () => {
    [cm, pdu] = await Promise.all([startCmServer(), startFakePdu()]);
    web = new WebClient(cm.server.url);
    await web.login('admin', testAdminPassword);
  });
  after(async () => {
    await Promise.all([cm?.close(), pdu?.close()]);
  });

  const form = (overrides: Record<string, string> = {}) => ({
    name: 'Page PDU',
    source: 'browser',
    kind: 'counter',
    unit: 'kWh',
    url: `${pdu.url}/form/meter`,
    selector: '#energy',
    locale: 'en',
    pollIntervalMinutes: '15',
    timeoutSeconds: '20',
    ratedPowerKw: '7.4',
    customer: 'Acme',
    rack: 'R7',
    authType: 'form',
    authUsername: pduCredentials.username,
    authPassword: pduCredentials.password,
    loginUrl: `${pdu.url}/form/login`,
    usernameSelector: '#username',
    passwordSelector: '#password',
    submitSelector: '#sign-in',
    enabled: 'true',
    ...overrides,
  });

  it('is bundled, installed and enabled at start, with its sidebar entry', async () => {
    const { body } = await cm.core('GET', '/api/v1/modules/consumption-monitor');
    expect(body.module).to.include({ status: 'ENABLED', source: 'bundled', mounted: true });
    const page = await web.get('/consumption/endpoints');
    expect(page.status).to.equal(200);
    expect(page.text).to.include('href="/consumption/live"').and.include('Add demo devices');
  });

  it('creates an endpoint from the form, showing errors inline (422) and never the password', async () => {
    const bad = await web.post(
      '/consumption/endpoints',
      form({ name: '', url: 'javascript:alert(1)', ratedPowerKw: 'lots' }),
    );
    expect(bad.status).to.equal(422);
    expect(bad.text).to.include('Enter a name.').and.include('Only http:// and https:// addresses.');
    expect(bad.text).to.match(/id="field-ratedPowerKw-error">Rated power is a number of kW/);
    expect(bad.text).not.to.include(pduCredentials.password);
    const created = await web.post('/consumption/endpoints', form());
    expect(created.status).to.equal(303);
    const list = await web.get('/consumption/endpoints');
    expect(list.text).to.include('Page PDU');
    const id = /id="endpoint-([0-9a-f-]{36})"/.exec(list.text)![1]!;
    const edit = await web.get(`/consumption/endpoints/${id}/edit`);
    expect(edit.text).to.include('Stored: leave empty to keep it unchanged.').and.not.include(pduCredentials.password);
    // Saved with the password field left empty: the stored one still signs in.
    expect((await web.post(`/consumption/endpoints/${id}`, form({ authPassword: '', rack: 'R8' }))).status).to.equal(
      303,
    );
    const tested = await web.post(`/consumption/endpoints/${id}/test`, {});
    expect(tested.text).to.include('1,234.500 kWh').and.include('raw “1,234.5 kWh”');
    const duplicate = await web.post('/consumption/endpoints', form({ name: 'page pdu' }));
    expect(duplicate.status).to.equal(422);
    expect(duplicate.text).to.include('exists already');
  });

  it('asks before deleting, then deletes', async () => {
    const { body } = await cm.api('POST', '/endpoints', formEndpoint(pdu, 'Doomed PDU'));
    const confirm = await web.get(`/consumption/endpoints/${body.id}/delete`);
    expect(confirm.text).to.include('Delete <strong>Doomed PDU</strong> and its 0 reading(s)?');
    expect((await web.post(`/consumption/endpoints/${body.id}/delete`, {})).status).to.equal(303);
    expect((await cm.api('GET', `/endpoints/${body.id}`)).status).to.equal(404);
  });

  it('serves the live tiles, the history with its chart and CSV, and the dashboard widget', async () => {
    const { body } = await cm.api('POST', '/endpoints', {
      ...formEndpoint(pdu, 'Charted PDU'),
      url: `${pdu.url}/open`,
      auth: { type: 'none' },
    });
    const db = cm.server.services.db;
    await db.execute(
      `INSERT INTO cm_reading (endpoint_id, recorded_at, value, status, raw) SELECT $1, now() - make_interval(mins => 15 * i), 1000 - i, 'ok', (1000 - i)::text FROM generate_series(0, 7) i`,
      [body.id],
    );
    await db.execute(
      `INSERT INTO cm_reading (endpoint_id, recorded_at, status, error_code, error_message) VALUES ($1, now() - interval '2 hours', 'error', 'NXF_SCRAPE_PARSE', '"n/a" is not a number')`,
      [body.id],
    );
    const live = await web.get('/consumption/live');
    expect(live.text).to.include('Charted PDU').and.include('hx-trigger="every 30s"');
    // Two ok readings 15 minutes apart, 1 kWh between them: 4 kW.
    expect(live.text).to.match(/<span class="value">4\.00<\/span> kW/);
    const tiles = await web.get('/consumption/live/tiles', { 'HX-Request': 'true', 'HX-Request-Type': 'partial' });
    expect(tiles.text).to.include('cm-tile');
    expect(tiles.text).not.to.include('<html');
    const history = await web.get(`/consumption/history?endpointId=${body.id}&status=error`);
    expect(history.text)
      .to.include('<svg')
      .and.include('NXF_SCRAPE_PARSE')
      .and.include('Readings <span class="muted">(1)</span>');
    const csv = await web.get(`/consumption/history.csv?endpointId=${body.id}`);
    expect(csv.headers.get('content-type')).to.match(/text\/csv/);
    expect(csv.text.split('\n')[0]).to.equal(
      'id,endpointId,endpoint,at,value,status,reason,raw,errorCode,error,screenshot,reset',
    );
    expect(csv.text.trim().split('\n')).to.have.length(10);
    const dashboard = await web.get('/');
    expect(dashboard.text).to.include('Power consumption').and.include('kW now');
  });

  it('exports CSV that a spreadsheet cannot run: names and device texts starting a formula are quoted as text', async () => {
    const name = '=HYPERLINK("http://evil.example/","x")';
    const { body } = await cm.api('POST', '/endpoints', {
      ...formEndpoint(pdu, name),
      url: `${pdu.url}/open`,
      auth: { type: 'none' },
    });
    expect(body.name).to.equal(name);
    await cm.server.services.db.execute(
      `INSERT INTO cm_reading (endpoint_id, recorded_at, value, status, raw, error_code, error_message) VALUES
         ($1, now() - interval '1 hour', NULL, 'error', '@SUM(1+1)', 'NXF_SCRAPE_PARSE', '+cmd|calc'),
         ($1, now(), -5, 'suspect', '-5', NULL, NULL)`,
      [body.id],
    );
    for (const csv of [
      (await web.get(`/consumption/history.csv?endpointId=${body.id}`)).text,
      await fetch(
        `${cm.server.url}/api/v1/m/consumption-monitor/consumption/readings?endpointId=${body.id}&format=csv`,
        {
          headers: { authorization: `Bearer ${cm.token}` },
        },
      ).then((response) => response.text()),
    ]) {
      const lines = csv.trim().split('\n');
      expect(lines[0]).to.equal('id,endpointId,endpoint,at,value,status,reason,raw,errorCode,error,screenshot,reset');
      expect(lines).to.have.length(3);
      // Every cell that would start a formula starts with ' instead; a plain negative number stays a number.
      expect(lines[1]).to.include(`,"'=HYPERLINK(""http://evil.example/"",""x"")",`);
      expect(lines[2]).to.include(",'@SUM(1+1),NXF_SCRAPE_PARSE,'+cmd|calc,");
      expect(lines[1]).to.include(',-5,suspect,,-5,');
      expect(csv).not.to.match(/(^|,)"?[=+@]/m);
    }
  });

  it('answers 400 naming a bad readings filter', async () => {
    const bad = await cm.api('GET', '/consumption/readings?from=yesterday&status=fine&limit=-1');
    expect(bad.status).to.equal(400);
    expect(bad.body.error.details).to.have.keys('from', 'status', 'limit');
  });

  it('disabled: pages and API 403, sidebar entry and job gone; enabled again: all back with its data', async () => {
    const before = (await cm.api('GET', '/endpoints')).body.endpoints.length;
    expect(before).to.be.above(0);
    await cm.core('POST', '/api/v1/modules/consumption-monitor/disable');
    expect((await web.get('/consumption/endpoints')).status).to.equal(403);
    expect((await cm.api('GET', '/endpoints')).status).to.equal(403);
    expect((await web.get('/')).text).not.to.include('href="/consumption/live"');
    const jobs = (await cm.server.services.scheduler.listJobs()).map((job) => job.key);
    expect(jobs).not.to.include('consumption-monitor/collect-consumption');
    await cm.core('POST', '/api/v1/modules/consumption-monitor/enable');
    expect((await cm.api('GET', '/endpoints')).body.endpoints.length).to.equal(before);
    expect((await web.get('/')).text).to.include('href="/consumption/live"');
    expect((await cm.server.services.scheduler.listJobs()).map((job) => job.key)).to.include(
      'consumption-monitor/collect-consumption',
    );
  });
  it('uninstalled, then "Install again" (reinstall bundled) and enabled: back with its endpoints and readings', async () => {
    const db = cm.server.services.db;
    const count = async (table: string) =>
      Number((await db.select<{ n: string }>(`SELECT count(*) AS n FROM ${table}`))[0]!.n);
    const endpoints = (await cm.api('GET', '/endpoints')).body.endpoints.map((e: { id: string }) => e.id).sort();
    const readings = await count('cm_reading');
    expect(endpoints.length).to.be.above(0);
    expect(readings).to.be.above(0);
    await cm.core('POST', '/api/v1/modules/consumption-monitor/disable');
    expect((await web.post('/admin/modules/consumption-monitor/uninstall', {})).status).to.equal(303);
    expect(await cm.server.services.modules.store.get('consumption-monitor')).to.include({ status: 'REMOVED' });
    expect((await web.get('/consumption/endpoints')).status).to.be.oneOf([403, 404]);
    expect((await web.post('/admin/modules/consumption-monitor/reinstall', {})).status).to.equal(303);
    expect((await cm.core('POST', '/api/v1/modules/consumption-monitor/enable')).status).to.equal(200);
    const back = (await cm.api('GET', '/endpoints')).body.endpoints.map((e: { id: string }) => e.id).sort();
    expect(back).to.deep.equal(endpoints);
    expect(await count('cm_reading')).to.equal(readings);
    expect((await web.get('/consumption/live')).text).to.include('Charted PDU');
  });
});
