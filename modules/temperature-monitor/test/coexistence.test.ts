import { expect } from 'chai';
import { cp, mkdir, mkdtemp, rm } from 'node:fs/promises';
import path from 'node:path';
import pg from 'pg';
import { listenOnLoopback, type LoopbackServer } from '../../../dist/test/fixtures/loopback.js';
import { runJob } from '../../../dist/test/helpers/jobs.js';
import { testActor } from '../../../dist/test/helpers/modules.js';
import { startTestServer, testAdminPassword, type TestServer } from '../../../dist/test/helpers/server.js';
import { apiRequest, WebClient } from '../../../dist/test/helpers/web-client.js';
import { bmcCredentials, startFakeBmc, type FakeBmc } from './fake-bmc.js';
import { moduleDir } from './tm-server.js';

/** The consumption monitor's folder, beside this module's in `modules/`. */
const consumptionDir = path.join(moduleDir, '..', 'consumption-monitor');

/** Both modules as a fresh install finds them: bundled, without their tests (packages resolve from the project). */
async function bundleBoth(): Promise<string> {
  const cache = path.join(moduleDir, '..', '..', 'node_modules', '.cache');
  await mkdir(cache, { recursive: true });
  const bundled = await mkdtemp(path.join(cache, 'nxf-tm-cm-bundled-'));
  for (const [name, source] of [
    ['temperature-monitor', moduleDir],
    ['consumption-monitor', consumptionDir],
  ] as const) {
    const root = path.resolve(source);
    await cp(root, path.join(bundled, name), {
      recursive: true,
      filter: (file) => !/[/\\](test|dist-test|node_modules)([/\\]|$)/.test(file.slice(root.length)),
    });
  }
  return bundled;
}

/** A statement run as `role`, and the PostgreSQL error code it fails with (undefined when it succeeds). */
async function failureCode(client: pg.Client, statement: string): Promise<string | undefined> {
  return client.query(statement).then(
    () => undefined,
    (failure: { code?: string }) => failure.code ?? 'no code',
  );
}

/**
 * The Temperature Monitor and the Consumption Monitor side by side, both bundled as on a fresh install: both
 * sidebars, each module's PostgreSQL role kept out of the other's tables, each fully working with the other
 * disabled.
 */
