import { expect } from 'chai';
import pg from 'pg';
import { runJob } from '../../../dist/test/helpers/jobs.js';
import { copyModuleFixture, installAndEnable, testActor } from '../../../dist/test/helpers/modules.js';
import { testAdminPassword } from '../../../dist/test/helpers/server.js';
import { apiRequest, WebClient } from '../../../dist/test/helpers/web-client.js';
import { bmcCredentials, startFakeBmc, type FakeBmc } from './fake-bmc.js';
import { startTemperatureServer, type TemperatureServer } from './tm-server.js';

/**
 * Two modules side by side: the Temperature Monitor and another (the dummy module of the core's tests stands in
 * for the consumption monitor, whose module is not on main yet — its manifest, pages and tables are the same
 * kind of thing).
 */
describe('temperature-monitor beside another module: both in the sidebar, each with its own data, each working alone', function () {
  this.timeout(90_000);
  let tm: TemperatureServer;
  let bmc: FakeBmc;
  let other: Awaited<ReturnType<typeof copyModuleFixture>>;
  let web: WebClient;

  before(async () => {
    bmc = await startFakeBmc();
    tm = await startTemperatureServer();
    other = await copyModuleFixture();
    await installAndEnable(tm.server, other.dir);
    const host = await tm.api('POST', '/hosts', {
      name: 'web-01',
      address: bmc.url,
      source: 'redfish',
      ...bmcCredentials,
    });
    await tm.api('POST', `/hosts/${host.body.host.id}/sensors`, { keys: ['/redfish/v1/Chassis/1U/Sensors/CPU1Temp'] });
    web = new WebClient(tm.server.url);
    await web.login('admin', testAdminPassword);
  });
  after(async () => {
    await tm?.server.close();
    await bmc?.close();
    await other?.remove();
  });

  /** Statuses of both modules' pages and APIs, as the administrator sees them. */
  const statuses = async () => ({
    temperaturePage: (await web.get('/temperature')).status,
    temperatureApi: (await tm.api('GET', '/sensors')).status,
    otherPage: (await web.get('/dummy/items')).status,
    otherApi: (await apiRequest(tm.server.url, tm.token, 'GET', '/api/v1/m/dummy/items')).status,
  });

  it('shows both modules in the sidebar, each under its own entry', async () => {
    const page = (await web.get('/')).text;
    const sidebar = page.slice(page.indexOf('<nav class="sidebar"'), page.indexOf('</nav>'));
    for (const link of [
      '/temperature',
      '/temperature/hosts',
      '/temperature/alerts',
      '/temperature/trends',
      '/dummy/items',
      '/dummy/chart',
    ]) {
      expect(sidebar, link).to.contain(`href="${link}"`);
    }
    expect(sidebar).to.contain('Temperatures').and.contain('Dummy');
  });

  it("neither module's database role can read or write the other's tables", async () => {
    const probe = await apiRequest(tm.server.url, tm.token, 'GET', '/api/v1/m/dummy/tables/tm_host');
    expect(probe.body).to.include({ ok: false, code: '42501' });
    // The temperature monitor's ctx.db and jobs connect as this role; so does a connection of our own here.
    const role = tm.server.services.moduleRoles.roleOf('tm_') as string;
    const client = new pg.Client({ connectionString: tm.server.database.url, options: `-c role=${role}` });
    await client.connect();
    try {
      expect((await client.query('SELECT count(*)::int AS n FROM tm_host')).rows[0].n).to.equal(1);
      for (const statement of [
        'SELECT * FROM dm_item',
        "INSERT INTO dm_item (name) VALUES ('x')",
        'DELETE FROM dm_item',
        'SELECT * FROM users',
      ]) {
        const error = await client.query(statement).then(
          () => undefined,
          (failure: { code?: string }) => failure,
        );
        expect(error?.code, statement).to.equal('42501');
      }
    } finally {
      await client.end();
    }
  });

  it('disabling the other module leaves the temperature monitor fully working, and the other way round', async () => {
    expect(await statuses()).to.deep.equal({
      temperaturePage: 200,
      temperatureApi: 200,
      otherPage: 200,
      otherApi: 200,
    });

    await tm.server.services.modules.disable('dummy', testActor);
    expect(await statuses()).to.deep.include({
      temperaturePage: 200,
      temperatureApi: 200,
      otherPage: 403,
      otherApi: 403,
    });
    bmc.setSensor('CPU1Temp', 39);
    expect((await runJob(tm.server, 'temperature-monitor', 'poll-temperatures')).status).to.equal('succeeded');
    expect((await tm.api('GET', '/sensors')).body.sensors[0]).to.include({ reading: 39, state: 'ok' });
    await tm.server.services.modules.enable('dummy', testActor);

    await tm.server.services.modules.disable('temperature-monitor', testActor);
    expect(await statuses()).to.deep.include({
      temperaturePage: 403,
      temperatureApi: 403,
      otherPage: 200,
      otherApi: 200,
    });
    const created = await apiRequest(tm.server.url, tm.token, 'POST', '/api/v1/m/dummy/items', { name: 'still here' });
    expect(created.status).to.equal(201);
    expect((await runJob(tm.server, 'dummy', 'tick')).status).to.equal('succeeded');
    await tm.server.services.modules.enable('temperature-monitor', testActor);
    expect(await statuses()).to.deep.equal({
      temperaturePage: 200,
      temperatureApi: 200,
      otherPage: 200,
      otherApi: 200,
    });
  });
});
