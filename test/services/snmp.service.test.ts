import { expect } from 'chai';
import dgram from 'node:dgram';
import { Writable } from 'node:stream';
import pino from 'pino';
import { createSnmpService, type SnmpService } from '../../src/services/snmp/snmp.service.js';
import { isNxfError } from '../../src/errors.js';
import { energyOid, snmpCredentials, startSnmpd, type TestSnmpd } from '../fixtures/snmpd.js';

/** ctx.services.snmp against Debian's snmpd on 127.0.0.1 (v2c community, v3 user with SHA and AES). */
describe('SNMP service', function () {
  let agent: TestSnmpd;
  let snmp: SnmpService;
  let logged = '';
  before(async () => {
    agent = await startSnmpd();
    const sink = new Writable({ write: (chunk, _encoding, done) => void ((logged += chunk.toString()), done()) });
    snmp = createSnmpService(pino({ level: 'debug' }, sink));
  });
  after(() => agent?.stop());

  const v2c = () => ({
    host: '127.0.0.1',
    port: agent.port,
    version: '2c' as const,
    community: snmpCredentials.community,
  });
  const v3 = () => ({
    host: '127.0.0.1',
    port: agent.port,
    version: '3' as const,
    user: snmpCredentials.user,
    authProtocol: 'sha' as const,
    authKey: snmpCredentials.authKey,
    privProtocol: 'aes' as const,
    privKey: snmpCredentials.privKey,
  });
  const failure = async (work: Promise<unknown>) => {
    try {
      await work;
    } catch (error) {
      if (isNxfError(error)) return error;
      throw error;
    }
    throw new Error('expected the get to fail');
  };

  it('gets a value over v2c, and the value the agent holds now on the next get', async () => {
    await agent.setEnergy(12345);
    expect(await snmp.get(v2c(), [energyOid])).to.deep.equal([{ oid: energyOid, type: 'Integer', value: 12345 }]);
    await agent.setEnergy(12350);
    expect((await snmp.get(v2c(), [`.${energyOid}`]))[0]!.value).to.equal(12350);
  });

  it('gets several OIDs over v3 with authentication and privacy', async () => {
    await agent.setEnergy(777);
    const [energy, uptime] = await snmp.get(v3(), [energyOid, '1.3.6.1.2.1.1.3.0']);
    expect(energy).to.deep.include({ value: 777 });
    expect(uptime)
      .to.include({ oid: '1.3.6.1.2.1.1.3.0', type: 'TimeTicks' })
      .and.have.property('value')
      .that.is.a('number');
  });

  it('says why it failed: a wrong community times out, a wrong v3 key is refused, a missing OID is named', async () => {
    const silent = await failure(snmp.get({ ...v2c(), community: 'wrong', timeout: 300, retries: 0 }, [energyOid]));
    expect(silent.code).to.equal('NXF_SNMP_TIMEOUT');
    expect(silent.message).to.match(/did not answer in time.*wrong community/);
    const refused = await failure(snmp.get({ ...v3(), authKey: 'not-the-key-1', timeout: 1000 }, [energyOid]));
    expect(refused.code).to.equal('NXF_SNMP_AUTH');
    const missing = await failure(snmp.get(v2c(), ['1.3.6.1.4.1.99999.1.0']));
    expect(missing.code).to.equal('NXF_SNMP_NO_SUCH_OBJECT');
    expect(missing.message).to.include('1.3.6.1.4.1.99999.1.0');
    const invalid = await failure(snmp.get(v2c(), ['ifInOctets.1']));
    expect(invalid).to.include({ code: 'NXF_SNMP_INVALID', status: 400 });
    const nobody = await failure(snmp.get({ ...v2c(), port: 9, timeout: 200, retries: 0 }, [energyOid]));
    expect(nobody.code).to.equal('NXF_SNMP_TIMEOUT');
  });

  it('reads one agent through one session (one socket) while reads follow each other, and a new one after a failure', async () => {
    // A relay in front of snmpd that notes from which local port each request comes, and can stop answering.
    const relay = dgram.createSocket('udp4');
    const upstream = dgram.createSocket('udp4');
    const sources: number[] = [];
    let silent = false;
    let client: dgram.RemoteInfo | undefined;
    relay.on('message', (message, from) => {
      sources.push(from.port);
      client = from;
      if (!silent) upstream.send(message, agent.port, '127.0.0.1');
    });
    upstream.on('message', (message) => client && relay.send(message, client.port, client.address));
    await new Promise<void>((resolve) => relay.bind(0, '127.0.0.1', resolve));
    await new Promise<void>((resolve) => upstream.bind(0, '127.0.0.1', resolve));
    try {
      const through = { ...v2c(), port: relay.address().port, timeout: 500, retries: 0 };
      await agent.setEnergy(5);
      for (let read = 0; read < 3; read += 1) expect((await snmp.get(through, [energyOid]))[0]!.value).to.equal(5);
      await Promise.all([snmp.get(through, [energyOid]), snmp.get(through, [energyOid])]);
      expect(sources).to.have.length(5);
      expect(new Set(sources).size, 'five reads, one socket').to.equal(1);
      // Unanswered: that session is given up, and the next read of the same agent opens another.
      silent = true;
      expect((await failure(snmp.get(through, [energyOid]))).code).to.equal('NXF_SNMP_TIMEOUT');
      silent = false;
      expect((await snmp.get(through, [energyOid]))[0]!.value).to.equal(5);
      expect(new Set(sources).size).to.equal(2);
      expect(sources.at(-1)).not.to.equal(sources[0]);
    } finally {
      relay.close();
      upstream.close();
    }
  });

  it('never logs communities or keys', () => {
    expect(logged).to.include('snmp get failed');
    for (const secret of [
      snmpCredentials.community,
      snmpCredentials.authKey,
      snmpCredentials.privKey,
      'not-the-key-1',
    ]) {
      expect(logged).not.to.include(secret);
    }
  });
});
