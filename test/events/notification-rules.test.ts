import { expect } from 'chai';
import type { RuleInput } from '../../src/events/rules/rule-store.js';
import { startSmtpCapture, type SmtpCapture } from '../fixtures/smtp-capture.js';
import { startWebhookReceiver, type WebhookReceiver } from '../fixtures/webhook-receiver.js';
import { eventually, runJob } from '../helpers/jobs.js';
import { copyModuleFixture, installAndEnable } from '../helpers/modules.js';
import { startTestServer, type TestServer } from '../helpers/server.js';

describe('notification rules: events → channels, with a quiet period per rule and subject', function () {
  this.timeout(60_000);
  let server: TestServer;
  let smtp: SmtpCapture;
  let receiver: WebhookReceiver;
  let lab: Awaited<ReturnType<typeof copyModuleFixture>>;
  const channel: Record<string, string> = {};

  before(async () => {
    smtp = await startSmtpCapture({ starttls: false });
    receiver = await startWebhookReceiver();
    server = await startTestServer();
    lab = await copyModuleFixture({ fixture: 'lab-module' });
    await installAndEnable(server, lab.dir);
    const channels = server.services.toolkit.notifications.channels;
    const mail = await channels.create({
      name: 'Ops mail',
      type: 'email',
      enabled: true,
      values: {
        host: '127.0.0.1',
        port: smtp.port,
        security: 'none',
        from: 'nxforge@example.test',
        to: 'ops@example.test',
      },
    });
    const hook = await channels.create({
      name: 'Ops hook',
      type: 'webhook',
      enabled: true,
      values: { url: `${receiver.url}/hook` },
    });
    const broken = await channels.create({
      name: 'Broken hook',
      type: 'webhook',
      enabled: true,
      values: { url: `${receiver.url}/broken` },
    });
    Object.assign(channel, { mail: mail.id, hook: hook.id, broken: broken.id });
  });
  after(async () => {
    await server?.close();
    await smtp?.close();
    await receiver?.close();
    await lab?.remove();
  });

  const rule = async (input: Partial<RuleInput> & Pick<RuleInput, 'name' | 'eventPattern' | 'channelIds'>) => {
    const created = await server.services.rules.store.create({
      minSeverity: 'error',
      quietSeconds: 0,
      enabled: true,
      ...input,
    });
    server.services.rules.engine.invalidate();
    return created;
  };
  const hookTitles = () =>
    receiver.received('/hook').map((request) => (JSON.parse(request.body) as { title: string }).title);
  const settle = () => server.services.rules.engine.idle();
  const firing = async (ruleId: string, subject: string) =>
    server.services.db.one<{ suppressed: number }>(
      'SELECT suppressed FROM notification_rule_firings WHERE rule_id = $1 AND subject = $2',
      [ruleId, subject],
    );

  it('a failing job notifies by e-mail and webhook, once per quiet period for the same job', async () => {
    const failed = await rule({
      name: 'Failed jobs',
      eventPattern: 'job.failed',
      quietSeconds: 3600,
      channelIds: [channel.mail!, channel.hook!],
    });
    await runJob(server, 'lab', 'throws');
    await eventually(() => smtp.messages.length === 1 && hookTitles().length === 1);
    await runJob(server, 'lab', 'throws');
    await eventually(async () => (await firing(failed.id, 'lab/throws'))?.suppressed === 1);
    // A first attempt that will be retried is a warning: below the rule's minimum.
    await runJob(server, 'lab', 'flaky');
    await runJob(server, 'lab', 'exits');
    await eventually(() => smtp.messages.length === 2);
    await settle();
    expect(smtp.messages.map((m) => m.subject)).to.deep.equal([
      '[NxForge] [ERROR] job.failed: lab/throws',
      '[NxForge] [ERROR] job.failed: lab/exits',
    ]);
    expect(smtp.messages[0]?.text).to.contain('boom from the handler');
    expect(hookTitles()).to.deep.equal(['job.failed: lab/throws', 'job.failed: lab/exits']);
    const deliveries = await server.services.toolkit.notifications.deliveries.recent({ limit: 50 });
    const fromRule = deliveries.filter((d) => d.source === 'rule:Failed jobs');
    expect(fromRule.map((d) => d.status)).to.deep.equal(Array(4).fill('delivered'));
  });

  it('a failed scrape notifies', async () => {
    receiver.reset();
    await rule({ name: 'Scrapes', eventPattern: 'scraping.*', channelIds: [channel.hook!] });
    const execution = await runJob(server, 'lab', 'scrape', { url: 'http://127.0.0.1:9/meter' });
    expect(execution.status).to.equal('failed');
    // The job fails too, which the rule of the test before reports.
    await eventually(() => hookTitles().length === 2);
    await settle();
    expect(hookTitles().sort()).to.deep.equal(['job.failed: lab/scrape', 'scraping.failed: lab-meter']);
    const body = JSON.parse(receiver.received('/hook').find((r) => r.body.includes('scraping.failed'))!.body) as {
      severity: string;
      message: string;
      data: Record<string, unknown>;
    };
    expect(body.severity).to.equal('error');
    expect(body.message).to.contain('Scraping http://127.0.0.1:9/meter for lab failed');
    expect(body.data).to.include({ event: 'scraping.failed', subject: 'lab-meter', rule: 'Scrapes' });
  });

  it("a module's threshold events notify once per subject within the quiet period", async () => {
    receiver.reset();
    const thresholds = await rule({
      name: 'Thresholds',
      eventPattern: 'lab.*',
      minSeverity: 'warning',
      quietSeconds: 3600,
      channelIds: [channel.hook!],
    });
    for (const subject of ['rack-1', 'rack-1', 'rack-2']) await runJob(server, 'lab', 'emits', { subject });
    // Info is below the rule's minimum severity.
    await runJob(server, 'lab', 'emits', { subject: 'rack-3', severity: 'info' });
    await eventually(async () => (await firing(thresholds.id, 'rack-1'))?.suppressed === 1);
    await settle();
    expect(hookTitles().sort()).to.deep.equal(['lab.threshold_exceeded: rack-1', 'lab.threshold_exceeded: rack-2']);
  });

  it('an undeliverable notification emits notification.failed, which another rule reports, without a loop', async () => {
    receiver.reset();
    receiver.script('/broken', Array(20).fill({ status: 404 }));
    await rule({ name: 'Broken', eventPattern: '*', minSeverity: 'critical', channelIds: [channel.broken!] });
    await rule({ name: 'Delivery failures', eventPattern: 'notification.failed', channelIds: [channel.hook!] });
    await server.services.events.emit(
      'probe.meltdown',
      { subject: 'core-1' },
      { source: 'probe', severity: 'critical' },
    );
    await eventually(() => hookTitles().includes('notification.failed: Broken hook'));
    await settle();
    // "Broken" matches every event, but not the failure of its own delivery: one attempt, no loop.
    expect(receiver.received('/broken')).to.have.length(1);
    const [failure] = await server.services.eventStore.list({ name: 'notification.failed' });
    expect(failure).to.include({ severity: 'error', subject: 'Broken hook' });
    expect(failure?.payload).to.include({ source: 'rule:Broken', code: 'NXF_DELIVERY_FAILED' });
  });
});
