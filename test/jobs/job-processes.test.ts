import { expect } from 'chai';
import { eventually, executionsOf, finished } from '../helpers/jobs.js';
import { copyModuleFixture, installAndEnable } from '../helpers/modules.js';
import { createTestDatabase, type TestDatabase } from '../helpers/postgres.js';
import { startTestServer, type TestServer } from '../helpers/server.js';

describe('jobs: two NxForge processes on one database', function () {
  this.timeout(60_000);
  let database: TestDatabase;
  let a: TestServer;
  let b: TestServer;
  let lab: Awaited<ReturnType<typeof copyModuleFixture>>;

  before(async () => {
    database = await createTestDatabase();
    a = await startTestServer({ database });
    b = await startTestServer({ database });
    lab = await copyModuleFixture({
      fixture: 'lab-module',
      manifest: (manifest) => {
        manifest.jobs.writes!.schedule = '* * * * * *';
      },
    });
    await installAndEnable(a, lab.dir);
    // B learns of the module through NOTIFY; it is mounted before its jobs are registered, so wait for the job.
    await eventually(() => b.services.scheduler.registeredJob('lab', 'writes'));
  });
  after(async () => {
    await a?.close({ keep: true });
    await b?.close({ keep: true });
    await database?.drop();
    await lab?.remove();
  });

  const handlerRuns = async (trigger: string) =>
    a.services.db.select<{ execution_id: string }>('SELECT execution_id FROM lab_runs WHERE trigger = $1', [trigger]);

  it('runs each cron occurrence in exactly one of them', async () => {
    expect(await b.services.scheduler.getJobStatus('lab', 'writes')).to.include({ schedule: '* * * * * *' });
    const [ticksA, ticksB] = [a.services.scheduler.ticks, b.services.scheduler.ticks];
    // Wait until both timers have fired and at least one firing lost its claim to the other process (or to a
    // run still going): evidence that both competed for the same occurrences. No count of timer firings is
    // assumed, so a loaded machine that delays or drops a timer cannot fail this.
    await eventually(async () => {
      const done = (await executionsOf(a, 'lab', 'writes')).filter((e) => e.trigger === 'schedule');
      return (
        done.length >= 4 &&
        done.every((e) => e.status === 'succeeded') &&
        ticksA.fired > 0 &&
        ticksB.fired > 0 &&
        ticksA.fired + ticksB.fired > ticksA.claimed + ticksB.claimed
      );
    });
    await a.services.scheduler.pauseJob('lab', 'writes', 'test');
    await eventually(async () => (await a.services.executions.store.unfinished('lab', 'writes')).length === 0);

    const all = (await executionsOf(a, 'lab', 'writes')).filter((e) => e.trigger === 'schedule');
    const occurrences = all.map((e) => e.scheduledFor!.getTime());
    expect(new Set(occurrences).size, 'one execution per occurrence').to.equal(all.length);
    // Occurrences are the schedule's own seconds, the same key in both processes, not either timer's moment.
    expect(occurrences.every((at) => at % 1000 === 0)).to.equal(true);
    expect(all.every((e) => e.status === 'succeeded')).to.equal(true);
    // Each handler ran once per execution: lab_runs has one row per execution, no more.
    const ran = (await handlerRuns('schedule')).map((row) => row.execution_id).sort();
    expect(ran).to.deep.equal(all.map((e) => e.id).sort());
    // Between them the two processes claimed each occurrence exactly once.
    expect(ticksA.claimed + ticksB.claimed).to.equal(all.length);
    const runners = [a.services.scheduler.runner, b.services.scheduler.runner];
    expect(all.every((e) => runners.includes(e.runner))).to.equal(true);
  });

  it('lets exactly one of two processes claim an occurrence both try at once', async () => {
    // The claim itself, without timers: both processes' stores race for the same scheduled time.
    const occurrence = new Date(Date.UTC(2030, 0, 1, 12, 0, 0));
    const claims = await Promise.all([
      a.services.executions.store.claimScheduled('lab', 'noop', occurrence, a.services.scheduler.runner),
      b.services.executions.store.claimScheduled('lab', 'noop', occurrence, b.services.scheduler.runner),
    ]);
    expect(claims.filter(Boolean), 'claims that won').to.have.length(1);
    const rows = await a.services.db.select('SELECT id FROM executions WHERE job_name = $1 AND scheduled_for = $2', [
      'noop',
      occurrence,
    ]);
    expect(rows).to.have.length(1);
    // Claimed but never handed to a lane: end it, so no queued run of the job is left behind.
    await a.services.executions.store.finish(claims.find(Boolean)!.id, {
      status: 'cancelled',
      error: 'claimed by the test',
      errorCode: 'NXF_JOB_CANCELLED',
      logLines: 0,
    });
  });

  it('runs a manual run once, in the process that accepted it', async () => {
    const accepted = await Promise.all(
      Array.from({ length: 10 }, (_, i) =>
        (i % 2 === 0 ? a : b).services.scheduler.executeJob('lab', 'writes', { actor: `caller-${i}` }),
      ),
    );
    const ended = await Promise.all(accepted.map((execution) => finished(a, execution.id)));
    expect(ended.map((e) => e.status)).to.deep.equal(Array(10).fill('succeeded'));
    ended.forEach((execution, i) => expect(execution.runner).to.equal((i % 2 === 0 ? a : b).services.scheduler.runner));
    const ran = (await handlerRuns('manual')).map((row) => row.execution_id).sort();
    expect(ran).to.deep.equal(accepted.map((e) => e.id).sort());
  });
});
