import { expect } from 'chai';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { parseSdrList, parseSensorTable, IpmiParseError } from '../../../src/services/ipmi/ipmi-output.js';
import { classifyStderr } from '../../../src/services/ipmi/ipmitool-runner.js';
import { projectRoot } from '../../../src/paths.js';

/** Output of ipmitool 1.8.19 captured from OpenIPMI's ipmi_sim (see test/fixtures/ipmi-sim.ts for its sensors). */
const sample = (name: string) => readFileSync(path.join(projectRoot, 'test', 'fixtures', 'ipmitool', name), 'utf8');
const none = { lowerNonRecoverable: null, lowerCritical: null, lowerNonCritical: null };

describe('ipmitool output: sensor and sdr listings captured from a real ipmitool', () => {
  it('reads `sensor`: values, units, statuses and six thresholds, `na` as none and never 0', () => {
    const rows = parseSensorTable(sample('sensor.txt'));
    expect(rows.map((r) => r.name)).to.deep.equal(['CPU Temp', 'Inlet Temp', 'DIMM Temp', 'PS1 Status']);
    expect(rows[0]).to.deep.equal({
      name: 'CPU Temp',
      value: 45,
      text: '45.000',
      unit: 'degrees C',
      discrete: false,
      status: 'ok',
      thresholds: { ...none, upperNonCritical: 70, upperCritical: 80, upperNonRecoverable: 90 },
    });
    // A real 0 (the inlet's lower non-recoverable threshold) stays 0; `na` above is null.
    expect(rows[1]?.thresholds).to.deep.equal({
      lowerNonRecoverable: 0,
      lowerCritical: 5,
      lowerNonCritical: 10,
      upperNonCritical: 40,
      upperCritical: 45,
      upperNonRecoverable: 50,
    });
    expect(rows[2]).to.include({
      name: 'DIMM Temp',
      value: null,
      text: 'na',
      unit: null,
      status: 'na',
      discrete: false,
    });
    expect(rows[3]).to.include({
      name: 'PS1 Status',
      value: null,
      text: '0x1',
      unit: null,
      discrete: true,
      status: '0x0100',
    });
  });

  it('reads `sdr type Temperature` and `sdr elist`: ns sensors and discrete states have no value', () => {
    const entries = parseSdrList(sample('sdr-type-temperature.txt'));
    expect(entries).to.deep.equal([
      {
        name: 'CPU Temp',
        sensorId: '01h',
        status: 'ok',
        entity: '3.1',
        value: 45,
        unit: 'degrees C',
        text: '45 degrees C',
      },
      {
        name: 'Inlet Temp',
        sensorId: '02h',
        status: 'ok',
        entity: '55.1',
        value: 23,
        unit: 'degrees C',
        text: '23 degrees C',
      },
      { name: 'DIMM Temp', sensorId: '03h', status: 'ns', entity: '3.1', value: null, unit: null, text: 'Disabled' },
    ]);
    const all = parseSdrList(sample('sdr-elist.txt'));
    expect(all.at(-1)).to.deep.equal({
      name: 'PS1 Status',
      sensorId: '04h',
      status: 'ok',
      entity: '10.1',
      value: null,
      unit: null,
      text: 'Presence detected',
    });
  });

  it('reads the short `sdr` format too', () => {
    const entries = parseSdrList(sample('sdr.txt'));
    expect(entries.map((e) => [e.name, e.value, e.status, e.text])).to.deep.equal([
      ['CPU Temp', 45, 'ok', '45 degrees C'],
      ['Inlet Temp', 23, 'ok', '23 degrees C'],
      ['DIMM Temp', null, 'ns', 'disabled'],
      ['PS1 Status', null, 'ok', '0x01'],
    ]);
  });

  it('refuses garbage instead of reading it as an empty BMC', () => {
    expect(() => parseSensorTable('Welcome to BusyBox v1.36\n# ')).to.throw(
      IpmiParseError,
      'not a sensor listing: "Welcome to BusyBox v1.36"',
    );
    expect(() => parseSdrList('<html><body>Login</body></html>')).to.throw(IpmiParseError);
    expect(parseSensorTable('')).to.deep.equal([]);
  });

  it("tells a refused password and an unknown user from a BMC that does not answer, by ipmitool's -v stderr", () => {
    expect(classifyStderr(sample('stderr-wrong-password.txt'))).to.equal('auth');
    expect(classifyStderr(sample('stderr-unknown-user.txt'))).to.equal('auth');
    expect(classifyStderr(sample('stderr-unreachable.txt'))).to.equal('unreachable');
    expect(classifyStderr('Error: Unable to establish IPMI v2 / RMCP+ session\n')).to.equal('session');
  });
});
