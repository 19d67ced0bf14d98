import { expect } from 'chai';
import { listenOnLoopback, type LoopbackServer } from '../../../dist/test/fixtures/loopback.js';
import { energyOid, snmpCredentials, startSnmpd, type TestSnmpd } from '../../../dist/test/fixtures/snmpd.js';
import { runJob } from '../../../dist/test/helpers/jobs.js';
import { startCmServer, type CmServer } from './helpers/cm-server.js';
import { startRedfish, type TestRedfish } from './helpers/redfish-server.js';

/** The HTTP, SNMP and Redfish sources against real peers on loopback, from a page (Test) and from the job. */
describe('consumption monitor: HTTP, SNMP and Redfish sources', function () {
  this.timeout(60_000);
  let cm: CmServer;
  let meter: LoopbackServer;
  let agent: TestSnmpd;
  let bmc: TestRedfish;
  let pdu: TestRedfish;
  const bmcCredentials = { username: 'root', password: 'bmc-password-1' };
  before(async () => {
    [cm, agent, bmc, pdu] = await Promise.all([
      startCmServer(),
      startSnmpd(),
      startRedfish('public-rackmount1', bmcCredentials),
      startRedfish('rack-pdu'),
    ]);
    meter = await listenOnLoopback((request, response) => {
      const auth = request.headers.authorization;
      if (request.url === '/status.html')
        return void response.end('<html><body><td class="kwh">12.345,6 kWh</td></body></html>');
      if (request.url === '/basic.json') {
        if (auth !== `Basic ${Buffer.from('meter:meter-pass').toString('base64')}`)
          return void response.writeHead(401).end();
        return void response.end(JSON.stringify({ energy: { total: { wh: 987654 } } }));
      }
      if (request.url === '/token.json') {
        if (request.headers['x-api-key'] !== 'key-123') return void response.writeHead(403).end();
        return void response.end('{"power": {"kw": "3.25"}}');
      }
      if (request.url === '/na.json') return void response.end('{"energy": "n/a"}');
      if (request.url === '/broken') return void response.writeHead(500).end('<h1>Internal error</h1>');
      response.writeHead(404).end();
    });
  });
  after(async () => {
    await Promise.all([cm?.close(), meter?.close(), agent?.stop(), bmc?.close(), pdu?.close()]);
  });

  const create = async (body: Record<string, unknown>) => {
    const created = await cm.api('POST', '/endpoints', body);
    expect(created.status, JSON.stringify(created.body)).to.equal(201);
    return created.body as { id: string; secrets: string[] };
  };
  const test = async (id: string) => (await cm.api('POST', `/endpoints/${id}/test`)).body;

  it('http: an HTML page read with a CSS selector in the endpoint locale', async () => {
    const { id } = await create({
      name: 'HTML meter',
      source: 'http',
      url: `${meter.url}/status.html`,
      selector: 'td.kwh',
      locale: 'de',
    });
    expect(await test(id)).to.include({ success: true, value: 12345.6, raw: '12.345,6 kWh' });
  });

  it('http: JSON read with a JSONPath, with basic auth (Wh → kWh) or a header (kW)', async () => {
    const basic = await create({
      name: 'JSON meter',
      source: 'http',
      url: `${meter.url}/basic.json`,
      jsonPath: '$.energy.total.wh',
      unit: 'Wh',
      auth: { type: 'basic', username: 'meter', password: 'meter-pass' },
    });
    // 987 654 Wh is 987.654 kWh.
    expect(await test(basic.id)).to.include({ success: true, value: 987.654, raw: '987654' });
    const header = await create({
      name: 'Header meter',
      source: 'http',
      url: `${meter.url}/token.json`,
      jsonPath: '$.power.kw',
      kind: 'power',
      unit: 'kW',
      auth: { type: 'header', headerName: 'X-Api-Key', headerValue: 'key-123' },
    });
    expect(header.secrets).to.deep.equal(['headerValue']);
    expect(await test(header.id)).to.include({ success: true, value: 3.25 });
  });

  it('http: a 500, a value that is not a number, a path that finds nothing, a page that is not JSON', async () => {
    const broken = await create({ name: 'Broken meter', source: 'http', url: `${meter.url}/broken`, selector: '#x' });
    const na = await create({ name: 'NA meter', source: 'http', url: `${meter.url}/na.json`, jsonPath: '$.energy' });
    const nothing = await create({
      name: 'Nothing meter',
      source: 'http',
      url: `${meter.url}/na.json`,
      jsonPath: '$.missing',
    });
    const html = await create({
      name: 'HTML not JSON',
      source: 'http',
      url: `${meter.url}/status.html`,
      jsonPath: '$.kwh',
    });
    const outcomes = await Promise.all([broken, na, nothing, html].map((e) => test(e.id)));
    expect(outcomes.map((o) => o.errorCode)).to.deep.equal([
      'NXF_HTTP_STATUS',
      'NXF_SCRAPE_PARSE',
      'CM_NO_MATCH',
      'CM_NOT_JSON',
    ]);
    expect(outcomes[3].error).to.match(/answered HTML, not JSON/);
    for (const outcome of outcomes) expect(outcome).to.include({ success: false, value: null });
  });

  it('snmp: v2c and v3 in the job worker, scaled from tenths of a kWh; secrets write-only', async () => {
    await agent.setEnergy(482137);
    const v2c = await create({
      name: 'APC v2c',
      source: 'snmp',
      kind: 'counter',
      snmp: {
        host: '127.0.0.1',
        port: agent.port,
        version: '2c',
        community: snmpCredentials.community,
        oid: energyOid,
        scale: 0.1,
      },
    });
    const v3 = await create({
      name: 'APC v3',
      source: 'snmp',
      kind: 'counter',
      snmp: {
        host: '127.0.0.1',
        port: agent.port,
        version: '3',
        user: snmpCredentials.user,
        authProtocol: 'sha',
        authKey: snmpCredentials.authKey,
        privProtocol: 'aes',
        privKey: snmpCredentials.privKey,
        oid: energyOid,
        scale: 0.1,
      },
    });
    expect(v3.secrets.sort()).to.deep.equal(['authKey', 'privKey']);
    const fetched = JSON.stringify((await cm.api('GET', `/endpoints/${v3.id}`)).body);
    for (const secret of [snmpCredentials.authKey, snmpCredentials.privKey]) expect(fetched).not.to.include(secret);
    const execution = await runJob(cm.server, 'consumption-monitor', 'collect-consumption', {
      endpointIds: [v2c.id, v3.id],
    });
    expect(execution.status).to.equal('succeeded');
    for (const id of [v2c.id, v3.id]) {
      const [reading] = (await cm.api('GET', `/consumption/readings?endpointId=${id}`)).body.readings;
      // 482 137 tenths of a kWh is 48 213.7 kWh.
      expect(reading).to.include({ status: 'ok', value: 48213.7, raw: '482137' });
    }
  });

  it('snmp: a wrong community is a timeout, a wrong v3 key is refused', async () => {
    const wrong = await create({
      name: 'APC wrong community',
      source: 'snmp',
      timeoutSeconds: 1,
      snmp: { host: '127.0.0.1', port: agent.port, version: '2c', community: 'wrong', oid: energyOid },
    });
    const refused = await create({
      name: 'APC wrong key',
      source: 'snmp',
      snmp: {
        host: '127.0.0.1',
        port: agent.port,
        version: '3',
        user: snmpCredentials.user,
        authProtocol: 'sha',
        authKey: 'wrong-key-123',
        oid: energyOid,
      },
    });
    expect((await test(wrong.id)).errorCode).to.equal('NXF_SNMP_TIMEOUT');
    expect((await test(refused.id)).errorCode).to.equal('NXF_SNMP_AUTH');
  });

  it('redfish: a named sensor, the first EnergykWh sensor found, and PowerControl as a power endpoint', async () => {
    const auth = { type: 'basic', ...bmcCredentials };
    const named = await create({
      name: 'BMC total',
      source: 'redfish',
      url: `${bmc.url}/redfish/v1`,
      sensor: '/redfish/v1/Chassis/1U/Sensors/TotalEnergy',
      auth,
    });
    const found = await create({ name: 'BMC first', source: 'redfish', url: `${bmc.url}/redfish/v1`, auth });
    const power = await create({
      name: 'BMC power',
      source: 'redfish',
      url: `${bmc.url}/redfish/v1`,
      kind: 'power',
      auth,
    });
    const rackPdu = await create({ name: 'Rack PDU', source: 'redfish', url: `${pdu.url}/redfish/v1` });
    expect(await test(named.id)).to.include({ success: true, value: 325675 });
    // The mockup's chassis lists PS1Energy before TotalEnergy.
    const first = await test(found.id);
    expect(first.success, first.error).to.equal(true);
    expect(first.raw).to.include('EnergykWh');
    // 344 W is 0.344 kW.
    expect(await test(power.id)).to.include({ success: true, value: 0.344 });
    expect(await test(rackPdu.id)).to.include({ success: true, value: 48213.7 });
    pdu.patches.set('/redfish/v1/PowerEquipment/RackPDUs/1/Sensors/EnergykWh', { Reading: 48214.2 });
    const execution = await runJob(cm.server, 'consumption-monitor', 'collect-consumption', {
      endpointIds: [rackPdu.id],
    });
    expect(execution.status).to.equal('succeeded');
    expect((await cm.api('GET', `/consumption/readings?endpointId=${rackPdu.id}`)).body.readings[0]).to.include({
      status: 'ok',
      value: 48214.2,
    });
  });

  it('redfish: wrong credentials, an HTML answer, a sensor of the wrong type', async () => {
    const wrong = await create({
      name: 'BMC wrong',
      source: 'redfish',
      url: `${bmc.url}/redfish/v1`,
      auth: { type: 'basic', username: 'root', password: 'nope' },
    });
    const wrongType = await create({
      name: 'BMC temp',
      source: 'redfish',
      url: `${bmc.url}/redfish/v1`,
      sensor: '/redfish/v1/Chassis/1U/Sensors/AmbientTemp',
      auth: { type: 'basic', ...bmcCredentials },
    });
    const htmlPdu = await create({ name: 'PDU html', source: 'redfish', url: `${pdu.url}/redfish/v1` });
    expect((await test(wrong.id)).errorCode).to.equal('NXF_HTTP_STATUS');
    expect(await test(wrongType.id)).to.include({ errorCode: 'CM_REDFISH_NO_SENSOR' });
    pdu.html = true;
    try {
      const outcome = await test(htmlPdu.id);
      expect(outcome).to.include({ success: false, errorCode: 'CM_NOT_JSON' });
      expect(outcome.error).to.match(/answered HTML/);
    } finally {
      pdu.html = false;
    }
  });
});