describe('temperature-monitor beside the consumption monitor: both sidebars, separate tables, each working alone', function () {
  this.timeout(120_000);
  let server: TestServer;
  let bundled: string;
  let bmc: FakeBmc;
  let meter: LoopbackServer;
  let token: string;
  let web: WebClient;
  let endpointId: string;
  let sensorId: number;
  let meterWh = 1_000_000;

  const tm = (method: string, route: string, body?: unknown) =>
    apiRequest(server.url, token, method, `/api/v1/m/temperature-monitor${route}`, body) as Promise<{
      status: number;
      body: any;
    }>;
  const cm = (method: string, route: string, body?: unknown) =>
    apiRequest(server.url, token, method, `/api/v1/m/consumption-monitor${route}`, body) as Promise<{
      status: number;
      body: any;
    }>;
  const roleClient = async (prefix: 'tm_' | 'cm_') => {
    const role = server.services.moduleRoles.roleOf(prefix);
    expect(role, `a role for ${prefix}`).to.be.a('string');
    const client = new pg.Client({ connectionString: server.database.url, options: `-c role=${role}` });
    await client.connect();
    return client;
  };

  before(async () => {
    [bmc, meter, bundled] = await Promise.all([
      startFakeBmc(),
      // A meter whose counter grows by 500 Wh at each read.
      listenOnLoopback((_request, response) => {
        meterWh += 500;
        response.setHeader('content-type', 'application/json');
        response.end(JSON.stringify({ energy: { wh: meterWh } }));
      }),
      bundleBoth(),
    ]);
    server = await startTestServer({ bundledModulesDir: bundled });
    const admin = (await server.services.users.findForLogin('admin'))!.user;
    ({ token } = await server.services.apiTokens.create(admin.id, 'coexistence'));
    const host = await tm('POST', '/hosts', { name: 'web-01', address: bmc.url, source: 'redfish', ...bmcCredentials });
    expect(host.status, JSON.stringify(host.body)).to.equal(201);
    const tracked = await tm('POST', `/hosts/${host.body.host.id}/sensors`, {
      keys: ['/redfish/v1/Chassis/1U/Sensors/CPU1Temp'],
    });
    sensorId = tracked.body.sensors[0].id;
    const endpoint = await cm('POST', '/endpoints', {
      name: 'R7 meter',
      source: 'http',
      url: `${meter.url}/meter.json`,
      jsonPath: '$.energy.wh',
      unit: 'Wh',
    });
    expect(endpoint.status, JSON.stringify(endpoint.body)).to.equal(201);
    endpointId = endpoint.body.id;
    web = new WebClient(server.url);
    await web.login('admin', testAdminPassword);
  });
  after(async () => {
    await server?.close();
    await Promise.all([bmc?.close(), meter?.close()]);
    if (bundled) await rm(bundled, { recursive: true, force: true });
  });

  const temperaturePages = ['/temperature', '/temperature/hosts', '/temperature/alerts', '/temperature/trends'];
  const consumptionPages = [
    '/consumption/live',
    '/consumption/endpoints',
    '/consumption/reports',
    '/consumption/history',
  ];
  /** The sidebar of the core dashboard. */
  const sidebar = async () => {
    const page = (await web.get('/')).text;
    return page.slice(page.indexOf('<nav class="sidebar"'), page.indexOf('</nav>'));
  };
  /** Every page of a module as the administrator gets it: path → status. */
  const pageStatuses = async (paths: string[]) =>
    Object.fromEntries(await Promise.all(paths.map(async (p) => [p, (await web.get(p)).status] as const)));
  const allAnswer = (paths: string[], status: number) => Object.fromEntries(paths.map((p) => [p, status]));

  /** The Temperature Monitor at work: its API reads and writes, and a poll stores the BMC's new reading. */
  const temperatureWorks = async (celsius: number) => {
    expect((await tm('GET', '/hosts')).body.hosts).to.have.length(1);
    const changed = await tm('PUT', `/sensors/${sensorId}`, { overrides: { upperWarning: 40 } });
    expect(changed.status, JSON.stringify(changed.body)).to.equal(200);
    bmc.setSensor('CPU1Temp', celsius);
    expect((await runJob(server, 'temperature-monitor', 'poll-temperatures')).status).to.equal('succeeded');
    const sensor = (await tm('GET', `/sensors/${sensorId}`)).body.sensor;
    expect(sensor).to.include({ reading: celsius, state: 'ok' });
    expect(sensor.overrides).to.include({ upperWarning: 40 });
  };
  /** The Consumption Monitor at work: its API, and a collection in its job worker storing the meter's count. */
  const consumptionWorks = async () => {
    const execution = await runJob(server, 'consumption-monitor', 'collect-consumption', { endpointIds: [endpointId] });
    expect(execution.status, JSON.stringify(execution.error)).to.equal('succeeded');
    const { body } = await cm('GET', `/consumption/readings?endpointId=${endpointId}&limit=1`);
    // The meter's count at this read, in Wh, stored in kWh.
    expect(body.readings[0]).to.include({ status: 'ok', value: meterWh / 1000 });
    expect((await cm('GET', `/endpoints/${endpointId}`)).status).to.equal(200);
  };

  it('installs and enables both at start, and shows both in the sidebar, each under its own entry', async () => {
    const modules = await server.services.modules.list();
    const states = Object.fromEntries(modules.map((m) => [m.record.name, [m.record.source, m.mounted]]));
    expect(states).to.deep.include({
      'temperature-monitor': ['bundled', true],
      'consumption-monitor': ['bundled', true],
    });
    const nav = await sidebar();
    for (const link of [...temperaturePages, ...consumptionPages]) expect(nav, link).to.contain(`href="${link}"`);
    expect(nav).to.contain('Temperatures').and.contain('Consumption Monitor');
    expect(await pageStatuses([...temperaturePages, ...consumptionPages])).to.deep.equal(
      allAnswer([...temperaturePages, ...consumptionPages], 200),
    );
  });

  it("each module's tables belong to its own role, which PostgreSQL keeps out of the other's (42501)", async () => {
    const owners = await server.services.db.select<{ name: string; owner: string }>(
      `SELECT c.relname AS name, pg_get_userbyid(c.relowner) AS owner FROM pg_class c
        WHERE c.relnamespace = 'public'::regnamespace AND c.relkind IN ('r', 'S', 'v', 'm', 'p')
          AND (c.relname LIKE 'tm\\_%' OR c.relname LIKE 'cm\\_%')`,
    );
    const expected = (name: string) => server.services.moduleRoles.roleOf(name.slice(0, 3));
    expect(owners.filter((r) => r.name.startsWith('tm_')).length).to.be.greaterThan(5);
    expect(owners.filter((r) => r.name.startsWith('cm_')).length).to.be.greaterThan(3);
    for (const row of owners) expect(row.owner, row.name).to.equal(expected(row.name));

    const pairs = [
      { own: 'tm_', ownTable: 'tm_host', otherTable: 'cm_endpoint' },
      { own: 'cm_', ownTable: 'cm_endpoint', otherTable: 'tm_host' },
    ] as const;
    for (const { own, ownTable, otherTable } of pairs) {
      const client = await roleClient(own);
      try {
        expect((await client.query(`SELECT count(*)::int AS n FROM ${ownTable}`)).rows[0].n, ownTable).to.equal(1);
        for (const statement of [
          `SELECT * FROM ${otherTable}`,
          `INSERT INTO ${otherTable} DEFAULT VALUES`,
          `UPDATE ${otherTable} SET name = name`,
          `DELETE FROM ${otherTable}`,
          `TRUNCATE ${otherTable}`,
          `DROP TABLE ${otherTable}`,
          'SELECT * FROM users',
        ]) {
          expect(await failureCode(client, statement), `${own} role: ${statement}`).to.equal('42501');
        }
      } finally {
        await client.end();
      }
    }
    // Nothing of the other's was changed by the attempts.
    expect((await tm('GET', '/hosts')).body.hosts).to.have.length(1);
    expect((await cm('GET', '/endpoints')).body.endpoints).to.have.length(1);
  });

  it('both work together: a poll and a collection, each in its job worker under its role', async () => {
    await temperatureWorks(38);
    await consumptionWorks();
  });

  it('with the consumption monitor disabled, the temperature monitor works fully: pages, API, job', async () => {
    await server.services.modules.disable('consumption-monitor', testActor);
    try {
      const nav = await sidebar();
      expect(nav).to.contain('href="/temperature/hosts"').and.not.contain('href="/consumption/live"');
      expect(await pageStatuses(temperaturePages)).to.deep.equal(allAnswer(temperaturePages, 200));
      expect(await pageStatuses(consumptionPages)).to.deep.equal(allAnswer(consumptionPages, 403));
      expect((await cm('GET', '/endpoints')).status).to.equal(403);
      await temperatureWorks(39);
    } finally {
      await server.services.modules.enable('consumption-monitor', testActor);
    }
  });

  it('with the temperature monitor disabled, the consumption monitor works fully: pages, API, job', async () => {
    await server.services.modules.disable('temperature-monitor', testActor);
    try {
      const nav = await sidebar();
      expect(nav).to.contain('href="/consumption/live"').and.not.contain('href="/temperature/hosts"');
      expect(await pageStatuses(consumptionPages)).to.deep.equal(allAnswer(consumptionPages, 200));
      expect(await pageStatuses(temperaturePages)).to.deep.equal(allAnswer(temperaturePages, 403));
      expect((await tm('GET', '/hosts')).status).to.equal(403);
      await consumptionWorks();
      const second = await cm('POST', '/endpoints', {
        name: 'R8 meter',
        source: 'http',
        url: `${meter.url}/meter.json`,
        jsonPath: '$.energy.wh',
        unit: 'Wh',
      });
      expect(second.status, JSON.stringify(second.body)).to.equal(201);
    } finally {
      await server.services.modules.enable('temperature-monitor', testActor);
    }
    // Enabled again, with its data.
    expect(await pageStatuses(temperaturePages)).to.deep.equal(allAnswer(temperaturePages, 200));
    expect((await tm('GET', `/sensors/${sensorId}`)).body.sensor).to.include({ reading: 39 });
  });
});
