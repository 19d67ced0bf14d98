import { expect } from 'chai';
import http from 'node:http';
import { defaultShutdownGraceMs } from '../src/nxforge.js';
import { httpClientDefaults } from '../src/services/http/http.service.js';
import { defaultRetryPolicy } from '../src/services/retry.js';
import { finished, runJob, withLabServer } from './helpers/jobs.js';
import { fixturePath } from './helpers/modules.js';
import { uploadModule } from './helpers/web-client.js';
import { buildZip, folderEntries } from './helpers/zip-builder.js';

/**
 * Other suites shorten NxForge's timings and limits (retries after 50 ms, 300 ms of grace, a 128 MB worker heap,
 * a 2 MB upload limit…) to stay fast. This one runs a server with none of that, and checks that each default is
 * the documented one — by running it where that is cheap, else by reading what the running parts use.
 */
describe('the documented defaults, on a server started without test tuning', function () {
  this.timeout(60_000);
  const suite = withLabServer({ server: { defaults: true } });
  const MB = 1024 * 1024;

  describe('jobs (docs/jobs-and-events.md, docs/modules.md#jobs)', () => {
    it('times and limits: 10 min timeout, 2 s after the abort signal, 10 s of grace, retries 5 s doubling to 5 min, a sweep a minute', () => {
      expect(suite.server.services.scheduler.tuning).to.deep.equal({
        defaultTimeoutMs: 600_000,
        abortGraceMs: 2_000,
        unmountGraceMs: 10_000,
        shutdownGraceMs: 10_000,
        retryBaseMs: 5_000,
        retryMaxMs: 300_000,
        sweepIntervalMs: 60_000,
        workerHeapMb: 256,
      });
    });

    it('runs a job in a worker whose heap is limited to 256 MB', async () => {
      const execution = await runJob(suite.server, 'lab', 'limits');
      expect(execution.status, execution.error ?? '').to.equal('succeeded');
      expect((execution.result as { data: Record<string, number> }).data).to.include({ maxOldGenerationSizeMb: 256 });
    });

    it('keeps at most 10 000 log lines of a run, and says how many more there were', async () => {
      const queued = await suite.server.services.scheduler.executeJob('lab', 'chatty', {
        data: { lines: 10_003 },
        actor: 'test',
      });
      const execution = await finished(suite.server, queued.id);
      // 10 000 lines kept, plus the one saying that 10 003 − 10 000 = 3 were not.
      expect(execution.logLines).to.equal(10_001);
      const { executions } = suite.server.services;
      const tail = await executions.logLines(execution.id, 9_999, 10);
      expect(tail.map((line) => [line.seq, line.message])).to.deep.equal([
        [10_000, 'line 10000'],
        [10_001, '3 more lines not kept (at most 10000 per execution).'],
      ]);
      const row = await suite.server.services.db.one<{ count: number }>(
        'SELECT count(*)::int AS count FROM execution_logs WHERE execution_id = $1',
        [execution.id],
      );
      expect(row?.count).to.equal(10_001);
    });

    it("keeps a result's data up to 256 KB of JSON, and a note instead of a larger one", async () => {
      // {"blob":"…"} is 11 characters around the blob: 262 144 − 11 = 262 133 of them make exactly 256 KB.
      const fits = await runJob(suite.server, 'lab', 'sized', { bytes: 262_133 });
      expect((fits.result as { data: { blob: string } }).data.blob).to.have.length(262_133);
      const tooBig = await runJob(suite.server, 'lab', 'sized', { bytes: 262_134 });
      expect(tooBig.status).to.equal('succeeded');
      expect((tooBig.result as { data: unknown }).data).to.deep.equal({
        note: 'The result (262145 bytes) was larger than 262144 bytes.',
      });
    });
  });

  describe('core services (docs/services.md)', () => {
    it('browser pool: at most 2 browsers of 4 pages, idle ones closed after a minute, 30 s to wait for a page', () => {
      expect(suite.server.services.toolkit.browserPool.limits).to.deep.equal({
        maxBrowsers: 2,
        maxPagesPerBrowser: 4,
        idleCloseMs: 60_000,
        acquireTimeoutMs: 30_000,
        openAhead: true,
      });
    });

    it('scrape and notification retries: 2 retries from 500 ms; HTTP: backoff from 200 ms, Retry-After up to 30 s', () => {
      expect(defaultRetryPolicy).to.deep.include({ retries: 2, minDelayMs: 500 });
      expect(httpClientDefaults).to.deep.include({ retryBaseDelayMs: 200, maxRetryAfterMs: 30_000 });
    });

    it('lets requests in flight finish for up to 10 s at shutdown', () => {
      expect(defaultShutdownGraceMs).to.equal(10_000);
    });
  });

  describe('module archives (docs/modules.md "What an archive may contain")', () => {
    let token: string;
    before(async () => {
      const admin = (await suite.server.services.users.findForLogin('admin'))!.user.id;
      token = (await suite.server.services.apiTokens.create(admin, 'defaults')).token;
    });

    it('refuses more than 5000 entries', async () => {
      const dummy = await folderEntries(fixturePath('dummy-module'));
      const filler = Array.from({ length: 5001 - dummy.length }, (_, i) => ({ name: `dist/f${i}.js`, data: '' }));
      const response = await uploadModule(suite.server.url, token, buildZip([...dummy, ...filler]));
      expect(response.status).to.equal(413);
      expect(response.body.error).to.include({
        code: 'NXF_ZIP_TOO_BIG',
        message: 'The archive has 5001 entries; at most 5000 are allowed.',
      });
    });

    it('refuses more than 200 MB unpacked', async () => {
      const dummy = await folderEntries(fixturePath('dummy-module'));
      // An entry that claims 201 MB (the claim is checked first; the real bytes would be as well).
      const claim = { name: 'dist/huge.bin', data: 'x', declaredSize: 201 * MB };
      const response = await uploadModule(suite.server.url, token, buildZip([...dummy, claim]));
      expect(response.status).to.equal(413);
      expect(response.body.error).to.include({
        code: 'NXF_ZIP_TOO_BIG',
        message: 'The archive unpacks to more than 200 MB.',
      });
    });

    it('refuses an upload over 50 MB before reading it', async () => {
      const { hostname, port } = new URL(suite.server.url);
      const answer = await new Promise<{ status: number; body: string }>((resolve, reject) => {
        const request = http.request({
          host: hostname,
          port,
          method: 'POST',
          path: '/api/v1/modules/install',
          headers: {
            authorization: `Bearer ${token}`,
            'content-type': 'multipart/form-data; boundary=x',
            'content-length': String(51 * MB),
          },
        });
        request.on('response', (response) => {
          let body = '';
          response.on('data', (chunk: Buffer) => (body += chunk.toString()));
          response.on('end', () => {
            resolve({ status: response.statusCode ?? 0, body });
            request.destroy();
          });
        });
        request.on('error', reject);
        // Only the headers are sent: the 51 MB never are.
        request.flushHeaders();
      });
      expect(answer.status).to.equal(413);
      expect(JSON.parse(answer.body).error).to.include({
        code: 'NXF_UPLOAD_TOO_LARGE',
        message: 'The upload is larger than 50 MB.',
      });
    });
  });
});
