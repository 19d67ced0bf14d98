import { expect } from 'chai';
import type { NxfEvent } from '../../src/events/event-bus.js';
import { runJob } from '../helpers/jobs.js';
import { copyModuleFixture, installAndEnable, testActor } from '../helpers/modules.js';
import { startTestServer, type TestServer } from '../helpers/server.js';

describe('events: stored, filtered, delivered, kept for the retention period', function () {
  this.timeout(30_000);
  let server: TestServer;
  let dummy: Awaited<ReturnType<typeof copyModuleFixture>>;

  before(async () => {
    server = await startTestServer();
    dummy = await copyModuleFixture();
    await installAndEnable(server, dummy.dir);
  });
  after(async () => {
    await server?.close();
    await dummy?.remove();
  });

  it('stores every event with its name, source, severity, subject, payload and time', async () => {
    const { events, eventStore } = server.services;
    const before = new Date();
    await events.emit(
      'dummy.threshold_exceeded',
      { subject: 'pdu-3', kwh: 1250 },
      { source: 'dummy', severity: 'warning' },
    );
    const [stored] = await eventStore.list({ name: 'dummy.threshold_exceeded' });
    expect(stored).to.include({
      name: 'dummy.threshold_exceeded',
      source: 'dummy',
      severity: 'warning',
      subject: 'pdu-3',
    });
    expect(stored?.payload).to.deep.equal({ subject: 'pdu-3', kwh: 1250 });
    expect(stored!.at.getTime()).to.be.at.least(before.getTime() - 1000);
    // The module manager's lifecycle events are stored too.
    const [installed] = await eventStore.list({ name: 'module.installed', source: 'core' });
    expect(installed).to.include({ subject: 'dummy' });
  });

  it('filters by name or prefix, source, minimum severity, time and position', async () => {
    const { events, eventStore } = server.services;
    await events.emit('probe.one', { n: 1 }, { source: 'probe', severity: 'info' });
    await events.emit('probe.two', { n: 2 }, { source: 'probe', severity: 'error' });
    await events.emit('probe_x.three', { n: 3 }, { source: 'other', severity: 'critical' });
    const names = async (filters: Parameters<typeof eventStore.list>[0]) =>
      (await eventStore.list(filters)).map((event) => event.name);
    expect(await names({ name: 'probe.*' })).to.deep.equal(['probe.two', 'probe.one']);
    expect(await names({ name: 'probe.one' })).to.deep.equal(['probe.one']);
    expect(await names({ source: 'probe', severity: 'error' })).to.deep.equal(['probe.two']);
    expect(await names({ severity: 'critical' })).to.deep.equal(['probe_x.three']);
    const [newest] = await eventStore.list({ limit: 1 });
    expect(await names({ afterId: newest!.id })).to.deep.equal([]);
    expect(await names({ since: new Date(Date.now() + 60_000) })).to.deep.equal([]);
  });

  it('delivers to every subscriber even when one throws', async () => {
    const { events } = server.services;
    const seen: string[] = [];
    const offs = [
      events.subscribe('probe.*', () => {
        throw new Error('a broken subscriber');
      }),
      events.subscribe('probe.*', (event: NxfEvent) => void seen.push(`prefix:${event.name}`)),
      events.subscribe('probe.ping', async (event: NxfEvent) => void seen.push(`exact:${event.name}`)),
    ];
    await events.emit('probe.ping', null, { source: 'probe' });
    offs.forEach((off) => off());
    expect(seen.sort()).to.deep.equal(['exact:probe.ping', 'prefix:probe.ping']);
    expect((await server.services.eventStore.list({ name: 'probe.ping' })).length).to.equal(1);
  });

  it("ends a module's subscriptions when it is disabled", async () => {
    const { events, modules } = server.services;
    const before = events.subscriptionCount;
    await modules.disable('dummy', testActor);
    expect(events.subscriptionCount).to.equal(before - 1);
    await modules.enable('dummy', testActor);
    expect(events.subscriptionCount).to.equal(before);
  });

  it('the retention job deletes executions and events older than their configured days', async () => {
    const { db, scheduler } = server.services;
    await db.execute(
      `INSERT INTO events (name, source, severity, subject, payload, occurred_at)
       VALUES ('old.event', 'probe', 'info', 'x', NULL, now() - interval '40 days'),
              ('recent.event', 'probe', 'info', 'x', NULL, now() - interval '5 days')`,
    );
    await db.execute(
      `INSERT INTO executions (module_name, job_name, trigger, status, triggered_by, runner, queued_at, finished_at)
       VALUES ('dummy', 'tick', 'manual', 'succeeded', 'test', 'gone', now() - interval '20 days', now() - interval '20 days'),
              ('dummy', 'tick', 'manual', 'failed', 'test', 'gone', now() - interval '3 days', now() - interval '3 days')`,
    );
    await scheduler.saveJobConfig('core', 'retention-cleanup', { executionDays: 10, eventDays: 30 }, 'test');
    const execution = await runJob(server, 'core', 'retention-cleanup');
    expect(execution.status, execution.error ?? '').to.equal('succeeded');
    expect((execution.result as { data: Record<string, number> }).data).to.include({ executions: 1, events: 1 });
    const left = await db.select<{ name: string }>(
      `SELECT name FROM events WHERE source = 'probe' AND name LIKE '%.event'`,
    );
    expect(left.map((row) => row.name)).to.deep.equal(['recent.event']);
    const kept = await db.select<{ status: string }>(`SELECT status FROM executions WHERE runner = 'gone'`);
    expect(kept.map((row) => row.status)).to.deep.equal(['failed']);
  });
});
