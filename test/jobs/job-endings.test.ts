import { expect } from 'chai';
import pg from 'pg';
import type { Execution } from '../../src/jobs/execution-store.js';
import type { NxfEvent } from '../../src/events/event-bus.js';
import { eventually, executionsOf, finished, runJob, withLabServer } from '../helpers/jobs.js';
import { testActor } from '../helpers/modules.js';

/**
 * How runs end besides finishing: the handler's abort signal, disabling a module, and the executions of a process
 * that died, found by the periodic sweep. Retries wait a minute here, so a waiting retry can be seen; the sweep
 * runs every 100 ms; an aborted handler has 10 s before its worker is terminated, so that even a worker slow to
 * start on a loaded machine gets to say it saw the signal (one that stops at once ends its worker itself).
 */
describe('jobs: signals, cancellation and the sweep for dead processes', function () {
  this.timeout(60_000);
  const suite = withLabServer({
    server: { jobs: { retryBaseMs: 60_000, unmountGraceMs: 200, abortGraceMs: 10_000, sweepIntervalMs: 100 } },
  });

  const status = async (id: string) => (await suite.server.services.executions.getExecution(id))?.status;
  /** The `lab.woken` event the sleeping handler emits when its signal fires. */
  const wokenEvent = (executionId: string) =>
    eventually(async () => {
      const [event] = await suite.server.services.eventStore.list({ name: 'lab.woken', executionId });
      return event as (NxfEvent & { payload: { reason: string; aborted: boolean } }) | undefined;
    });

  it("aborts the handler's signal when the run overruns its timeout, saying why", async () => {
    const execution = await runJob(suite.server, 'lab', 'naps');
    expect(execution).to.include({ status: 'timed_out', errorCode: 'NXF_JOB_TIMEOUT' });
    const event = await wokenEvent(execution.id);
    expect(event.payload).to.include({ aborted: true, reason: 'The job overran its timeout of 0.3 s.' });
  });

  it('disabling the module cancels its queued runs and waiting retries; the running one gets its signal', async () => {
    const { scheduler } = suite.server.services;
    // A retry waiting for its backoff (a minute here).
    const failed = await runJob(suite.server, 'lab', 'flaky');
    const retry = await eventually(async () =>
      (await executionsOf(suite.server, 'lab', 'flaky')).find((e) => e.retryOf === failed.id),
    );
    expect(retry).to.include({ status: 'queued', trigger: 'retry', attempt: 2 });
    // A running execution, and a manual run queued behind it.
    const running = await scheduler.executeJob('lab', 'sleeps', { actor: 'test' });
    // The handler's own word that it is waiting for its signal.
    await eventually(async () =>
      (await suite.server.services.executions.logLines(running.id)).some((line) => line.message === 'sleeping'),
    );
    const queued = await scheduler.executeJob('lab', 'sleeps', { actor: 'test' });
    expect(await status(queued.id)).to.equal('queued');

    await suite.server.services.modules.disable('lab', testActor);
    try {
      const ended = await Promise.all([retry.id, queued.id, running.id].map((id) => finished(suite.server, id)));
      for (const execution of ended) {
        expect(execution, execution.id).to.include({ status: 'cancelled', errorCode: 'NXF_JOB_CANCELLED' });
      }
      const [waitingRetry, queuedRun] = ended as [Execution, Execution, Execution];
      // The two that never started never ran.
      expect([waitingRetry.startedAt, queuedRun.startedAt]).to.deep.equal([null, null]);
      const event = await wokenEvent(running.id);
      expect(event.payload).to.include({ aborted: true });
      expect(event.payload.reason).to.contain('disabled');
    } finally {
      await suite.server.services.modules.enable('lab', testActor);
    }
  });

  it('ends the unfinished executions of a process that died, while running, and leaves a live one alone', async () => {
    const { db } = suite.server.services;
    // A live process: one that holds its runner lock (here, this test's own connection holds it).
    const live = 'live-host:1:alive';
    const lockHolder = new pg.Client({ connectionString: suite.server.database.url });
    await lockHolder.connect();
    try {
      await lockHolder.query('SELECT pg_advisory_lock(hashtext($1))', [`nxforge:runner:${live}`]);
      const insert = (runner: string, state: 'running' | 'queued') =>
        db.one<{ id: string }>(
          `INSERT INTO executions (module_name, job_name, trigger, status, triggered_by, runner, started_at)
           VALUES ('lab', 'noop', 'manual', $1, 'test', $2, CASE WHEN $1 = 'running' THEN now() END) RETURNING id`,
          [state, runner],
        );
      const alive = (await insert(live, 'running'))!.id;
      const deadRunning = (await insert('gone-host:1:dead', 'running'))!.id;
      const deadQueued = (await insert('gone-host:1:dead', 'queued'))!.id;
      // Found by the sweep of this running process: no restart.
      expect(await finished(suite.server, deadRunning)).to.include({
        status: 'failed',
        errorCode: 'NXF_JOB_INTERRUPTED',
      });
      expect(await finished(suite.server, deadQueued)).to.include({
        status: 'cancelled',
        errorCode: 'NXF_JOB_CANCELLED',
      });
      // One more left behind later is found by a later sweep, which has looked at the live one again too.
      const later = (await insert('gone-host:2:dead', 'running'))!.id;
      await finished(suite.server, later);
      expect(await status(alive)).to.equal('running');
      const [event] = await suite.server.services.eventStore.list({ name: 'job.failed', executionId: deadRunning });
      expect(event?.payload).to.include({ code: 'NXF_JOB_INTERRUPTED' });
      // Once its lock is free (the process is gone), it is ended too.
      await lockHolder.query('SELECT pg_advisory_unlock(hashtext($1))', [`nxforge:runner:${live}`]);
      expect(await finished(suite.server, alive)).to.include({ errorCode: 'NXF_JOB_INTERRUPTED' });
    } finally {
      await lockHolder.end();
    }
  });
});
