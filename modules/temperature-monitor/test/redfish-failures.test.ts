import { expect } from 'chai';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { runJob } from '../../../dist/test/helpers/jobs.js';
import { testActor } from '../../../dist/test/helpers/modules.js';
import { bmcCredentials, startFakeBmc, type FakeBmc } from './fake-bmc.js';
import { startTemperatureServer, type TemperatureServer } from './tm-server.js';

const tls = (file: string) =>
  readFileSync(fileURLToPath(new URL(`../test/fixtures/tls/${file}`, import.meta.url)), 'utf8');
const intake = '/redfish/v1/Chassis/1U/Sensors/IntakeTemp';
const cpu1 = '/redfish/v1/Chassis/1U/Sensors/CPU1Temp';

describe('temperature-monitor: Redfish hosts that answer badly', function () {
  this.timeout(90_000);
  let tm: TemperatureServer;
  let bmc: FakeBmc;
  let httpsBmc: FakeBmc;

  before(async () => {
    tm = await startTemperatureServer();
    await tm.server.services.modules.saveSettings('temperature-monitor', { minDurationSeconds: 0 }, testActor);
    bmc = await startFakeBmc();
    httpsBmc = await startFakeBmc({ tls: { key: tls('bmc-key.pem'), cert: tls('bmc-cert.pem') } });
  });
  afterEach(() => {
    bmc.mode = 'normal';
  });
  after(async () => {
    await tm?.server.close();
    await bmc?.close();
    await httpsBmc?.close();
  });

  let counter = 0;
  const host = async (extra: Record<string, unknown> = {}) => {
    counter += 1;
    const created = await tm.api('POST', '/hosts', {
      name: `bad-${counter}`,
      address: bmc.url,
      source: 'redfish',
      ...bmcCredentials,
      ...extra,
    });
    expect(created.status, JSON.stringify(created.body)).to.equal(201);
    return created.body.host.id as number;
  };
  const discoverError = async (id: number) => {
    const { status, body } = await tm.api('POST', `/hosts/${id}/discover`);
    expect(status, JSON.stringify(body)).to.equal(502);
    return body.error as { code: string; message: string };
  };
  const pollAndHost = async (id: number) => {
    await runJob(tm.server, 'temperature-monitor', 'poll-temperatures', { hostId: id });
    return (await tm.api('GET', `/hosts/${id}`)).body.host as {
      state: string;
      error: { code: string; message: string } | null;
    };
  };

  it('a BMC answering an HTML page is an error of the host, not a reading', async () => {
    const id = await host();
    await tm.api('POST', `/hosts/${id}/sensors`, { keys: [cpu1] });
    bmc.mode = 'html';
    const error = await discoverError(id);
    expect(error.code).to.equal('TM_REDFISH_NOT_JSON');
    expect(error.message).to.contain('HTML page');
    const after = await pollAndHost(id);
    expect(after.state).to.equal('error');
    expect(after.error?.code).to.equal('TM_REDFISH_NOT_JSON');
  });

  it('a refused password (401) says so', async () => {
    const id = await host({ password: 'wrong' });
    const error = await discoverError(id);
    expect(error.code).to.equal('TM_REDFISH_AUTH');
    expect(error.message).to.contain('refused the user name or password (HTTP 401)');
  });

  it('an HTTPS certificate that is not trusted is refused unless verification is off for the host', async () => {
    const id = await host({ address: httpsBmc.url });
    const error = await discoverError(id);
    expect(error.code).to.equal('TM_TLS_CERTIFICATE');
    expect(error.message).to.contain('Verify the certificate');
    await tm.api('PUT', `/hosts/${id}`, { redfish: { verifyTls: false } });
    const { status, body } = await tm.api('POST', `/hosts/${id}/discover`);
    expect(status).to.equal(200);
    expect(body.sensors.length).to.be.greaterThan(0);
  });

  it('a redirect loop is named as one', async () => {
    const id = await host();
    bmc.mode = 'redirect-loop';
    expect((await discoverError(id)).code).to.equal('TM_REDFISH_REDIRECT_LOOP');
  });

  it('a reading of null is "no reading" — never 0 °C — and a sensor that disappears leaves the others read', async () => {
    const id = await host();
    await tm.api('POST', `/hosts/${id}/sensors`, { keys: [cpu1, intake] });
    bmc.setSensor('CPU1Temp', null);
    expect((await pollAndHost(id)).state).to.equal('ok');
    let sensors = (await tm.api('GET', `/sensors?hostId=${id}`)).body.sensors as Array<Record<string, unknown>>;
    expect(sensors.map((s) => [s.key, s.state, s.reading])).to.deep.equal([
      [cpu1, 'unknown', null],
      [intake, 'ok', 24.8],
    ]);
    const rows = await tm.server.services.db.select('SELECT celsius FROM tm_reading WHERE sensor_id = $1', [
      sensors[0]?.id,
    ]);
    expect(rows).to.deep.equal([]);

    bmc.setSensor('CPU1Temp', 38);
    bmc.remove(intake);
    expect((await pollAndHost(id)).state).to.equal('ok');
    sensors = (await tm.api('GET', `/sensors?hostId=${id}`)).body.sensors;
    expect(sensors.map((s) => [s.state, s.reading])).to.deep.equal([
      ['ok', 38],
      ['unknown', 24.8], // the last reading stays with its time; the state says it is not read now
    ]);
    const note = await tm.server.services.db.one<{ note: string }>('SELECT note FROM tm_sensor WHERE id = $1', [
      sensors[1]?.id,
    ]);
    expect(note?.note).to.equal('The device no longer reports this sensor.');
  });

  it('refuses threshold overrides out of order with the others, naming the field', async () => {
    const id = await host();
    const tracked = await tm.api('POST', `/hosts/${id}/sensors`, {
      keys: ['/redfish/v1/Chassis/1U/Sensors/AmbientTemp'],
    });
    const sensorId = tracked.body.sensors[0].id;
    const below = await tm.api('PUT', `/sensors/${sensorId}`, { overrides: { lowerWarning: 10, upperWarning: 3 } });
    expect(below.status).to.equal(422);
    expect(below.body.error.code).to.equal('NXF_VALIDATION');
    expect(below.body.error.details).to.deep.equal({
      upperWarning: 'The upper warning threshold (3 °C) must be above the lower warning threshold (10 °C).',
    });
    const bad = await tm.api('PUT', `/sensors/${sensorId}`, { overrides: { upperWarning: 'hot', upperCool: 3 } });
    expect(Object.keys(bad.body.error.details)).to.deep.equal(['upperWarning', 'upperCool']);
    const fine = await tm.api('PUT', `/sensors/${sensorId}`, { overrides: { upperWarning: 30, upperCritical: 35 } });
    expect(fine.status).to.equal(200);
    expect(fine.body.sensor.thresholds).to.include({ upperWarning: 30, upperCritical: 35 });
    expect(fine.body.sensor.overrides).to.deep.equal({ upperWarning: 30, upperCritical: 35 });
  });

  it('refuses a bad host with a message per field, and a second host of the same name', async () => {
    const bad = await tm.api('POST', '/hosts', {
      name: ' ',
      source: 'snmp',
      address: 'ftp://x',
      pollIntervalSeconds: 5,
      labels: { rack: 7 },
    });
    expect(bad.status).to.equal(422);
    expect(Object.keys(bad.body.error.details).sort()).to.deep.equal([
      'labels.rack',
      'name',
      'pollIntervalSeconds',
      'source',
    ]);
    const noUrl = await tm.api('POST', '/hosts', { name: 'x', source: 'redfish', address: 'not a url' });
    expect(noUrl.body.error.details.address).to.contain('/redfish/v1 is appended');
    const badIpmi = await tm.api('POST', '/hosts', {
      name: 'x',
      source: 'ipmi',
      address: 'bmc:99999',
      ipmi: { cipherSuite: 42 },
    });
    expect(Object.keys(badIpmi.body.error.details).sort()).to.deep.equal(['address', 'ipmi.cipherSuite']);
    const badScrape = await tm.api('POST', '/hosts', {
      name: 'x',
      source: 'scrape',
      scrape: {
        url: 'http://x/t',
        sensors: [
          { name: 'a', selector: '' },
          { name: 'A', selector: '#a' },
        ],
      },
    });
    expect(Object.keys(badScrape.body.error.details).sort()).to.deep.equal([
      'scrape.sensors[0].selector',
      'scrape.sensors[1].name',
    ]);
    await host();
    const duplicate = await tm.api('POST', '/hosts', { name: `BAD-${counter}`, address: bmc.url, source: 'redfish' });
    expect(duplicate.status).to.equal(409);
    expect(duplicate.body.error).to.deep.include({ code: 'NXF_CONFLICT', details: { name: 'Already taken.' } });
    const tracked = await tm.api('POST', `/hosts/${await host()}/sensors`, { keys: ['/redfish/v1/Nope'] });
    expect(tracked.status).to.equal(422);
    expect(tracked.body.error.code).to.equal('TM_SENSOR_UNKNOWN');
  });
});
