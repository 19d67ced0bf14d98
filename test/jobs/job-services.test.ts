import { expect } from 'chai';
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { eventually, runJob, withLabServer } from '../helpers/jobs.js';
import { startFakePdu, type FakePdu } from '../fixtures/fake-pdu.js';
import { WebClient } from '../helpers/web-client.js';

describe("jobs: core services inside a job's worker", function () {
  this.timeout(60_000);
  const suite = withLabServer();
  let pdu: FakePdu;

  before(async () => {
    pdu = await startFakePdu();
  });
  after(async () => {
    await pdu?.close();
  });

  it("scrapes through the main process's browser pool, and gives its slot back", async () => {
    const pool = suite.server.services.toolkit.browserPool;
    const launchesBefore = pool.stats().launches;
    const first = await runJob(suite.server, 'lab', 'scrape', { url: `${pdu.url}/open` });
    const second = await runJob(suite.server, 'lab', 'scrape', { url: `${pdu.url}/open` });
    for (const execution of [first, second]) {
      expect(execution.status, execution.error ?? '').to.equal('succeeded');
      expect((execution.result as { data: unknown }).data).to.deep.equal({ energy: 1234.5 });
    }
    // One browser in the main pool served both workers; no worker launched one of its own.
    expect(pool.stats().launches - launchesBefore).to.be.at.most(1);
    expect(pool.browserPids()).to.have.length(1);
    expect(pool.stats()).to.include({ busySlots: 0, waiting: 0 });
    const lines = await suite.server.services.executions.logLines(first.id);
    expect(lines.map((line) => line.message)).to.include('read 1234.5');
  });

  it('records the screenshot of a failed scrape with the execution and emits scraping.failed', async () => {
    const execution = await runJob(suite.server, 'lab', 'scrape', { url: `${pdu.url}/form/login` });
    expect(execution.status).to.equal('failed');
    expect(execution.screenshots).to.have.length(1);
    const [shot] = execution.screenshots;
    expect(shot).to.include({ name: 'lab-meter' });
    expect(existsSync(path.join(suite.server.dataDir, 'storage', 'lab', shot!.path))).to.equal(true);
    const [event] = await suite.server.services.eventStore.list({ name: 'scraping.failed', executionId: execution.id });
    expect(event).to.include({ source: 'lab', severity: 'error', subject: 'lab-meter' });
    expect(event?.payload).to.include({ code: 'NXF_SCRAPE_SELECTOR', screenshotPath: shot!.path });
    expect(suite.server.services.toolkit.browserPool.stats()).to.include({ busySlots: 0 });

    // The execution's page links the screenshot, and a viewer downloads the very file.
    await suite.server.services.users.create({ username: 'vic', password: 'viewer-password-7', role: 'viewer' });
    const viewer = new WebClient(suite.server.url);
    await viewer.login('vic', 'viewer-password-7');
    const link = `/executions/${execution.id}/screenshots/0`;
    expect((await viewer.get(`/executions/${execution.id}`)).text).to.contain(`href="${link}"`);
    const response = await fetch(new URL(link, suite.server.url), {
      headers: { cookie: `nxf_session=${viewer.cookies.get('nxf_session')}` },
    });
    expect(response.status).to.equal(200);
    expect(response.headers.get('content-type')).to.equal('image/png');
    const stored = await readFile(path.join(suite.server.dataDir, 'storage', 'lab', shot!.path));
    expect(Buffer.from(await response.arrayBuffer()).equals(stored)).to.equal(true);
    expect((await viewer.get(`/executions/${execution.id}/screenshots/1`)).status).to.equal(404);
    expect((await new WebClient(suite.server.url).get(link)).status, 'signed out').to.equal(302);
  });

  it("emits the module's own events from a job", async () => {
    const execution = await runJob(suite.server, 'lab', 'emits', { subject: 'rack-9' });
    expect(execution.status).to.equal('succeeded');
    const [event] = await suite.server.services.eventStore.list({ name: 'lab.threshold_exceeded' });
    expect(event).to.include({ source: 'lab', severity: 'warning', subject: 'rack-9' });
    expect(event?.payload).to.deep.equal({ subject: 'rack-9', value: 42 });
  });

  it('emits job.started and job.completed with the execution', async () => {
    const execution = await runJob(suite.server, 'lab', 'noop');
    // job.completed follows the execution's final record.
    const events = await eventually(async () => {
      const found = await suite.server.services.eventStore.list({ name: 'job.*', executionId: execution.id });
      return found.length === 2 ? found : undefined;
    });
    expect(events.map((event) => event.name).sort()).to.deep.equal(['job.completed', 'job.started']);
    expect(events[0]).to.include({ source: 'lab', subject: 'lab/noop' });
  });
});
