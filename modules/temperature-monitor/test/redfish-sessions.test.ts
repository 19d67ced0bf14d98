import { expect } from 'chai';
import { runJob } from '../../../dist/test/helpers/jobs.js';
import { testActor } from '../../../dist/test/helpers/modules.js';
import { bmcCredentials, startFakeBmc, type FakeBmc } from './fake-bmc.js';
import { startTemperatureServer, type TemperatureServer } from './tm-server.js';

describe('temperature-monitor: Redfish sessions on a BMC that allows two', function () {
  this.timeout(90_000);
  let tm: TemperatureServer;
  let bmc: FakeBmc;
  let hostId: number;
  const poll = () => runJob(tm.server, 'temperature-monitor', 'poll-temperatures');

  before(async () => {
    tm = await startTemperatureServer();
    bmc = await startFakeBmc({ maxSessions: 2 });
    const created = await tm.api('POST', '/hosts', {
      name: 'idrac-01',
      address: bmc.url,
      source: 'redfish',
      ...bmcCredentials,
      redfish: { auth: 'session' },
    });
    hostId = created.body.host.id;
  });
  after(async () => {
    await tm?.server.close();
    await bmc?.close();
  });

  it('the BMC refuses a third session', async () => {
    const open = async () =>
      fetch(`${bmc.url}/redfish/v1/SessionService/Sessions`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ UserName: bmcCredentials.username, Password: bmcCredentials.password }),
      });
    const answers = [await open(), await open(), await open()];
    expect(answers.map((a) => a.status)).to.deep.equal([201, 201, 503]);
    bmc.dropSessions();
    bmc.stats = { created: 0, refused: 0, deleted: 0 };
  });

  it('discovery, polls in job runs and concurrent requests all use one session', async () => {
    const discovered = await tm.api('POST', `/hosts/${hostId}/discover`);
    expect(discovered.status).to.equal(200);
    await tm.api('POST', `/hosts/${hostId}/sensors`, { keys: ['/redfish/v1/Chassis/1U/Sensors/CPU1Temp'] });
    for (let i = 0; i < 3; i += 1) expect((await poll()).status).to.equal('succeeded');
    await Promise.all([
      poll(),
      tm.api('POST', `/hosts/${hostId}/discover`),
      tm.api('POST', `/hosts/${hostId}/discover`),
    ]);
    expect(bmc.stats).to.deep.equal({ created: 1, refused: 0, deleted: 0 });
    expect(bmc.sessions.size).to.equal(1);
    const authenticated = bmc.requests.filter(
      (r) => r.path !== '/redfish/v1/SessionService/Sessions' && r.path !== '/redfish/v1',
    );
    expect(authenticated.every((r) => r.auth === 'token')).to.equal(true);
  });

  it('signs in again once when the BMC ended the session (a reboot), without leaving another behind', async () => {
    bmc.dropSessions();
    await Promise.all([
      tm.api('POST', `/hosts/${hostId}/discover`),
      tm.api('POST', `/hosts/${hostId}/discover`),
      poll(),
    ]);
    expect(bmc.stats.created).to.equal(2);
    expect(bmc.sessions.size).to.equal(1);
    const sensor = (await tm.api('GET', `/sensors?hostId=${hostId}`)).body.sensors[0];
    expect(sensor.state).to.equal('ok');
  });

  it('deletes its session when the module stops, so the BMC gets its slot back', async () => {
    await tm.server.services.modules.disable('temperature-monitor', testActor);
    expect(bmc.sessions.size).to.equal(0);
    expect(bmc.stats.deleted).to.equal(1);
    const row = await tm.server.services.db.one<{ session_sealed: string | null }>(
      'SELECT session_sealed FROM tm_host WHERE id = $1',
      [hostId],
    );
    expect(row?.session_sealed).to.equal(null);
    await tm.server.services.modules.enable('temperature-monitor', testActor);
  });
});
