import { expect } from 'chai';
import { existsSync, readFileSync } from 'node:fs';
import { chmod, mkdtemp, rename, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { loadConfig } from '../../src/config.js';
import { startNxforge, type RunningNxforge } from '../../src/nxforge.js';
import { runCli, startServeProcess } from '../helpers/cli.js';
import { captureLog } from '../helpers/log-capture.js';
import { testAdminPassword, testJobTuning, testSecret } from '../helpers/server.js';
import { apiRequest, WebClient } from '../helpers/web-client.js';

/** The pid in a cluster's postmaster.pid. */
const postmasterPid = (cluster: string) =>
  Number(readFileSync(path.join(cluster, 'postmaster.pid'), 'utf8').split('\n')[0]);

/** True while `pid` runs (an exited process not yet reaped by its new parent counts as gone). */
function alive(pid: number): boolean {
  try {
    return readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]?.[0] !== 'Z';
  } catch {
    return false;
  }
}

describe('embedded PostgreSQL that dies, and one left behind', function () {
  this.timeout(120_000);
  let dataDir: string;
  let cluster: string;
  beforeEach(async () => {
    dataDir = await mkdtemp(path.join(os.tmpdir(), 'nxf-recovery-'));
    await chmod(dataDir, 0o755);
    cluster = path.join(dataDir, 'postgres');
  });
  afterEach(() => rm(dataDir, { recursive: true, force: true }));

  it('after kill -9 of the postmaster: 503 "database unavailable" meanwhile, restarted with backoff, data kept', async () => {
    const log = captureLog();
    const env = { PORT: '0', NXFORGE_HOST: '127.0.0.1', NXFORGE_DATA_DIR: dataDir, NXFORGE_SECRET: testSecret };
    const running: RunningNxforge = await startNxforge(
      loadConfig({ ...env, NXFORGE_ADMIN_PASSWORD: testAdminPassword }),
      {
        logger: log.logger,
        databaseRestart: { attempts: 5, firstDelayMs: 200 },
        bundledModulesDir: path.join(dataDir, 'no-bundled-modules'),
        shutdownGraceMs: 1000,
        jobs: testJobTuning,
      },
    );
    try {
      const admin = new WebClient(running.url);
      await admin.login('admin', testAdminPassword);
      const user = (await running.services.users.findForLogin('admin'))!.user;
      const { token } = await running.services.apiTokens.create(user.id, 'outage');

      // With the cluster folder moved away, every restart fails until it is back: the outage lasts as long as
      // the test needs, whatever the machine's speed.
      await rename(cluster, `${cluster}-away`);
      process.kill(postmasterPid(`${cluster}-away`), 'SIGKILL');
      expect(await log.waitFor('embedded PostgreSQL stopped unexpectedly')).to.include({ signal: 'SIGKILL' });

      const page = await admin.get('/admin/audit');
      expect(page.status).to.equal(503);
      expect(page.text).to.contain('Database unavailable').and.to.contain('NXF_DATABASE_DOWN');
      expect(page.headers.get('retry-after')).to.equal('5');
      const fragment = await admin.get('/executions/rows', { 'HX-Request': 'true', 'HX-Request-Type': 'partial' });
      expect(fragment.status).to.equal(503);
      expect(fragment.headers.get('hx-retarget')).to.equal('#flash');
      const api = await apiRequest(running.url, token, 'GET', '/api/v1/me');
      expect(api).to.deep.include({ status: 503 });
      expect(api.body).to.have.nested.property('error.code', 'NXF_DATABASE_DOWN');
      expect((await fetch(new URL('/healthz', running.url))).status).to.equal(503);

      expect(await log.waitFor('embedded PostgreSQL did not start')).to.include({ attempt: 1 });
      await rename(`${cluster}-away`, cluster);
      expect(await log.waitFor('embedded PostgreSQL restarted'))
        .to.have.property('attempt')
        .above(1);

      expect((await admin.get('/admin/audit')).status).to.equal(200);
      expect((await apiRequest(running.url, token, 'GET', '/api/v1/me')).status).to.equal(200);
      // The dedicated connections come back too, having said so once each rather than every second.
      await log.waitFor('notification connection is back');
      await log.waitFor('runner lock connection is back');
      expect(log.count('notification connection lost; reconnecting')).to.equal(1);
      expect(log.count('runner lock connection lost; reconnecting')).to.equal(1);
      expect(log.count('request failed'), 'no request was a 500 with a stack').to.equal(0);
      const waits = log.lines.filter((line) => line.msg === 'restarting the embedded PostgreSQL');
      expect(waits.map((line) => line.waitMs).slice(0, 2)).to.deep.equal([200, 400]);
    } finally {
      if (existsSync(`${cluster}-away`)) await rename(`${cluster}-away`, cluster);
      await running.stop();
    }
  });

  it('nxforge serve exits 1 when the postmaster cannot be started again, so its supervisor takes over', async () => {
    const serve = await startServeProcess({ NXFORGE_DATA_DIR: dataDir, PORT: '0', NXFORGE_HOST: '127.0.0.1' });
    await rename(cluster, `${cluster}-away`);
    process.kill(postmasterPid(`${cluster}-away`), 'SIGKILL');
    try {
      expect(await serve.exited).to.equal(1);
    } finally {
      serve.child.kill('SIGKILL');
    }
    const lines = serve
      .output()
      .split('\n')
      .filter((line) => line.startsWith('{'))
      .map((line) => JSON.parse(line) as { msg: string; waitMs?: number });
    // Five attempts, each waiting twice as long as the one before, then the reason.
    const waits = lines.filter((line) => line.msg === 'restarting the embedded PostgreSQL').map((line) => line.waitMs);
    expect(waits).to.deep.equal([250, 500, 1000, 2000, 4000]);
    expect(lines.map((line) => line.msg)).to.include(
      'The embedded PostgreSQL stopped and 5 attempts to start it again failed.',
    );
    await rename(`${cluster}-away`, cluster);
  });

  it('a cluster left running by a killed nxforge is stopped and started afresh, and stopped with it', async () => {
    const env = { NXFORGE_DATA_DIR: dataDir, PORT: '0', NXFORGE_HOST: '127.0.0.1' };
    const first = await startServeProcess(env);
    const password = /generated password (\S+) —/.exec(first.output())?.[1] as string;
    const left = postmasterPid(cluster);
    first.child.kill('SIGKILL');
    await first.exited;
    expect(alive(left), 'the postmaster outlives a killed NxForge').to.equal(true);

    const second = await startServeProcess(env);
    try {
      expect(second.output()).to.contain('stopping the embedded PostgreSQL that a stopped NxForge left running');
      expect(alive(left)).to.equal(false);
      const owned = postmasterPid(cluster);
      expect(owned).to.not.equal(left);
      expect((await new WebClient(second.url).login('admin', password)).status).to.equal(303);
      // A command run meanwhile shares the cluster of the live server and leaves it running.
      const created = await runCli(['user', 'create', '--username', 'kiosk', '--role', 'viewer'], env);
      expect(created.code, created.stderr).to.equal(0);
      expect(postmasterPid(cluster)).to.equal(owned);
      expect(alive(owned)).to.equal(true);

      second.child.kill('SIGTERM');
      expect(await second.exited).to.equal(0);
      expect(alive(owned), 'stopped with the server that adopted the data').to.equal(false);
      expect(existsSync(path.join(cluster, 'postmaster.pid'))).to.equal(false);
    } finally {
      second.child.kill('SIGKILL');
    }
  });
});
