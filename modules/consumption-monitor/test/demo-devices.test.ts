import dgram from 'node:dgram';
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

  it('says which port is taken when a device cannot start again, and adds nothing until it is free', async () => {
    const before = await endpoints();
    const snmpEndpoint = before.find((e) => e.source === 'snmp')!;
    const port = snmpEndpoint.snmp.port as number;
    await cm.server.services.modules.disable('consumption-monitor', { name: 'test' });
    // Another program takes the SNMP agent's recorded UDP port while the module is off.
    const squatter = dgram.createSocket('udp4');
    await new Promise<void>((resolve) => squatter.bind(port, '127.0.0.1', resolve));
    try {
      await cm.server.services.modules.enable('consumption-monitor', { name: 'test' });
      const refused = await cm.api('POST', '/demo-devices');
      expect(refused.status).to.equal(409);
      expect(refused.body.error.code).to.equal('CM_DEMO_PORT_TAKEN');
      expect(refused.body.error.message).to.include('Demo PDU C (SNMP)').and.include(`port ${port}`);
      expect((await endpoints()).map((e) => e.id)).to.deep.equal(before.map((e) => e.id));
      const [devices] = await cm.server.services.db.select<{ n: string }>('SELECT count(*) AS n FROM cm_demo_device');
      expect(Number(devices!.n)).to.equal(4);
    } finally {
      await new Promise<void>((resolve) => squatter.close(resolve));
    }
    // Freed: adding starts the recorded device again on its port and adds no second endpoint.
    expect((await cm.api('POST', '/demo-devices')).body).to.deep.equal({ added: 0 });
    const tested = (await cm.api('POST', `/endpoints/${snmpEndpoint.id}/test`)).body;
    expect(tested.success, tested.error).to.equal(true);
  });

  it('removes the devices with their endpoints and readings', async () => {
    const removed = await cm.api('DELETE', '/demo-devices');
    expect(removed.body).to.deep.equal({ removed: 4 });
    expect(await endpoints()).to.deep.equal([]);
    const [left] = await cm.server.services.db.select<{ n: string }>('SELECT count(*) AS n FROM cm_reading');
    expect(Number(left!.n)).to.equal(0);
  });

  it('adds no device and no endpoint while one of the demo names is taken', async () => {
    const own = await cm.api('POST', '/endpoints', {
      name: 'Demo BMC D (Redfish)',
      source: 'http',
      url: 'http://127.0.0.1:9/meter.json',
      jsonPath: '$.kwh',
    });
    expect(own.status, JSON.stringify(own.body)).to.equal(201);
    const refused = await cm.api('POST', '/demo-devices');
    expect(refused.status).to.equal(409);
    expect(refused.body.error).to.include({ code: 'NXF_CONFLICT' });
    expect(refused.body.error.message).to.include('Demo BMC D (Redfish)');
    expect((await endpoints()).map((e) => e.name)).to.deep.equal(['Demo BMC D (Redfish)']);
    const [devices] = await cm.server.services.db.select<{ n: string }>('SELECT count(*) AS n FROM cm_demo_device');
    expect(Number(devices!.n)).to.equal(0);
    await cm.api('DELETE', `/endpoints/${own.body.id}`);
  });
});
