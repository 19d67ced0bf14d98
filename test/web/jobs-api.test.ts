import { expect } from 'chai';
import { eventually, finished, runJob, withLabServer } from '../helpers/jobs.js';
import { testActor } from '../helpers/modules.js';
import { apiRequest } from '../helpers/web-client.js';

describe('jobs, executions and events JSON API', function () {
  this.timeout(30_000);
  const suite = withLabServer();
  const tokens: Record<string, string> = {};

  before(async () => {
    for (const role of ['admin', 'operator', 'viewer'] as const) {
      const user = await suite.server.services.users.create({
        username: `api-${role}`,
        password: `${role}-password-12`,
        role,
      });
      tokens[role] = (await suite.server.services.apiTokens.create(user.id, 'script')).token;
    }
  });

  const api = (role: string, method: string, path: string, body?: unknown) =>
    apiRequest(suite.server.url, tokens[role]!, method, path, body) as Promise<{ status: number; body: any }>;

  it('lists the registered jobs with their schedule, state and last execution', async () => {
    const { status, body } = await api('viewer', 'GET', '/api/v1/jobs');
    expect(status).to.equal(200);
    const echo = body.jobs.find((job: { job: string }) => job.job === 'echo');
    expect(echo).to.deep.include({ module: 'lab', name: 'Echo', schedule: null, paused: false, lastExecution: null });
    expect(echo.config).to.deep.equal({ greeting: 'hello', limit: 3, loud: false });
    expect(body.jobs.map((job: { module: string; job: string }) => `${job.module}/${job.job}`)).to.include(
      'core/retention-cleanup',
    );
  });

  it('runs a job with JSON data and answers with the execution id', async () => {
    const { status, body } = await api('operator', 'POST', '/api/v1/jobs/lab/echo/run', { rack: 'R9' });
    expect(status).to.equal(202);
    expect(body.executionId).to.match(/^[0-9a-f-]{36}$/);
    const execution = await finished(suite.server, body.executionId);
    expect(execution).to.include({ status: 'succeeded', triggeredBy: 'api-operator' });
    expect((execution.result as { data: { data: unknown } }).data.data).to.deep.equal({ rack: 'R9' });
  });

  it('returns an execution with its log lines', async () => {
    const run = await api('operator', 'POST', '/api/v1/jobs/lab/chatty/run', { lines: 5 });
    await finished(suite.server, run.body.executionId);
    const { status, body } = await api('viewer', 'GET', `/api/v1/executions/${run.body.executionId}`);
    expect(status).to.equal(200);
    expect(body.execution).to.include({
      module: 'lab',
      job: 'chatty',
      status: 'succeeded',
      trigger: 'manual',
      logLines: 5,
    });
    expect(body.logs.map((line: { seq: number; message: string }) => [line.seq, line.message])).to.deep.equal([
      [1, 'line 1'],
      [2, 'line 2'],
      [3, 'line 3'],
      [4, 'line 4'],
      [5, 'line 5'],
    ]);
    const after = await api('viewer', 'GET', `/api/v1/executions/${run.body.executionId}?after=3`);
    expect(after.body.logs.map((line: { seq: number }) => line.seq)).to.deep.equal([4, 5]);
  });

  it('filters executions by module, job and status', async () => {
    const failed = await api('operator', 'POST', '/api/v1/jobs/lab/throws/run');
    await finished(suite.server, failed.body.executionId);
    const { body } = await api('viewer', 'GET', '/api/v1/executions?module=lab&job=throws&status=failed');
    expect(body.executions).to.have.length(1);
    expect(body.executions[0].error).to.include({ code: 'NXF_JOB_FAILED', message: 'boom from the handler' });
    const none = await api('viewer', 'GET', '/api/v1/executions?module=lab&status=timed_out');
    expect(none.body.executions).to.deep.equal([]);
    const bad = await api('viewer', 'GET', '/api/v1/executions?status=exploded&since=yesterday');
    expect(bad.status).to.equal(400);
    expect(bad.body.error.code).to.equal('NXF_VALIDATION');
    expect(bad.body.error.message).to.contain('status').and.to.contain('since');
  });

  it('takes any JSON as run data, none too, and refuses a body that is not JSON with NXF_JOB_DATA_INVALID', async () => {
    const post = (body: string) =>
      fetch(`${suite.server.url}/api/v1/jobs/lab/echo/run`, {
        method: 'POST',
        headers: { authorization: `Bearer ${tokens.operator}`, 'content-type': 'application/json' },
        body,
      });
    const dataOf = async (response: Response) => {
      expect(response.status).to.equal(202);
      const { executionId } = (await response.json()) as { executionId: string };
      const execution = await finished(suite.server, executionId);
      return (execution.result as { data: { data: unknown } }).data.data;
    };
    expect(await dataOf(await post('"pdu-3"'))).to.equal('pdu-3');
    expect(await dataOf(await post('[1, 2]'))).to.deep.equal([1, 2]);
    expect(await dataOf(await post(''))).to.equal(undefined);
    for (const notJson of ['{rack: 7}', '{"rack": ', "'pdu-3'"]) {
      const refused = await post(notJson);
      expect(refused.status, notJson).to.equal(400);
      expect(await refused.json(), notJson).to.deep.equal({
        error: { code: 'NXF_JOB_DATA_INVALID', message: 'The run data must be JSON.' },
      });
    }
    // Other API routes keep answering malformed JSON as a bad request.
    const other = await fetch(`${suite.server.url}/api/v1/jobs/lab/echo/pause`, {
      method: 'POST',
      headers: { authorization: `Bearer ${tokens.operator}`, 'content-type': 'application/json' },
      body: '{"broken": ',
    });
    expect(((await other.json()) as { error: { code: string } }).error.code).to.equal('NXF_BAD_REQUEST');
  });

  it('pages executions with limit (1 to 500) and offset, newest first; out of bounds is a 400', async () => {
    for (let i = 0; i < 3; i += 1) await runJob(suite.server, 'lab', 'noop');
    const page = async (query: string) =>
      (await api('viewer', 'GET', `/api/v1/executions?module=lab&job=noop&${query}`)).body as {
        executions: Array<{ id: string; queuedAt: string }>;
        limit: number;
        offset: number;
      };
    const all = await page('limit=500');
    expect(all.executions.length).to.be.at.least(3);
    const first = await page('limit=2');
    expect(first).to.include({ limit: 2, offset: 0 });
    expect(first.executions.map((e) => e.id)).to.deep.equal(all.executions.slice(0, 2).map((e) => e.id));
    const second = await page('limit=2&offset=2');
    expect(second.executions.map((e) => e.id)).to.deep.equal(all.executions.slice(2, 4).map((e) => e.id));
    expect((await page('')).limit, 'the default').to.equal(50);
    expect(await page('limit=500')).to.include({ limit: 500 });
    // Out of bounds is an error naming the field, not a silently different page.
    for (const query of ['limit=501', 'limit=0', 'offset=-5', 'limit=1.5']) {
      const refused = await api('viewer', 'GET', `/api/v1/executions?${query}`);
      expect(refused.status, query).to.equal(400);
      expect(refused.body.error.code, query).to.equal('NXF_VALIDATION');
      expect(refused.body.error.message, query).to.contain(query.split('=')[0]);
    }
  });

  it('pauses and resumes a job', async () => {
    const paused = await api('operator', 'POST', '/api/v1/jobs/lab/noop/pause');
    expect(paused).to.deep.equal({ status: 200, body: { module: 'lab', job: 'noop', paused: true } });
    expect((await api('viewer', 'GET', '/api/v1/jobs/lab/noop')).body.job.paused).to.equal(true);
    await api('operator', 'POST', '/api/v1/jobs/lab/noop/resume');
    expect((await api('viewer', 'GET', '/api/v1/jobs/lab/noop')).body.job.paused).to.equal(false);
  });

  it('lists events by name, source and time', async () => {
    const run = await api('operator', 'POST', '/api/v1/jobs/lab/noop/run');
    await finished(suite.server, run.body.executionId);
    const since = new Date(Date.now() - 60_000).toISOString();
    const body = await eventually(async () => {
      const answer = await api('viewer', 'GET', `/api/v1/events?name=job.*&source=lab&since=${since}`);
      return answer.body.events.some(
        (e: { payload: { executionId: string } }) => e.payload.executionId === run.body.executionId,
      )
        ? answer.body
        : undefined;
    });
    expect(
      body.events.every((e: { source: string; name: string }) => e.source === 'lab' && e.name.startsWith('job.')),
    ).to.equal(true);
    expect(body.events[0]).to.have.keys(['id', 'name', 'source', 'severity', 'subject', 'payload', 'at']);
  });

  it('answers with coded errors: unknown job, disabled module, bad data, missing execution, permissions', async () => {
    const unknown = await api('operator', 'POST', '/api/v1/jobs/lab/nothing/run');
    expect(unknown.status).to.equal(404);
    expect(unknown.body.error.code).to.equal('NXF_JOB_NOT_FOUND');
    const tooBig = await api('operator', 'POST', '/api/v1/jobs/lab/echo/run', { blob: 'x'.repeat(70_000) });
    expect(tooBig.status).to.equal(400);
    expect(tooBig.body.error.code).to.equal('NXF_JOB_DATA_INVALID');
    const missing = await api('viewer', 'GET', '/api/v1/executions/00000000-0000-0000-0000-000000000000');
    expect(missing.status).to.equal(404);
    expect(missing.body.error.code).to.equal('NXF_EXECUTION_NOT_FOUND');
    const forbidden = await api('viewer', 'POST', '/api/v1/jobs/lab/noop/run');
    expect(forbidden.status).to.equal(403);
    expect(forbidden.body.error.code).to.equal('NXF_FORBIDDEN');
    const anonymous = await fetch(`${suite.server.url}/api/v1/jobs`);
    expect(anonymous.status).to.equal(401);
    await suite.server.services.modules.disable('lab', testActor);
    try {
      const disabled = await api('operator', 'POST', '/api/v1/jobs/lab/noop/run');
      expect(disabled.status).to.equal(409);
      expect(disabled.body.error.code).to.equal('NXF_JOB_MODULE_DISABLED');
    } finally {
      await suite.server.services.modules.enable('lab', testActor);
    }
  });
});
