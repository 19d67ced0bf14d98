import { expect } from 'chai';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { eventually, runJob } from '../helpers/jobs.js';
import { copyModuleFixture, installAndEnable } from '../helpers/modules.js';
import { startTestServer, type TestServer } from '../helpers/server.js';
import { startFakePdu, type FakePdu } from '../fixtures/fake-pdu.js';

describe("jobs: core services inside a job's worker", function () {
  this.timeout(60_000);
  let server: TestServer;
  let pdu: FakePdu;
  let lab: Awaited<ReturnType<typeof copyModuleFixture>>;

  before(async () => {
    pdu = await startFakePdu();
    server = await startTestServer();
    lab = await copyModuleFixture({ fixture: 'lab-module' });
    await installAndEnable(server, lab.dir);
  });
  after(async () => {
    await server?.close();
    await pdu?.close();
    await lab?.remove();
  });

  it("scrapes through the main process's browser pool, and gives its slot back", async () => {
    const pool = server.services.toolkit.browserPool;
    const launchesBefore = pool.stats().launches;
    const first = await runJob(server, 'lab', 'scrape', { url: `${pdu.url}/open` });
    const second = await runJob(server, 'lab', 'scrape', { url: `${pdu.url}/open` });
    for (const execution of [first, second]) {
      expect(execution.status, execution.error ?? '').to.equal('succeeded');
      expect((execution.result as { data: unknown }).data).to.deep.equal({ energy: 1234.5 });
    }
    // One browser in the main pool served both workers; no worker launched one of its own.
    expect(pool.stats().launches - launchesBefore).to.be.at.most(1);
    expect(pool.browserPids()).to.have.length(1);
    expect(pool.stats()).to.include({ busySlots: 0, waiting: 0 });
    const lines = await server.services.executions.logLines(first.id);
    expect(lines.map((line) => line.message)).to.include('read 1234.5');
  });

  it('records the screenshot of a failed scrape with the execution and emits scraping.failed', async () => {
    const execution = await runJob(server, 'lab', 'scrape', { url: `${pdu.url}/form/login` });
    expect(execution.status).to.equal('failed');
    expect(execution.screenshots).to.have.length(1);
    const [shot] = execution.screenshots;
    expect(shot).to.include({ name: 'lab-meter' });
    expect(existsSync(path.join(server.dataDir, 'storage', 'lab', shot!.path))).to.equal(true);
    const [event] = await server.services.eventStore.list({ name: 'scraping.failed', executionId: execution.id });
    expect(event).to.include({ source: 'lab', severity: 'error', subject: 'lab-meter' });
    expect(event?.payload).to.include({ code: 'NXF_SCRAPE_SELECTOR', screenshotPath: shot!.path });
    expect(server.services.toolkit.browserPool.stats()).to.include({ busySlots: 0 });
  });

  it("emits the module's own events from a job", async () => {
    const execution = await runJob(server, 'lab', 'emits', { subject: 'rack-9' });
    expect(execution.status).to.equal('succeeded');
    const [event] = await server.services.eventStore.list({ name: 'lab.threshold_exceeded' });
    expect(event).to.include({ source: 'lab', severity: 'warning', subject: 'rack-9' });
    expect(event?.payload).to.deep.equal({ subject: 'rack-9', value: 42 });
  });

  it('emits job.started and job.completed with the execution', async () => {
    const execution = await runJob(server, 'lab', 'noop');
    // job.completed follows the execution's final record.
    const events = await eventually(async () => {
      const found = await server.services.eventStore.list({ name: 'job.*', executionId: execution.id });
      return found.length === 2 ? found : undefined;
    });
    expect(events.map((event) => event.name).sort()).to.deep.equal(['job.completed', 'job.started']);
    expect(events[0]).to.include({ source: 'lab', subject: 'lab/noop' });
  });
});
