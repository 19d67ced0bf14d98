import { expect } from 'chai';
import { finished, runJob, withLabServer } from '../helpers/jobs.js';

describe('jobs: manual runs in worker threads', function () {
  const suite = withLabServer();

  it('runs a job and records its result', async () => {
    const execution = await runJob(suite.server, 'lab', 'noop');
    expect(execution).to.include({ status: 'succeeded', trigger: 'manual', attempt: 1, triggeredBy: 'test' });
    expect(execution.startedAt).to.be.instanceOf(Date);
    expect(execution.finishedAt).to.be.instanceOf(Date);
    expect(execution.durationMs).to.be.a('number');
  });

  it('hands the handler its context', async () => {
    const execution = await runJob(suite.server, 'lab', 'echo', { rack: 'R7' });
    const data = (execution.result as { data: Record<string, unknown> }).data;
    expect(data).to.deep.include({
      executionId: execution.id,
      module: 'lab',
      job: 'echo',
      trigger: 'manual',
      attempt: 1,
      data: { rack: 'R7' },
      config: { greeting: 'hello', limit: 3, loud: false },
      settings: { site: 'rack-7' },
      two: 2,
      secretRoundTrip: 's3cret',
      aborted: false,
    });
  });

  it('keeps the log lines in order', async () => {
    const queued = await suite.server.services.scheduler.executeJob('lab', 'chatty', {
      data: { lines: 300 },
      actor: 'test',
    });
    const execution = await finished(suite.server, queued.id);
    expect(execution.logLines).to.equal(300);
    const lines = await suite.server.services.executions.logLines(execution.id, 0, 1000);
    expect(lines.map((line) => line.message)).to.deep.equal(Array.from({ length: 300 }, (_, i) => `line ${i + 1}`));
    expect(lines[9]).to.include({ level: 'warn' });
    expect(lines[0]?.fields).to.deep.equal({ i: 1 });
  });
});
