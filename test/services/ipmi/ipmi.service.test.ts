import { expect } from 'chai';
import { chmod, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { existsSync, readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createLogger } from '../../../src/logger.js';
import { projectRoot } from '../../../src/paths.js';
import { createIpmiService } from '../../../src/services/ipmi/ipmi.service.js';
import { simCredentials, startIpmiSim, type IpmiSim } from '../../fixtures/ipmi-sim.js';

const logger = createLogger('silent');
const sample = path.join(projectRoot, 'test', 'fixtures', 'ipmitool', 'sensor.txt');

/** The error a promise rejects with. */
async function failure(
  work: Promise<unknown>,
): Promise<{ code: string; message: string; status: number; details?: unknown }> {
  try {
    await work;
  } catch (error) {
    return error as { code: string; message: string; status: number };
  }
  throw new Error('expected a failure');
}

/** Whether a process is gone (or a zombie waiting for its parent, which is as good as gone). */
function gone(pid: number): boolean {
  const status = `/proc/${pid}/status`;
  return !existsSync(status) || /^State:\s+Z/m.test(readFileSync(status, 'utf8'));
}

describe('ctx.services.ipmi: ipmitool with a hard deadline', function () {
  this.timeout(60_000);
  let fakeDir: string;
  let originalPath: string | undefined;
  const target = { host: '127.0.0.1', port: 623, username: 'admin', password: 'bmc-secret-7' };

  /** Puts a fake `ipmitool` running `script` first on the PATH. */
  const fakeIpmitool = async (script: string) => {
    await writeFile(path.join(fakeDir, 'ipmitool'), `#!/bin/sh\n${script}\n`);
    await chmod(path.join(fakeDir, 'ipmitool'), 0o755);
    process.env.PATH = `${fakeDir}:${originalPath}`;
  };

  beforeEach(async () => {
    fakeDir = await mkdtemp(path.join(os.tmpdir(), 'nxf-fake-ipmitool-'));
    originalPath = process.env.PATH;
  });
  afterEach(async () => {
    process.env.PATH = originalPath;
    await rm(fakeDir, { recursive: true, force: true });
  });

  it('passes the password as IPMI_PASSWORD with -E, never on the command line', async () => {
    await fakeIpmitool(
      `printf '%s\\n' "$@" > ${fakeDir}/args\nprintf '%s' "$IPMI_PASSWORD" > ${fakeDir}/password\ncat ${sample}`,
    );
    const rows = await createIpmiService(logger).sensors({ ...target, cipherSuite: 3 });
    expect(rows.map((r) => r.name)).to.deep.equal(['CPU Temp', 'Inlet Temp', 'DIMM Temp', 'PS1 Status']);
    const args = (await readFile(path.join(fakeDir, 'args'), 'utf8')).trim().split('\n');
    expect(args).to.deep.equal([
      '-I',
      'lanplus',
      '-H',
      '127.0.0.1',
      '-p',
      '623',
      '-U',
      'admin',
      '-E',
      '-C',
      '3',
      '-N',
      '2',
      '-R',
      '2',
      'sensor',
    ]);
    expect(args.join(' ')).not.to.contain(target.password);
    expect(await readFile(path.join(fakeDir, 'password'), 'utf8')).to.equal(target.password);
  });

  it('kills a hung ipmitool and what it started at the deadline', async () => {
    // The fake hangs the way a BMC that never answers makes ipmitool hang, with a child of its own.
    await fakeIpmitool(`echo $$ > ${fakeDir}/pids\nsleep 60 &\necho $! >> ${fakeDir}/pids\nwait`);
    const error = await failure(createIpmiService(logger).sdr(target, { type: 'Temperature', timeoutMs: 400 }));
    expect(error).to.include({ code: 'NXF_IPMI_TIMEOUT', status: 504 });
    expect(error.message).to.contain('did not finish within 0.4 s and was stopped');
    const pids = (await readFile(path.join(fakeDir, 'pids'), 'utf8')).trim().split('\n').map(Number);
    expect(pids).to.have.length(2);
    expect(pids.filter((pid) => !gone(pid))).to.deep.equal([]);
  });

  it('never runs more than its limit at once: further runs wait instead of piling up', async () => {
    await fakeIpmitool(`echo start >> ${fakeDir}/log\nsleep 0.2\necho end >> ${fakeDir}/log\ncat ${sample}`);
    const service = createIpmiService(logger, { maxConcurrent: 2 });
    await Promise.all(Array.from({ length: 5 }, () => service.sensors(target)));
    const log = (await readFile(path.join(fakeDir, 'log'), 'utf8')).trim().split('\n');
    let running = 0;
    const most = Math.max(...log.map((line) => (running += line === 'start' ? 1 : -1)));
    expect(log.filter((line) => line === 'start')).to.have.length(5);
    expect(most).to.equal(2);
  });

  it('names the Debian package when ipmitool is not installed', async () => {
    process.env.PATH = fakeDir; // an empty folder: no ipmitool anywhere
    const error = await failure(createIpmiService(logger).sensors(target));
    expect(error).to.include({ code: 'NXF_IPMITOOL_MISSING', status: 503 });
    expect(error.message).to.contain('Install the Debian package "ipmitool": apt-get install ipmitool');
  });

  it('refuses output that is not a sensor listing, and a failing run says what ipmitool said', async () => {
    await fakeIpmitool('echo "Welcome to BusyBox v1.36"');
    const garbage = await failure(createIpmiService(logger).sensors(target));
    expect(garbage.code).to.equal('NXF_IPMI_PARSE');
    expect(garbage.message).to.contain('Welcome to BusyBox');
    await fakeIpmitool('echo "Error: Unable to get Chassis Power Status" >&2\nexit 1');
    const failed = await failure(createIpmiService(logger).run(target, ['chassis', 'status']));
    expect(failed).to.include({ code: 'NXF_IPMI_FAILED' });
    expect(failed.message).to.contain('Error: Unable to get Chassis Power Status');
  });

  it('refuses a host or user that would read as an ipmitool option', async () => {
    await fakeIpmitool(`cat ${sample}`);
    const error = await failure(createIpmiService(logger).sensors({ ...target, host: '-oProxyCommand=evil' }));
    expect(error).to.include({ code: 'NXF_IPMI_TARGET', status: 400 });
  });

  describe('against OpenIPMI’s ipmi_sim on loopback', () => {
    let sim: IpmiSim;
    before(async () => {
      sim = await startIpmiSim();
    });
    after(async () => sim?.close());
    const simTarget = () => ({
      host: sim.host,
      port: sim.port,
      username: simCredentials.username,
      password: simCredentials.password,
      cipherSuite: simCredentials.cipherSuite,
    });

    it('reads the sensors and their changes', async () => {
      const service = createIpmiService(logger);
      const rows = await service.sensors(simTarget());
      expect(rows.map((r) => [r.name, r.value, r.status])).to.deep.equal([
        ['CPU Temp', 45, 'ok'],
        ['Inlet Temp', 23, 'ok'],
        ['DIMM Temp', null, 'na'],
        ['PS1 Status', null, '0x0100'],
      ]);
      await sim.setReading(1, 85);
      const [cpu] = await service.sdr(simTarget(), { type: 'Temperature' });
      expect(cpu).to.include({ name: 'CPU Temp', value: 85, status: 'ucr' });
    });

    it('says the password was refused, and that a BMC does not answer', async () => {
      const service = createIpmiService(logger);
      const refused = await failure(service.sensors({ ...simTarget(), password: 'wrong-password' }));
      expect(refused).to.include({ code: 'NXF_IPMI_AUTH' });
      expect(refused.message).to.contain('refused the user or password');
      const silent = await failure(service.sensors({ ...simTarget(), port: sim.port + 1 }, { timeoutMs: 4_000 }));
      expect(silent.code).to.be.oneOf(['NXF_IPMI_UNREACHABLE', 'NXF_IPMI_TIMEOUT']);
    });
  });
});
