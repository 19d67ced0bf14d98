import { expect } from 'chai';
import { isNxfError } from '../../src/errors.js';
import { eventually, executionsOf, runJob, withLabServer } from '../helpers/jobs.js';
import { testActor } from '../helpers/modules.js';

describe('jobs: failures are recorded and the server keeps serving', function () {
  this.timeout(60_000);
  const suite = withLabServer();

  const healthy = async () => (await fetch(`${suite.server.url}/healthz`)).status;

  const crashes: Array<[string, string, string | RegExp]> = [
    ['throws', 'NXF_JOB_FAILED', 'boom from the handler'],
    ['rejects', 'NXF_JOB_CRASHED', 'nobody awaits this promise'],
    ['uncaught', 'NXF_JOB_CRASHED', 'thrown from a timer'],
    ['exits', 'NXF_JOB_EXITED', 'exit code 3'],
    ['memory', 'NXF_JOB_OUT_OF_MEMORY', /memory/i],
    ['bad-result', 'NXF_JOB_RESULT_INVALID', 'JobResult'],
  ];
  for (const [job, code, message] of crashes) {
    it(`${job}: recorded as failed with ${code}`, async () => {
      const execution = await runJob(suite.server, 'lab', job);
      expect(execution).to.include({ status: 'failed', errorCode: code });
      if (typeof message === 'string') expect(execution.error).to.contain(message);
      else expect(execution.error).to.match(message);
      expect(await healthy()).to.equal(200);
    });
  }

  it('keeps the stack of a thrown error and the lines logged before it', async () => {
    const [execution] = (await executionsOf(suite.server, 'lab', 'throws')).slice(-1);
    expect(execution?.errorStack).to.contain('throws.js');
    const lines = await suite.server.services.executions.logLines(execution!.id);
    expect(lines.map((line) => line.message)).to.deep.equal(['about to fail']);
  });

  it('terminates a job that overruns its timeout', async () => {
    const execution = await runJob(suite.server, 'lab', 'hangs');
    expect(execution).to.include({ status: 'timed_out', errorCode: 'NXF_JOB_TIMEOUT' });
    expect(execution.error).to.contain('0.4 s');
    expect(await healthy()).to.equal(200);
    // The job's lane is free again: the next run starts and ends.
    expect((await runJob(suite.server, 'lab', 'noop')).status).to.equal('succeeded');
  });

  it('retries a failed attempt with backoff until it succeeds', async () => {
    const first = await runJob(suite.server, 'lab', 'flaky');
    expect(first).to.include({ status: 'failed', attempt: 1, errorCode: 'NXF_JOB_UNSUCCESSFUL' });
    const retry = await eventually(async () => {
      const all = await executionsOf(suite.server, 'lab', 'flaky');
      const last = all.at(-1);
      return last && last.attempt === 2 && last.status === 'succeeded' ? last : undefined;
    });
    expect(retry).to.include({ trigger: 'retry', retryOf: first.id });
    const failedEvents = await eventually(async () => {
      const found = await suite.server.services.eventStore.list({ name: 'job.failed', executionId: first.id });
      return found.length > 0 ? found : undefined;
    });
    expect(failedEvents[0]).to.include({ severity: 'warning', source: 'lab' });
    expect(failedEvents[0]?.payload).to.include({ willRetry: true, status: 'failed' });
  });

  it('refuses an unknown job and a job of a disabled module with clear errors', async () => {
    const refusal = async (module: string, job: string) => {
      try {
        await suite.server.services.scheduler.executeJob(module, job, { actor: 'test' });
      } catch (error) {
        if (isNxfError(error)) return { code: error.code, status: error.status, message: error.message };
      }
      return undefined;
    };
    expect(await refusal('lab', 'nothing')).to.include({ code: 'NXF_JOB_NOT_FOUND', status: 404 });
    expect(await refusal('nowhere', 'noop')).to.include({ code: 'NXF_JOB_NOT_FOUND', status: 404 });
    await suite.server.services.modules.disable('lab', testActor);
    try {
      expect(await refusal('lab', 'noop')).to.include({ code: 'NXF_JOB_MODULE_DISABLED', status: 409 });
    } finally {
      await suite.server.services.modules.enable('lab', testActor);
    }
  });

  it('cancels a running execution when its module is disabled, and records it', async () => {
    const queued = await suite.server.services.scheduler.executeJob('lab', 'sleeps', { actor: 'test' });
    await eventually(
      async () => (await suite.server.services.executions.getExecution(queued.id))?.status === 'running',
    );
    await suite.server.services.modules.disable('lab', testActor);
    try {
      const execution = await suite.server.services.executions.getExecution(queued.id);
      expect(execution).to.include({ status: 'cancelled', errorCode: 'NXF_JOB_CANCELLED' });
      expect(execution?.error).to.contain('unloaded');
    } finally {
      await suite.server.services.modules.enable('lab', testActor);
    }
  });
});
