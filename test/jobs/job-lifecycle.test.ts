import { expect } from 'chai';
import path from 'node:path';
import { isNxfError } from '../../src/errors.js';
import { eventually, runJob } from '../helpers/jobs.js';
import { copyMinimalModule, copyModuleFixture, installAndEnable, testActor } from '../helpers/modules.js';
import { startTestServer, type TestServer } from '../helpers/server.js';

/** The error `work` throws, if it is coded. */
async function refusal(work: () => Promise<unknown>) {
  try {
    await work();
  } catch (error) {
    if (isNxfError(error)) return { code: error.code, message: error.message };
    throw error;
  }
  return undefined;
}

describe('jobs: registration follows modules, and bad jobs are refused clearly', function () {
  this.timeout(30_000);
  let server: TestServer;

  before(async () => {
    server = await startTestServer();
  });
  after(() => server?.close());

  it('refuses to enable a module whose job handler is missing, and keeps the reason', async () => {
    const broken = await copyModuleFixture({ fixture: 'lab-module', files: { 'dist/jobs/noop.js': null } });
    try {
      await server.services.modules.installFromDirectory(broken.dir, 'installed', testActor);
      const error = await refusal(() => server.services.modules.enable('lab', testActor));
      expect(error).to.deep.include({ code: 'NXF_JOB_HANDLER' });
      // Both forms a handler may take were looked for, and the message says which they are.
      expect(error?.message).to.equal(
        'lab/noop: the handler ./jobs/noop was not found (looked for dist/jobs/noop.js and jobs/noop.js); write it ' +
          "relative to the entry's folder dist/ (./jobs/noop) or to the module's folder (./dist/jobs/noop.js).",
      );
      expect(server.services.modules.registry.get('lab')).to.equal(undefined);
      expect((await server.services.modules.store.get('lab'))?.error).to.contain('noop.js');
      expect(server.services.scheduler.registeredJob('lab', 'echo')).to.equal(undefined);
      await server.services.modules.uninstall('lab', testActor, { purge: true });
    } finally {
      await broken.remove();
    }
  });

  it("finds a handler written relative to the module's folder as well as to the entry's", async () => {
    const lab = await copyModuleFixture({
      fixture: 'lab-module',
      manifest: (m) => ((m.jobs.noop!.handler = './dist/jobs/noop.js'), (m.jobs.echo!.handler = './dist/jobs/echo')),
    });
    try {
      await server.services.modules.installFromDirectory(lab.dir, 'installed', testActor);
      await server.services.modules.enable('lab', testActor);
      for (const job of ['noop', 'echo', 'chatty']) {
        const handler = server.services.scheduler.registeredJob('lab', job)?.handlerPath;
        expect(handler, job).to.equal(path.join(lab.dir, 'dist', 'jobs', `${job}.js`));
      }
      await server.services.modules.disable('lab', testActor);
      await server.services.modules.uninstall('lab', testActor, { purge: true });
    } finally {
      await lab.remove();
    }
  });

  it('refuses a handler outside the module and a bad cron expression', async () => {
    const outside = await copyMinimalModule('escape', {
      manifest: (m) =>
        (m.jobs = { out: { name: 'Out', description: 'x', handler: './../../../etc/passwd', schedule: null } }),
    });
    const badCron = await copyMinimalModule('bad-cron', {
      manifest: (m) =>
        (m.jobs = { tick: { name: 'Tick', description: 'x', handler: './index', schedule: 'every minute' } }),
    });
    try {
      await server.services.modules.installFromDirectory(outside.dir, 'installed', testActor);
      expect(await refusal(() => server.services.modules.enable('escape', testActor))).to.deep.include({
        code: 'NXF_JOB_HANDLER',
      });
      const cron = await refusal(() =>
        server.services.modules.installFromDirectory(badCron.dir, 'installed', testActor),
      );
      expect(cron?.code).to.equal('NXF_MANIFEST_INVALID');
      expect(cron?.message).to.contain('jobs.tick.schedule');
    } finally {
      await outside.remove();
      await badCron.remove();
    }
  });

  it('refuses jobs of a module named like the core', async () => {
    const core = await copyMinimalModule('core', {
      manifest: (m) => (m.jobs = { tick: { name: 'Tick', description: 'x', handler: './index', schedule: null } }),
    });
    try {
      await server.services.modules.installFromDirectory(core.dir, 'installed', testActor);
      expect(await refusal(() => server.services.modules.enable('core', testActor))).to.deep.include({
        code: 'NXF_JOB_RESERVED',
      });
      expect(server.services.scheduler.registeredJob('core', 'retention-cleanup')).to.not.equal(undefined);
    } finally {
      await core.remove();
    }
  });

  it("closes a job's own database connection when it ends", async () => {
    const lab = await copyModuleFixture({ fixture: 'lab-module' });
    try {
      await installAndEnable(server, lab.dir);
      const runs = await Promise.all([runJob(server, 'lab', 'echo'), runJob(server, 'lab', 'writes')]);
      expect(runs.map((run) => run.status)).to.deep.equal(['succeeded', 'succeeded']);
      await eventually(async () => {
        const row = await server.services.db.one<{ open: number }>(
          `SELECT count(*)::int AS open FROM pg_stat_activity WHERE application_name LIKE 'nxforge job %'`,
        );
        return row?.open === 0;
      });
    } finally {
      await server.services.modules.disable('lab', testActor);
      await server.services.modules.uninstall('lab', testActor, { purge: true });
      await lab.remove();
    }
  });

  it("deletes a module's executions and job states when it is uninstalled with purge", async () => {
    const lab = await copyModuleFixture({ fixture: 'lab-module' });
    try {
      await installAndEnable(server, lab.dir);
      await runJob(server, 'lab', 'noop');
      await server.services.scheduler.pauseJob('lab', 'noop', 'test');
      await server.services.modules.disable('lab', testActor);
      // Disabled, the module's history stays and its jobs are gone from the scheduler.
      expect(await server.services.executions.getExecutions({ module: 'lab' })).to.have.length(1);
      expect(server.services.scheduler.registeredJob('lab', 'noop')).to.equal(undefined);
      await server.services.modules.uninstall('lab', testActor, { purge: true });
      expect(await server.services.executions.getExecutions({ module: 'lab' })).to.deep.equal([]);
      expect(await server.services.scheduler.states.get('lab', 'noop')).to.include({ paused: false });
    } finally {
      await lab.remove();
    }
  });
});

