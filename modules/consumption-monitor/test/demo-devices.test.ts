import { expect } from 'chai';
import { runJob } from '../../../dist/test/helpers/jobs.js';
import { startCmServer, type CmServer } from './helpers/cm-server.js';

/** "Add demo devices": simulated devices on 127.0.0.1 read by the same code as real ones, kept across a restart. */
describe('consumption monitor: demo devices', function () {
  this.timeout(90_000);
  let cm: CmServer;
  before(async () => {
    cm = await startCmServer();
  });
  after(() => cm?.close());

  const endpoints = async () => (await cm.api('GET', '/endpoints')).body.endpoints as any[];

  it('adds four devices, one per source, reads them at once and again from the job', async () => {
    const added = await cm.api('POST', '/demo-devices');
    expect(added).to.deep.include({ status: 201, body: { added: 4 } });
    const list = await endpoints();
    expect(list.map((e) => e.source).sort()).to.deep.equal(['browser', 'http', 'redfish', 'snmp']);
    for (const endpoint of list) {
      expect(endpoint, endpoint.name).to.deep.include({ demo: true, state: 'ok' });
      expect(endpoint.lastReading.value).to.be.a('number').above(10_000);
      expect(endpoint.url ?? `snmp://${endpoint.snmp.host}`).to.match(/^(http|snmp):\/\/127\.0\.0\.1/);
    }
    // Adding again adds nothing: the devices run once.
    expect((await cm.api('POST', '/demo-devices')).body).to.deep.equal({ added: 0 });
    const execution = await runJob(cm.server, 'consumption-monitor', 'collect-consumption');
    expect(execution.status).to.equal('succeeded');
    expect((execution.result as { data: unknown }).data).to.deep.include({ read: 4, ok: 4 });
  });

  it('brings the devices back on their recorded ports after a restart', async () => {
    const before = await endpoints();
    await cm.server.services.modules.disable('consumption-monitor', { name: 'test' });
    await cm.server.services.modules.enable('consumption-monitor', { name: 'test' });
    const after = await endpoints();
    expect(after.map((e) => e.url)).to.deep.equal(before.map((e) => e.url));
    for (const endpoint of after) {
      const tested = (await cm.api('POST', `/endpoints/${endpoint.id}/test`)).body;
      expect(tested.success, `${endpoint.name}: ${tested.error}`).to.equal(true);
    }
  });

  it('removes the devices with their endpoints and readings', async () => {
    const removed = await cm.api('DELETE', '/demo-devices');
    expect(removed.body).to.deep.equal({ removed: 4 });
    expect(await endpoints()).to.deep.equal([]);
    const [left] = await cm.server.services.db.select<{ n: string }>('SELECT count(*) AS n FROM cm_reading');
    expect(Number(left!.n)).to.equal(0);
  });
});
