import { expect } from 'chai';
import { runJob } from '../../../dist/test/helpers/jobs.js';
import { testActor } from '../../../dist/test/helpers/modules.js';
import { bmcCredentials, startFakeBmc, type FakeBmc } from './fake-bmc.js';
import { startTemperatureServer, type TemperatureServer } from './tm-server.js';

const cpu1 = '/redfish/v1/Chassis/1U/Sensors/CPU1Temp';
const isoTime = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/;
/** CPU #1's thresholds in the DMTF mockup (no lower ones). */
const cpuThresholds = { lowerCritical: null, lowerWarning: null, upperWarning: 42, upperCritical: 45, upperFatal: 50 };

/** Asserts `value` is an ISO time and returns it, so a pinned object can hold it. */
function time(value: unknown): string {
  expect(value).to.be.a('string').and.match(isoTime);
  return value as string;
}

/** The JSON shapes of docs/temperature-monitor.md ("JSON API"), pinned field by field. */
describe('temperature-monitor: the JSON API shapes, field by field', function () {
  this.timeout(60_000);
  let tm: TemperatureServer;
  let bmc: FakeBmc;
  let hostId: number;
  let sensorId: number;

  before(async () => {
    [tm, bmc] = await Promise.all([startTemperatureServer(), startFakeBmc()]);
    await tm.server.services.modules.saveSettings('temperature-monitor', { minDurationSeconds: 0 }, testActor);
  });
  after(async () => {
    await tm?.server.close();
    await bmc?.close();
  });

  it('a host of each source: every field, the password never', async () => {
    const redfish = await tm.api('POST', '/hosts', {
      name: 'web-01',
      address: `${bmc.url}/redfish/v1`,
      source: 'redfish',
      ...bmcCredentials,
      labels: { rack: 'R7', room: 'A' },
    });
    expect(redfish.status).to.equal(201);
    hostId = redfish.body.host.id;
    expect(hostId).to.be.a('number');
    expect(redfish.body).to.deep.equal({
      host: {
        id: hostId,
        name: 'web-01',
        address: bmc.url,
        source: 'redfish',
        username: bmcCredentials.username,
        pollIntervalSeconds: null,
        enabled: true,
        labels: { rack: 'R7', room: 'A' },
        scrape: null,
        redfish: { auth: 'basic', verifyTls: true },
        ipmi: null,
        state: 'ok',
        error: null,
        lastPolledAt: null,
      },
    });

    const ipmi = await tm.api('POST', '/hosts', {
      name: 'ipmi-01',
      address: '127.0.0.1:6230',
      source: 'ipmi',
      username: 'admin',
      password: 'ipmi-secret-1',
      pollIntervalSeconds: 300,
      enabled: false,
    });
    expect(ipmi.body.host).to.deep.equal({
      id: ipmi.body.host.id,
      name: 'ipmi-01',
      address: '127.0.0.1:6230',
      source: 'ipmi',
      username: 'admin',
      pollIntervalSeconds: 300,
      enabled: false,
      labels: { rack: '', room: '' }, // labels not given are empty
      scrape: null,
      redfish: null,
      ipmi: { interface: 'lanplus', cipherSuite: null },
      state: 'ok',
      error: null,
      lastPolledAt: null,
    });

    const scrape = await tm.api('POST', '/hosts', {
      name: 'pdu-page',
      source: 'scrape',
      enabled: false,
      scrape: { url: 'http://127.0.0.1:9/status', sensors: [{ name: 'Inlet', selector: '#inlet' }] },
    });
    expect(scrape.body.host).to.deep.include({
      source: 'scrape',
      address: '127.0.0.1:9', // the page's host, when no address is given
      username: '',
      scrape: { url: 'http://127.0.0.1:9/status', sensors: [{ name: 'Inlet', selector: '#inlet' }] },
      redfish: null,
      ipmi: null,
    });
    const listed = (await tm.api('GET', '/hosts')).body;
    expect(Object.keys(listed)).to.deep.equal(['hosts']);
    expect(JSON.stringify(listed)).not.to.contain(bmcCredentials.password).and.not.contain('ipmi-secret-1');
    expect(listed.hosts.every((host: object) => !('password' in host))).to.equal(true);
  });

  it('discover: {sensors: [{key, name, reading, unit, state, thresholds}]}, with a note when there is no reading', async () => {
    bmc.setSensor('DIMM1Temp', null);
    const { status, body } = await tm.api('POST', `/hosts/${hostId}/discover`);
    expect(status).to.equal(200);
    expect(Object.keys(body)).to.deep.equal(['sensors']);
    const byKey = Object.fromEntries(body.sensors.map((s: { key: string }) => [s.key, s]));
    expect(byKey[cpu1]).to.deep.equal({
      key: cpu1,
      name: 'CPU #1 Temperature',
      reading: 37,
      unit: '°C',
      state: 'ok',
      thresholds: cpuThresholds,
    });
    const dimm = byKey['/redfish/v1/Chassis/1U/Sensors/DIMM1Temp'];
    expect(dimm).to.include({ reading: null, state: 'unknown' });
    expect(dimm.note).to.be.a('string').that.is.not.empty;
    for (const sensor of body.sensors) {
      const fields = ['key', 'name', 'reading', 'unit', 'state', 'thresholds'];
      expect(Object.keys(sensor), sensor.key).to.deep.equal(sensor.reading === null ? [...fields, 'note'] : fields);
      expect(Object.keys(sensor.thresholds)).to.deep.equal(Object.keys(cpuThresholds));
    }
  });

  it('a sensor: tracked, then read, then overridden', async () => {
    const tracked = await tm.api('POST', `/hosts/${hostId}/sensors`, { keys: [cpu1] });
    expect(tracked.status).to.equal(201);
    sensorId = tracked.body.sensors[0].id;
    const pinned = {
      id: sensorId,
      hostId,
      key: cpu1,
      name: 'CPU #1 Temperature',
      reading: null,
      unit: '°C',
      at: null,
      state: 'unknown',
      thresholds: cpuThresholds,
      overrides: {},
    };
    expect(tracked.body).to.deep.equal({ sensors: [pinned] });

    bmc.setSensor('CPU1Temp', 39.5);
    await runJob(tm.server, 'temperature-monitor', 'poll-temperatures');
    const read = (await tm.api('GET', '/sensors')).body;
    expect(read).to.deep.equal({
      sensors: [{ ...pinned, reading: 39.5, at: time(read.sensors[0].at), state: 'ok' }],
    });

    const changed = await tm.api('PUT', `/sensors/${sensorId}`, { overrides: { upperWarning: 40, lowerWarning: 5 } });
    expect(changed.body).to.deep.equal({
      sensor: {
        ...pinned,
        reading: 39.5,
        at: read.sensors[0].at,
        state: 'ok',
        thresholds: { ...cpuThresholds, upperWarning: 40, lowerWarning: 5 },
        overrides: { upperWarning: 40, lowerWarning: 5 },
      },
    });
    await tm.api('PUT', `/sensors/${sensorId}`, { overrides: {} });
    expect((await tm.api('GET', `/sensors/${sensorId}`)).body.sensor.overrides).to.deep.equal({});
  });

  it('readings: {sensorId, resolution, from, to, readings}, raw [{at, celsius}] and hourly [{at, min, avg, max, count}]', async () => {
    const raw = (await tm.api('GET', `/readings?sensorId=${sensorId}`)).body;
    expect(raw).to.deep.equal({
      sensorId,
      resolution: 'raw',
      from: time(raw.from),
      to: time(raw.to),
      readings: [{ at: time(raw.readings[0]?.at), celsius: 39.5 }],
    });
    // 24 hours between from and to, by default.
    expect(Date.parse(raw.to) - Date.parse(raw.from)).to.equal(24 * 3600 * 1000);
    const hourly = (await tm.api('GET', `/readings?sensorId=${sensorId}&resolution=hourly`)).body;
    expect(hourly.resolution).to.equal('hourly');
    // One reading this hour: min = avg = max = 39.5, count 1, at the start of its UTC hour.
    const at = time(hourly.readings[0]?.at);
    expect(at).to.match(/T\d\d:00:00\.000Z$/);
    expect(hourly.readings).to.deep.equal([{ at, min: 39.5, avg: 39.5, max: 39.5, count: 1 }]);
  });

  it('alerts: a sensor alert firing then resolved, and a host alert, each with every field', async () => {
    bmc.setSensor('CPU1Temp', 46);
    await runJob(tm.server, 'temperature-monitor', 'poll-temperatures');
    const firing = (await tm.api('GET', '/alerts?state=firing')).body;
    const sensorAlert = {
      id: firing.alerts[0]?.id,
      hostId,
      sensorId,
      kind: 'sensor',
      severity: 'critical',
      state: 'firing',
      firedAt: time(firing.alerts[0]?.firedAt),
      resolvedAt: null,
      reading: 46,
      threshold: 45,
    };
    expect(sensorAlert.id).to.be.a('number');
    expect(firing).to.deep.equal({ alerts: [sensorAlert] });

    // 40 °C is 2 °C (the hysteresis) below the warning threshold of 42: back to ok.
    bmc.setSensor('CPU1Temp', 40);
    await runJob(tm.server, 'temperature-monitor', 'poll-temperatures');
    const resolved = (await tm.api('GET', '/alerts?state=resolved')).body;
    expect(resolved).to.deep.equal({
      alerts: [{ ...sensorAlert, state: 'resolved', resolvedAt: time(resolved.alerts[0]?.resolvedAt) }],
    });

    bmc.mode = 'down';
    try {
      await runJob(tm.server, 'temperature-monitor', 'poll-temperatures');
    } finally {
      bmc.mode = 'normal';
    }
    const host = (await tm.api('GET', '/alerts?state=firing')).body.alerts;
    expect(host).to.deep.equal([
      {
        id: host[0]?.id,
        hostId,
        sensorId: null,
        kind: 'host_unreachable',
        severity: 'critical',
        state: 'firing',
        firedAt: time(host[0]?.firedAt),
        resolvedAt: null,
        reading: null,
        threshold: null,
      },
    ]);
    const unreachable = (await tm.api('GET', `/hosts/${hostId}`)).body.host;
    expect(unreachable.state).to.equal('unreachable');
    expect(Object.keys(unreachable.error)).to.deep.equal(['code', 'message']);
    expect(time(unreachable.lastPolledAt)).to.be.a('string');
  });

  it('errors: {error: {code, message, details?}}', async () => {
    const missing = await tm.api('GET', '/hosts/99999');
    expect(missing.status).to.equal(404);
    expect(Object.keys(missing.body)).to.deep.equal(['error']);
    expect(missing.body.error.code).to.equal('NXF_NOT_FOUND');
    expect(missing.body.error.message).to.be.a('string').that.is.not.empty;
    const invalid = await tm.api('GET', '/alerts?state=burning');
    expect(invalid.status).to.be.oneOf([400, 422]);
    expect(invalid.body.error.code).to.equal('NXF_VALIDATION');
    expect(invalid.body.error.details).to.have.keys(['state']);
  });
});