describe('jobs: executions a stopped process left behind', function () {
  this.timeout(30_000);

  it('are ended at the next start: running ones failed, queued ones cancelled', async () => {
    const first = await startTestServer();
    const { db } = first.services;
    await db.execute(
      `INSERT INTO executions (module_name, job_name, trigger, status, triggered_by, runner, started_at)
       VALUES ('lab', 'noop', 'manual', 'running', 'test', 'gone-host:1:dead', now()),
              ('lab', 'noop', 'manual', 'queued', 'test', 'gone-host:1:dead', NULL)`,
    );
    await first.close({ keep: true });
    const second = await startTestServer({ database: first.database, dataDir: first.dataDir });
    try {
      const left = await second.services.executions.getExecutions({ module: 'lab' });
      const byStatus = Object.fromEntries(left.map((e) => [e.status, e.errorCode]));
      expect(byStatus).to.deep.equal({ failed: 'NXF_JOB_INTERRUPTED', cancelled: 'NXF_JOB_CANCELLED' });
      const [event] = await eventually(async () => {
        const found = await second.services.eventStore.list({ name: 'job.failed', source: 'lab', severity: 'error' });
        return found.length > 0 ? found : undefined;
      });
      expect(event?.payload).to.include({ code: 'NXF_JOB_INTERRUPTED' });
    } finally {
      await second.close();
    }
  });
});
