import { expect } from 'chai';
import { eventually, finished, runJob, withLabServer } from '../helpers/jobs.js';
import { testAdminPassword } from '../helpers/server.js';
import { WebClient } from '../helpers/web-client.js';

describe('Jobs, Executions and Events pages', function () {
  this.timeout(30_000);
  const suite = withLabServer();
  let admin: WebClient;
  let operator: WebClient;
  let viewer: WebClient;
  const htmx = { 'HX-Request': 'true', 'HX-Request-Type': 'partial' };

  before(async () => {
    await suite.server.services.users.create({ username: 'olga', password: 'operator-password', role: 'operator' });
    await suite.server.services.users.create({ username: 'vera', password: 'viewer-password1', role: 'viewer' });
    admin = new WebClient(suite.server.url);
    operator = new WebClient(suite.server.url);
    viewer = new WebClient(suite.server.url);
    await admin.login('admin', testAdminPassword);
    await operator.login('olga', 'operator-password');
    await viewer.login('vera', 'viewer-password1');
  });

  it('shows viewers every job, without the buttons that need jobs:run', async () => {
    const page = await viewer.get('/jobs');
    expect(page.status).to.equal(200);
    expect(page.text).to.contain('<a href="/jobs/lab/echo">Echo</a>');
    expect(page.text).to.match(
      /<code[^>]*>17 \* \* \* \*<\/code><span class="cron-words muted">At 17 minutes past the hour</,
    );
    expect(page.text).to.not.contain('Run now');
    // A job that is neither paused, running nor queued says so.
    expect(/<tr id="job-lab-echo"[\s\S]*?<\/tr>/.exec(page.text)?.[0]).to.contain('<span class="muted">idle</span>');
    expect(page.text).to.match(
      /<nav class="sidebar"[\s\S]*Operations[\s\S]*href="\/jobs"[\s\S]*href="\/executions"[\s\S]*href="\/events"/,
    );
    expect(page.text).to.not.contain('href="/settings/notification-rules"');
    expect((await viewer.post('/jobs/lab/noop/run')).status).to.equal(403);
    expect((await viewer.post('/jobs/lab/noop/pause')).status).to.equal(403);
  });

  it('answers a poll of an unchanged fragment 304, by its ETag', async () => {
    const first = await viewer.get('/jobs/rows', htmx);
    expect(first.status).to.equal(200);
    const etag = first.headers.get('etag') ?? '';
    expect(etag).to.match(/^W\/"[\w-]{32}"$/);
    expect(first.headers.get('cache-control')).to.equal('no-store');
    const again = await viewer.get('/jobs/rows', { ...htmx, 'If-None-Match': etag });
    expect(again.status).to.equal(304);
    expect(again.text).to.equal('');
    // Another user's fragment differs (its own CSRF token, its own buttons): no 304 across users.
    expect((await operator.get('/jobs/rows', { ...htmx, 'If-None-Match': etag })).status).to.equal(200);
    // Whole pages are not conditional.
    expect((await viewer.get('/jobs')).headers.get('etag')).to.equal(null);
  });

  it('runs a job for an operator and sends them to its execution', async () => {
    await operator.get('/jobs');
    const response = await operator.post('/jobs/lab/chatty/run', { data: '{"lines": 3}' });
    expect(response.status).to.equal(303);
    const location = response.headers.get('location')!;
    expect(location).to.match(/^\/executions\/[0-9a-f-]{36}$/);
    await finished(suite.server, location.split('/').pop()!);
    const page = await operator.get(location);
    expect(page.status).to.equal(200);
    expect(page.text).to.contain('Chatty');
    expect(page.text).to.contain('data-status="succeeded"');
    expect(page.text).to.match(/<tbody id="log-rows">[\s\S]*line 1[\s\S]*line 2[\s\S]*line 3/);
    expect(page.text).to.contain('Run again');
  });

  it('keeps typed data and explains bad JSON with 422', async () => {
    await operator.get('/jobs/lab/echo');
    const response = await operator.post('/jobs/lab/echo/run', { data: '{rack: 7}' });
    expect(response.status).to.equal(422);
    expect(response.text).to.contain('Not JSON');
    expect(response.text).to.contain('{rack: 7}</textarea>');
  });

  it('pauses a job in place with htmx, and resumes it without JavaScript', async () => {
    await operator.get('/jobs');
    const paused = await operator.post('/jobs/lab/noop/pause', {}, htmx);
    expect(paused.status).to.equal(200);
    expect(paused.text).to.match(/^\s*<tr id="job-lab-noop" class="is-disabled">/);
    expect(paused.text).to.contain('>Resume<');
    expect(paused.text).to.contain('lab/noop is paused');
    const resumed = await operator.post('/jobs/lab/noop/resume');
    expect(resumed.status).to.equal(303);
    expect(resumed.headers.get('location')).to.equal('/jobs');
    expect((await suite.server.services.scheduler.getJobStatus('lab', 'noop')).paused).to.equal(false);
  });

  it("edits a job's config for admins, with errors inline", async () => {
    await admin.get('/jobs/lab/echo');
    const bad = await admin.post('/jobs/lab/echo/config', { greeting: 'hej', limit: '99' }, htmx);
    expect(bad.status).to.equal(422);
    expect(bad.text).to.contain('At most 10.');
    expect(bad.text).to.contain('value="hej"');
    const saved = await admin.post('/jobs/lab/echo/config', { greeting: 'hej', limit: '7', loud: 'true' });
    expect(saved.status).to.equal(303);
    expect((await suite.server.services.scheduler.getJobStatus('lab', 'echo')).config).to.deep.equal({
      greeting: 'hej',
      limit: 7,
      loud: true,
    });
    const run = await runJob(suite.server, 'lab', 'echo');
    expect((run.result as { data: { config: unknown } }).data.config).to.deep.equal({
      greeting: 'hej',
      limit: 7,
      loud: true,
    });
    expect((await operator.post('/jobs/lab/echo/config', { greeting: 'x' })).status).to.equal(403);
    expect((await operator.get('/jobs/lab/echo')).text).to.not.contain('Save config');
  });

  it('lists and filters executions, with a clear error for a bad filter', async () => {
    await runJob(suite.server, 'lab', 'throws');
    const failed = await viewer.get('/executions?module=lab&status=failed');
    expect(failed.status).to.equal(200);
    expect(failed.text).to.contain('lab/throws');
    expect(failed.text).to.contain('boom from the handler');
    expect(failed.text).to.not.contain('lab/chatty');
    const bad = await viewer.get('/executions?status=exploded&since=someday');
    expect(bad.status).to.equal(422);
    expect(bad.text).to.contain('One of queued, running');
    expect(bad.text).to.contain('A date (2026-11-26)');
    const rows = await viewer.get('/executions/rows?module=lab&job=throws', htmx);
    expect(rows.text).to.not.contain('<html');
    expect(rows.text).to.contain('data-status="failed"');
  });

  it('shows a failed execution with its error, stack and events; polls only while it runs', async () => {
    const execution = await runJob(suite.server, 'lab', 'throws');
    await eventually(
      async () => (await suite.server.services.eventStore.list({ executionId: execution.id })).length === 2,
    );
    const page = await viewer.get(`/executions/${execution.id}`);
    expect(page.text).to.contain('NXF_JOB_FAILED');
    expect(page.text).to.contain('<summary>Stack</summary>');
    expect(page.text).to.contain('<code>job.failed</code>');
    expect(page.text).to.contain('<div id="execution-poll" ></div>');
    const poll = await viewer.get(`/executions/${execution.id}/poll?after=0`, htmx);
    expect(poll.text).to.contain('<hx-partial hx-target="#log-rows" hx-swap="beforeend">');
    expect(poll.text).to.contain('about to fail');
    expect((await viewer.get('/executions/not-an-id')).status).to.equal(404);
    expect((await viewer.get(`/executions/${execution.id}/screenshots/0`)).status).to.equal(404);
  });

  it('lists events with filters, and polls for newer ones', async () => {
    const page = await viewer.get('/events?name=job.*&source=lab');
    expect(page.status).to.equal(200);
    expect(page.text).to.contain('<code>job.failed</code>');
    expect(page.text).to.not.contain('<code>module.installed</code>');
    const newest = /data-id="(\d+)"/.exec(page.text)![1]!;
    const quiet = await viewer.get(`/events/poll?name=job.*&source=lab&after=${newest}`, htmx);
    expect(quiet.text).to.not.contain('<tr');
    await suite.server.services.events.emit(
      'lab.threshold_exceeded',
      { subject: 'rack-1' },
      { source: 'lab', severity: 'warning' },
    );
    const fresh = await viewer.get(`/events/poll?source=lab&after=${newest}`, htmx);
    expect(fresh.text).to.contain('<hx-partial hx-target="#event-rows" hx-swap="afterbegin">');
    expect(fresh.text).to.contain('lab.threshold_exceeded');
    expect(fresh.text).to.match(/hx-get="\/events\/poll\?source=lab&amp;after=\d+"/);
    const bad = await viewer.get('/events?severity=apocalyptic');
    expect(bad.status).to.equal(422);
  });

  it('manages notification rules for admins only, with errors inline', async () => {
    const channel = await suite.server.services.toolkit.notifications.channels.create({
      name: 'Ops hook',
      type: 'webhook',
      enabled: true,
      values: { url: 'http://127.0.0.1:9/hook' },
    });
    expect((await operator.get('/settings/notification-rules')).status).to.equal(403);
    await admin.get('/settings/notification-rules');
    const bad = await admin.post(
      '/settings/notification-rules',
      { name: '', eventPattern: 'job.*.failed', minSeverity: 'error', quiet: 'soon' },
      htmx,
    );
    expect(bad.status).to.equal(422);
    expect(bad.text).to.contain('Give the rule a name');
    expect(bad.text).to.contain('prefix ending in *');
    expect(bad.text).to.contain('A duration such as');
    expect(bad.text).to.contain('Choose at least one channel.');
    const created = await admin.post('/settings/notification-rules', {
      name: 'Failed jobs',
      eventPattern: 'job.failed',
      minSeverity: 'error',
      quiet: '15m',
      enabled: 'true',
      channel: channel.id,
    });
    expect(created.status).to.equal(303);
    const [rule] = await suite.server.services.rules.store.list();
    expect(rule).to.include({ name: 'Failed jobs', quietSeconds: 900, enabled: true });
    const list = await admin.get('/settings/notification-rules');
    expect(list.text).to.contain('<code>job.failed</code>');
    expect(list.text).to.contain('Ops hook');
    expect(list.text).to.contain('<td>15m</td>');
    const edit = await admin.get(`/settings/notification-rules/${rule!.id}/edit`);
    expect(edit.text).to.contain('value="15m"');
    await admin.post(`/settings/notification-rules/${rule!.id}`, {
      name: 'Failed jobs',
      eventPattern: 'job.*',
      minSeverity: 'warning',
      quiet: '0',
      channel: channel.id,
    });
    expect(await suite.server.services.rules.store.get(rule!.id)).to.include({
      eventPattern: 'job.*',
      enabled: false,
      quietSeconds: 0,
    });
    expect((await admin.post(`/settings/notification-rules/${rule!.id}/delete`)).status).to.equal(303);
    expect(await suite.server.services.rules.store.list()).to.deep.equal([]);
  });
});
