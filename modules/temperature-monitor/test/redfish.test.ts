import { expect } from 'chai';
import { runJob } from '../../../dist/test/helpers/jobs.js';
import { testActor } from '../../../dist/test/helpers/modules.js';
import { bmcCredentials, startFakeBmc, type FakeBmc } from './fake-bmc.js';
import { startTemperatureServer, type TemperatureServer } from './tm-server.js';

const cpu1 = '/redfish/v1/Chassis/1U/Sensors/CPU1Temp';
const intake = '/redfish/v1/Chassis/1U/Sensors/IntakeTemp';

describe('temperature-monitor: Redfish hosts against the DMTF mockup', function () {
  this.timeout(60_000);
  let tm: TemperatureServer;
  let bmc: FakeBmc;
  let thermalBmc: FakeBmc;

  before(async () => {
    tm = await startTemperatureServer();
    await tm.server.services.modules.saveSettings('temperature-monitor', { minDurationSeconds: 0 }, testActor);
    bmc = await startFakeBmc();
    thermalBmc = await startFakeBmc({ withoutSensors: true });
  });
  after(async () => {
    await tm?.server.close();
    await bmc?.close();
    await thermalBmc?.close();
  });

  const addHost = async (name: string, address: string, extra: Record<string, unknown> = {}) => {
    const created = await tm.api('POST', '/hosts', {
      name,
      address,
      source: 'redfish',
      ...bmcCredentials,
      labels: { rack: 'R1', room: 'A' },
      ...extra,
    });
    expect(created.status, JSON.stringify(created.body)).to.equal(201);
    return created.body.host as { id: number };
  };

  it('adds a host without ever showing its password back', async () => {
    const host = await addHost('web-01', `${bmc.url}/redfish/v1/`);
    const { body } = await tm.api('GET', `/hosts/${host.id}`);
    expect(body.host).to.include({
      name: 'web-01',
      address: bmc.url,
      source: 'redfish',
      username: 'root',
      enabled: true,
      state: 'ok',
    });
    expect(body.host.labels).to.deep.equal({ rack: 'R1', room: 'A' });
    expect(JSON.stringify(body)).not.to.contain(bmcCredentials.password);
    const stored = await tm.server.services.db.one<{ password_sealed: string }>(
      'SELECT password_sealed FROM tm_host WHERE id = $1',
      [host.id],
    );
    expect(stored?.password_sealed).to.match(/^nxf1\./);
  });

  it('discovers the Sensors shape: temperatures only, with the device thresholds', async () => {
    const { body: hosts } = await tm.api('GET', '/hosts');
    const id = hosts.hosts[0].id;
    const { status, body } = await tm.api('POST', `/hosts/${id}/discover`);
    expect(status).to.equal(200);
    const keys = body.sensors.map((s: { key: string }) => s.key);
    expect(keys).to.include.members([cpu1, intake, '/redfish/v1/Chassis/1U/Sensors/Battery1Temp']);
    expect(keys.filter((k: string) => !/Temp$/.test(k))).to.deep.equal([]);
    const cpu = body.sensors.find((s: { key: string }) => s.key === cpu1);
    expect(cpu).to.deep.equal({
      key: cpu1,
      name: 'CPU #1 Temperature',
      reading: 37,
      unit: '°C',
      state: 'ok',
      thresholds: { lowerCritical: null, lowerWarning: null, upperWarning: 42, upperCritical: 45, upperFatal: 50 },
    });
  });

  it('tracks sensors and a poll stores their readings', async () => {
    const { body: hosts } = await tm.api('GET', '/hosts');
    const id = hosts.hosts[0].id;
    const tracked = await tm.api('POST', `/hosts/${id}/sensors`, { keys: [cpu1, intake] });
    expect(tracked.status).to.equal(201);
    bmc.setSensor('CPU1Temp', 39.5);
    const execution = await runJob(tm.server, 'temperature-monitor', 'poll-temperatures');
    expect(execution.status, JSON.stringify(execution.error)).to.equal('succeeded');
    const { body } = await tm.api('GET', '/sensors');
    const cpu = body.sensors.find((s: { key: string }) => s.key === cpu1);
    expect(cpu).to.include({ reading: 39.5, unit: '°C', state: 'ok', hostId: id, name: 'CPU #1 Temperature' });
    expect(Date.parse(cpu.at)).to.be.closeTo(Date.now(), 60_000);
    const readings = await tm.api('GET', `/readings?sensorId=${cpu.id}`);
    expect(readings.body.resolution).to.equal('raw');
    expect(readings.body.readings.map((r: { celsius: number }) => r.celsius)).to.deep.equal([39.5]);
  });

  it('reads the older Thermal shape, the disabled CPU2 sensor as disabled and never as 0 °C', async () => {
    const host = await addHost('db-01', thermalBmc.url);
    const { body } = await tm.api('POST', `/hosts/${host.id}/discover`);
    expect(body.sensors.map((s: { name: string }) => s.name)).to.deep.equal([
      'CPU1 Temp',
      'CPU2 Temp',
      'Chassis Intake Temp',
    ]);
    const cpu2 = body.sensors[1];
    expect(cpu2).to.include({
      key: '/redfish/v1/Chassis/1U/Thermal#/Temperatures/1',
      reading: null,
      state: 'disabled',
    });
    expect(body.sensors[2].thresholds).to.deep.equal({
      lowerCritical: 5,
      lowerWarning: 10,
      upperWarning: 30,
      upperCritical: 40,
      upperFatal: 50,
    });
    await tm.api('POST', `/hosts/${host.id}/sensors`, { keys: body.sensors.map((s: { key: string }) => s.key) });
    await runJob(tm.server, 'temperature-monitor', 'poll-temperatures', { hostId: host.id });
    const sensors = (await tm.api('GET', `/sensors?hostId=${host.id}`)).body.sensors;
    const byName = Object.fromEntries(
      sensors.map((s: { name: string; state: string; reading: number | null }) => [s.name, [s.state, s.reading]]),
    );
    expect(byName).to.deep.equal({
      'CPU1 Temp': ['ok', 41],
      'CPU2 Temp': ['disabled', null],
      'Chassis Intake Temp': ['ok', 25],
    });
  });
});
