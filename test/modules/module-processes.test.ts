import { expect } from 'chai';
import { cp, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { copyMinimalModule, installAndEnable, testActor } from '../helpers/modules.js';
import { createTestDatabase } from '../helpers/postgres.js';
import { startTestServer, testAdminPassword, type TestServer } from '../helpers/server.js';
import { WebClient } from '../helpers/web-client.js';
import { rulesTtlMs } from '../../src/events/rules/rule-engine.js';
import { startWebhookReceiver, type WebhookReceiver } from '../fixtures/webhook-receiver.js';

/**
 * Waits until `check` passes (other processes learn of changes through PostgreSQL notifications). No time limit of
 * its own, which a loaded machine could overrun: the test's timeout bounds it; `what` names it in the code.
 */
async function eventually(check: () => Promise<boolean>, what: string): Promise<void> {
  void what;
  while (!(await check())) await new Promise((resolve) => setTimeout(resolve, 50));
}

describe('bundled modules', () => {
  it("are found and enabled on first boot, keep their state at later boots, and take a new release's files", async () => {
    const bundled = await mkdtemp(path.join(os.tmpdir(), 'nxf-bundled-'));
    const module = await copyMinimalModule('shipped');
    await cp(module.dir, path.join(bundled, 'shipped'), { recursive: true });
    // A broken bundled module is logged and skipped; the others still load.
    await mkdir(path.join(bundled, 'broken'));
    await writeFile(path.join(bundled, 'broken', 'manifest.json'), '{ not json');
    const first = await startTestServer({ bundledModulesDir: bundled });
    try {
      const client = new WebClient(first.url);
      await client.login('admin', testAdminPassword);
      expect((await client.get('/shipped')).status).to.equal(200);
      expect(await first.services.modules.store.get('shipped')).to.include({ source: 'bundled', status: 'ENABLED' });
      await first.services.modules.disable('shipped', testActor);
      await first.close({ keep: true });

      const manifestFile = path.join(bundled, 'shipped', 'manifest.json');
      const manifest = JSON.parse(await readFile(manifestFile, 'utf8')) as { version: string };
      manifest.version = '1.1.0';
      await writeFile(manifestFile, JSON.stringify(manifest));
      const second = await startTestServer({
        database: first.database,
        dataDir: first.dataDir,
        bundledModulesDir: bundled,
      });
      try {
        const record = await second.services.modules.store.get('shipped');
        expect(record).to.include({ version: '1.1.0', status: 'DISABLED', enabled: false });
        expect(second.services.modules.registry.get('shipped')).to.equal(undefined);
      } finally {
        await second.close();
      }
    } finally {
      await first.database.drop().catch(() => undefined);
      await rm(bundled, { recursive: true, force: true });
      await module.remove();
    }
  });
});

describe('several NxForge processes on one database', () => {
  let database: Awaited<ReturnType<typeof createTestDatabase>>;
  let a: TestServer;
  let b: TestServer;
  let module: Awaited<ReturnType<typeof copyMinimalModule>>;

  before(async () => {
    database = await createTestDatabase();
    a = await startTestServer({ database });
    b = await startTestServer({ database });
    module = await copyMinimalModule('shared', {
      manifest: (m) => (m.settings = { label: { type: 'string', label: 'Label', default: 'first' } }),
    });
  });
  after(async () => {
    await a.close({ keep: true });
    await b.close({ keep: true });
    await database.drop();
    await module.remove();
    await receiver?.close();
  });
  let receiver: WebhookReceiver | undefined;

  it('a module enabled in one process is served by the other, and disabled in both', async () => {
    const client = new WebClient(b.url);
    await client.login('admin', testAdminPassword);
    await installAndEnable(a, module.dir);
    await eventually(async () => (await client.get('/shared')).status === 200, 'process B serving the module');
    await a.services.modules.disable('shared', testActor);
    await eventually(async () => (await client.get('/shared')).status === 403, 'process B refusing the module');
    expect(b.services.modules.registry.isDormant('shared')).to.equal(true);
  });

  it('settings saved in one process reach the module in the other', async () => {
    await a.services.modules.enable('shared', testActor);
    await eventually(async () => b.services.modules.registry.get('shared') !== undefined, 'process B mounting it');
    expect(b.services.modules.registry.get('shared')?.context.settings.label).to.equal('first');
    await a.services.modules.saveSettings('shared', { label: 'second' }, testActor);
    await eventually(
      async () => b.services.modules.registry.get('shared')?.context.settings.label === 'second',
      'process B seeing the new value',
    );
  });

  it('a notification rule saved in one process applies to events in the other', async () => {
    receiver = await startWebhookReceiver();
    // B has looked at the rules already (none then), so it holds them in its cache.
    await b.services.events.emit('shared.threshold_exceeded', { subject: 'before' }, { severity: 'error' });
    await b.services.rules.engine.idle();
    const channel = await a.services.toolkit.notifications.channels.create({
      name: 'Shared hook',
      type: 'webhook',
      enabled: true,
      values: { url: `${receiver.url}/hook` },
    });
    await a.services.rules.store.create({
      name: 'Thresholds',
      eventPattern: 'shared.*',
      minSeverity: 'warning',
      quietSeconds: 0,
      enabled: true,
      channelIds: [channel.id],
    });
    // B picks the rule up once its cache (documented: 2 s) runs out; each event has a subject of its own.
    expect(rulesTtlMs).to.equal(2000);
    let n = 0;
    await eventually(async () => {
      n += 1;
      await b.services.events.emit('shared.threshold_exceeded', { subject: `pdu-${n}` }, { severity: 'error' });
      await b.services.rules.engine.idle();
      return receiver!.received('/hook').length > 0;
    }, 'process B applying the rule');
    const [delivery] = receiver.received('/hook');
    expect(JSON.parse(delivery!.body)).to.include({ source: 'rule:Thresholds', severity: 'error' });
    const [attempt] = await a.services.db.select<{ source: string }>('SELECT source FROM notification_deliveries');
    expect(attempt?.source).to.equal('rule:Thresholds');
  });
});
