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
    await eventually(() => b.services.modules.registry.get('lab'));
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
    const runs = await eventually(async () => {
      const all = (await executionsOf(a, 'lab', 'writes')).filter((e) => e.trigger === 'schedule');
      return all.length >= 4 && all.every((e) => e.status === 'succeeded') ? all : undefined;
    });
    await a.services.scheduler.pauseJob('lab', 'writes', 'test');
    await eventually(async () => (await a.services.executions.store.unfinished('lab', 'writes')).length === 0);

    const all = (await executionsOf(a, 'lab', 'writes')).filter((e) => e.trigger === 'schedule');
    const occurrences = all.map((e) => e.scheduledFor!.getTime());
    expect(new Set(occurrences).size, 'one execution per occurrence').to.equal(all.length);
    expect(all.every((e) => e.status === 'succeeded')).to.equal(true);
    // Each handler ran once per execution: lab_runs has one row per execution, no more.
    const ran = (await handlerRuns('schedule')).map((row) => row.execution_id).sort();
    expect(ran).to.deep.equal(all.map((e) => e.id).sort());
    // Both processes' timers fired for the occurrences; between them they claimed each exactly once.
    const [ticksA, ticksB] = [a.services.scheduler.ticks, b.services.scheduler.ticks];
    expect(ticksA.fired).to.be.at.least(runs.length);
    // B mounts the module a moment after A (it learns of it through NOTIFY), so it may miss the first tick.
    expect(ticksB.fired).to.be.at.least(runs.length - 1);
    expect(ticksA.claimed + ticksB.claimed).to.equal(all.length);
    const runners = [a.services.scheduler.runner, b.services.scheduler.runner];
    expect(all.every((e) => runners.includes(e.runner))).to.equal(true);
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
