import { expect } from 'chai';
import type { ModuleManifest } from '../../src/modules/manifest/manifest-types.js';
import { eventually, executionsOf, withLabServer } from '../helpers/jobs.js';
import { copyModuleFixture, installAndEnable } from '../helpers/modules.js';
import { startTestServer } from '../helpers/server.js';

/** The lab module's `writes` job on a one-second cron schedule. */
const everySecond = (manifest: ModuleManifest) => {
  manifest.jobs.writes!.schedule = '* * * * * *';
};
const scheduledLab = () => copyModuleFixture({ fixture: 'lab-module', manifest: everySecond });

describe('jobs: cron schedules', function () {
  this.timeout(60_000);
  const suite = withLabServer({ manifest: everySecond });

  it("registers a module's cron job from its manifest and runs it on schedule", async () => {
    const status = await suite.server.services.scheduler.getJobStatus('lab', 'writes');
    expect(status).to.include({ schedule: '* * * * * *', paused: false });
    expect(status.nextRunAt!.getTime()).to.be.greaterThan(Date.now() - 1000);
    const runs = await eventually(async () => {
      const all = (await executionsOf(suite.server, 'lab', 'writes')).filter((e) => e.status === 'succeeded');
      return all.length >= 2 ? all : undefined;
    });
    for (const run of runs) {
      expect(run).to.include({
        trigger: 'schedule',
        triggeredBy: 'schedule',
        runner: suite.server.services.scheduler.runner,
      });
      expect(run.scheduledFor!.getMilliseconds()).to.equal(0);
    }
    expect(new Set(runs.map((run) => run.scheduledFor!.getTime())).size).to.equal(runs.length);
  });

  it("lists the core retention job beside the modules' jobs", async () => {
    const jobs = await suite.server.services.scheduler.listJobs();
    const keys = jobs.map((job) => job.key);
    expect(keys).to.include.members(['core/retention-cleanup', 'lab/writes', 'lab/noop']);
    expect(jobs.find((job) => job.key === 'core/retention-cleanup')).to.include({
      builtin: true,
      schedule: '17 * * * *',
    });
  });
});

describe('jobs: paused state and saved config survive a restart', function () {
  this.timeout(60_000);

  it('stays paused across a restart, runs again once resumed, and keeps its config', async () => {
    const lab = await scheduledLab();
    const first = await startTestServer();
    try {
      await installAndEnable(first, lab.dir);
      await first.services.scheduler.pauseJob('lab', 'writes', 'tester');
      const pausedAt = new Date();
      await first.services.scheduler.saveJobConfig('lab', 'echo', { greeting: 'hej', limit: null }, 'tester');
      await first.close({ keep: true });

      const second = await startTestServer({ database: first.database, dataDir: first.dataDir });
      try {
        const paused = await second.services.scheduler.getJobStatus('lab', 'writes');
        expect(paused).to.include({ paused: true, updatedBy: 'tester' });
        expect(paused.nextRunAt).to.equal(undefined);
        const echo = await second.services.scheduler.getJobStatus('lab', 'echo');
        expect(echo.config).to.deep.equal({ greeting: 'hej', limit: 3, loud: false });

        const resumedAt = new Date();
        await second.services.scheduler.resumeJob('lab', 'writes', 'tester');
        const next = await eventually(async () => {
          const runs = await executionsOf(second, 'lab', 'writes');
          return runs.find((run) => run.scheduledFor! >= new Date(resumedAt.getTime() - 1000));
        });
        expect(next.trigger).to.equal('schedule');
        // While paused, every tick was refused: no scheduled run between the pause and the resume.
        const early = (await executionsOf(second, 'lab', 'writes')).filter(
          (run) => run.scheduledFor! > pausedAt && run.scheduledFor! < new Date(resumedAt.getTime() - 1000),
        );
        expect(early).to.deep.equal([]);
      } finally {
        await second.close();
      }
    } finally {
      await first.database.drop().catch(() => undefined);
      await lab.remove();
    }
  });
});
