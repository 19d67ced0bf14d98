import { expect } from 'chai';
import { chmod, mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { defaultSimSensors, simCredentials, startIpmiSim, type IpmiSim } from '../../../dist/test/fixtures/ipmi-sim.js';
import { runJob } from '../../../dist/test/helpers/jobs.js';
import { testActor } from '../../../dist/test/helpers/modules.js';
import { startTemperatureServer, type TemperatureServer } from './tm-server.js';

describe('temperature-monitor: IPMI hosts through ipmitool', function () {
  this.timeout(90_000);
  let tm: TemperatureServer;
  let sim: IpmiSim;
  let hostId: number;
  let fakeDir: string;
  const originalPath = process.env.PATH;

  before(async () => {
    // The simulator's sensors, and a discrete temperature sensor (a state, not a reading) as some BMCs have.
    sim = await startIpmiSim([
      ...defaultSimSensors,
      { number: 5, name: 'Temp Status', entity: 0x03, kind: 'discrete', sensorType: 0x01 },
    ]);
    tm = await startTemperatureServer();
    await tm.server.services.modules.saveSettings('temperature-monitor', { minDurationSeconds: 0 }, testActor);
    fakeDir = await mkdtemp(path.join(os.tmpdir(), 'nxf-tm-ipmitool-'));
    const created = await tm.api('POST', '/hosts', {
      name: 'ipmi-01',
      address: `${sim.host}:${sim.port}`,
      source: 'ipmi',
      username: simCredentials.username,
      password: simCredentials.password,
      ipmi: { interface: 'lanplus', cipherSuite: simCredentials.cipherSuite },
    });
    expect(created.status, JSON.stringify(created.body)).to.equal(201);
    hostId = created.body.host.id;
  });
  after(async () => {
    process.env.PATH = originalPath;
    await tm?.server.close();
    await sim?.close();
    await rm(fakeDir, { recursive: true, force: true });
  });

  it('discovers the temperature sensors with their six thresholds; ns and discrete ones are listed without a reading', async () => {
    const { status, body } = await tm.api('POST', `/hosts/${hostId}/discover`);
    expect(status, JSON.stringify(body)).to.equal(200);
    const byKey = Object.fromEntries(body.sensors.map((s: { key: string }) => [s.key, s]));
    expect(Object.keys(byKey)).to.deep.equal(['CPU Temp@3.1', 'Inlet Temp@55.1', 'DIMM Temp@3.1', 'Temp Status@3.1']);
    expect(byKey['CPU Temp@3.1']).to.deep.equal({
      key: 'CPU Temp@3.1',
      name: 'CPU Temp',
      reading: 45,
      unit: '°C',
      state: 'ok',
      thresholds: { lowerCritical: null, lowerWarning: null, upperWarning: 70, upperCritical: 80, upperFatal: 90 },
    });
    expect(byKey['Inlet Temp@55.1'].thresholds).to.deep.equal({
      lowerCritical: 5,
      lowerWarning: 10,
      upperWarning: 40,
      upperCritical: 45,
      upperFatal: 50,
    });
    expect(byKey['DIMM Temp@3.1']).to.include({ reading: null, state: 'disabled' });
    expect(byKey['Temp Status@3.1']).to.include({ reading: null, state: 'unknown' });
    expect(byKey['Temp Status@3.1'].note).to.contain('discrete sensor');
  });

  it('polls the tracked sensors; a reading over the critical threshold fires an alert', async () => {
    await tm.api('POST', `/hosts/${hostId}/sensors`, { keys: ['CPU Temp@3.1', 'DIMM Temp@3.1'] });
    await runJob(tm.server, 'temperature-monitor', 'poll-temperatures');
    const first = (await tm.api('GET', `/sensors?hostId=${hostId}`)).body.sensors;
    expect(
      first.map((s: { name: string; state: string; reading: number | null }) => [s.name, s.state, s.reading]),
    ).to.deep.equal([
      ['CPU Temp', 'ok', 45],
      ['DIMM Temp', 'disabled', null],
    ]);
    await sim.setReading(1, 85);
    await runJob(tm.server, 'temperature-monitor', 'poll-temperatures');
    const alerts = (await tm.api('GET', '/alerts?state=firing')).body.alerts;
    expect(alerts).to.have.length(1);
    expect(alerts[0]).to.include({ kind: 'sensor', severity: 'critical', reading: 85, threshold: 80 });
  });

  it('a refused password shows on the host, as an error of the host', async () => {
    await tm.api('PUT', `/hosts/${hostId}`, { password: 'not-the-password' });
    const { status, body } = await tm.api('POST', `/hosts/${hostId}/discover`);
    expect(status).to.equal(502);
    expect(body.error.code).to.equal('NXF_IPMI_AUTH');
    await runJob(tm.server, 'temperature-monitor', 'poll-temperatures');
    const host = (await tm.api('GET', `/hosts/${hostId}`)).body.host;
    expect(host).to.include({ state: 'error' });
    expect(host.error.code).to.equal('NXF_IPMI_AUTH');
    await tm.api('PUT', `/hosts/${hostId}`, { password: simCredentials.password });
  });

  it('a BMC that does not answer makes its host unreachable, and its host alert fires', async () => {
    const silent = await tm.api('POST', '/hosts', {
      name: 'ipmi-silent',
      address: `${sim.host}:${sim.port + 1}`, // nothing listens there
      source: 'ipmi',
      username: simCredentials.username,
      password: simCredentials.password,
      ipmi: { cipherSuite: simCredentials.cipherSuite },
    });
    const silentId = silent.body.host.id as number;
    await runJob(tm.server, 'temperature-monitor', 'poll-temperatures', { hostId: silentId });
    const host = (await tm.api('GET', `/hosts/${silentId}`)).body.host;
    expect(host.state).to.equal('unreachable');
    expect(host.error.code).to.be.oneOf(['NXF_IPMI_UNREACHABLE', 'NXF_IPMI_TIMEOUT']);
    const alerts = (await tm.api('GET', '/alerts?state=firing')).body.alerts;
    const mine = alerts.filter((a: { hostId: number }) => a.hostId === silentId);
    expect(mine.map((a: Record<string, unknown>) => [a.kind, a.severity, a.sensorId])).to.deep.equal([
      ['host_unreachable', 'critical', null],
    ]);
    await tm.api('DELETE', `/hosts/${silentId}`);
  });

  it('without ipmitool the host says which package to install; garbage from ipmitool is an error, not 0 °C', async () => {
    process.env.PATH = fakeDir; // a folder without ipmitool
    const missing = await tm.api('POST', `/hosts/${hostId}/discover`);
    expect(missing.body.error.code).to.equal('NXF_IPMITOOL_MISSING');
    expect(missing.body.error.message).to.contain('apt-get install ipmitool');
    await runJob(tm.server, 'temperature-monitor', 'poll-temperatures');
    expect((await tm.api('GET', `/hosts/${hostId}`)).body.host.error.code).to.equal('NXF_IPMITOOL_MISSING');

    await writeFile(path.join(fakeDir, 'ipmitool'), '#!/bin/sh\necho "Segmentation fault (core dumped) ... garbage"\n');
    await chmod(path.join(fakeDir, 'ipmitool'), 0o755);
    await runJob(tm.server, 'temperature-monitor', 'poll-temperatures');
    const host = (await tm.api('GET', `/hosts/${hostId}`)).body.host;
    expect(host.state).to.equal('error');
    expect(host.error.code).to.equal('NXF_IPMI_PARSE');
    const cpu = (await tm.api('GET', `/sensors?hostId=${hostId}`)).body.sensors[0];
    expect(cpu.reading).to.equal(85); // the last real reading stays; nothing was made up
    process.env.PATH = originalPath;
  });
});
