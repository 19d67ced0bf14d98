import { expect } from 'chai';
import { createHmac } from 'node:crypto';
import { connectDatabase, type Database } from '../../../src/db/database.js';
import { Keyring } from '../../../src/keyring.js';
import { createLogger } from '../../../src/logger.js';
import { createSecretBox } from '../../../src/services/crypto/secret-box.js';
import { createHttpService } from '../../../src/services/http/http.service.js';
import { verifyWebhookSignature } from '../../../src/services/notifications/channels/webhook-channel.js';
import {
  createNotificationService,
  type NotificationService,
} from '../../../src/services/notifications/notification.service.js';
import type { Notification } from '../../../src/services/notifications/notification.js';
import { startSmtpCapture, type SmtpCapture } from '../../fixtures/smtp-capture.js';
import { startWebhookReceiver, type WebhookReceiver } from '../../fixtures/webhook-receiver.js';
import { createTestDatabase, type TestDatabase } from '../../helpers/postgres.js';

describe('NotificationService', function () {
  this.timeout(20_000);
  let database: TestDatabase;
  let db: Database;
  let smtp: SmtpCapture;
  let receiver: WebhookReceiver;
  let service: NotificationService;
  const logger = createLogger('silent');
  const box = createSecretBox(new Keyring('notification-test-secret-0123456789abcdef').derive('credentials'));
  const smtpAuth = { username: 'alerts', password: 'smtp-password-1' };
  const alert: Notification = {
    title: 'Rack 7 over budget',
    message: 'Rack 7 drew 4.2 kW for 15 minutes.',
    severity: 'warning',
    data: { rack: 'R7', kw: 4.2 },
  };

  before(async () => {
    database = await createTestDatabase();
    db = await connectDatabase(database.url, { poolMax: 3 });
    smtp = await startSmtpCapture({ auth: smtpAuth });
    receiver = await startWebhookReceiver();
    service = createNotificationService({
      db,
      box,
      http: createHttpService(logger),
      logger,
      retry: { retries: 2, minDelayMs: 20 },
      timeoutMs: 3000,
    });
  });
  after(async () => {
    await smtp?.close();
    await receiver?.close();
    await db?.close();
    await database?.drop();
  });
  beforeEach(() => receiver.reset());

  const email = (overrides: Record<string, unknown> = {}) => ({
    host: '127.0.0.1',
    port: smtp.port,
    security: 'starttls',
    verifyCertificate: false,
    ...smtpAuth,
    from: 'NxForge <nxforge@example.test>',
    to: 'ops@example.test, oncall@example.test',
    ...overrides,
  });

  it('e-mails over STARTTLS with authentication: the message arrives with its subject and body', async () => {
    const [result] = await service.send(alert, [{ type: 'email', config: email(), name: 'ops mail' }]);
    expect(result).to.include({ channel: 'ops mail', success: true, attempts: 1, responseStatus: 250 });
    const mail = smtp.messages.at(-1)!;
    expect(mail.subject).to.equal('[NxForge] [WARNING] Rack 7 over budget');
    expect(mail.text).to.contain('Rack 7 drew 4.2 kW for 15 minutes.').and.contain('rack: R7').and.contain('kw: 4.2');
    expect(mail.to).to.deep.equal(['ops@example.test', 'oncall@example.test']);
    expect(mail).to.include({ from: 'nxforge@example.test', user: 'alerts', secure: true });
  });

  it('retries a deferred e-mail (451) and records every attempt; a refused password is not retried', async () => {
    smtp.deferNext(1);
    const [deferred] = await service.send(alert, [{ type: 'email', config: email(), name: 'deferred mail' }]);
    expect(deferred).to.include({ success: true, attempts: 2 });
    const records = (await service.deliveries.recent({ limit: 2 })).reverse();
    expect(records.map((r) => [r.channelName, r.attempt, r.status, r.responseStatus])).to.deep.equal([
      ['deferred mail', 1, 'failed', 451],
      ['deferred mail', 2, 'delivered', 250],
    ]);
    expect(records[0]?.error).to.contain('try again later');

    const [refused] = await service.send(alert, [
      { type: 'email', config: email({ password: 'wrong' }), name: 'bad mail' },
    ]);
    expect(refused).to.include({ success: false, attempts: 1, errorCode: 'NXF_DELIVERY_FAILED' });
    expect(refused?.error).to.contain('refused the user name or password');
  });

  it('posts webhooks as JSON with an HMAC-SHA256 signature the receiver can verify', async () => {
    const [result] = await service.send(alert, [
      { type: 'webhook', config: { url: `${receiver.url}/hook`, secret: 'hook-secret' } },
    ]);
    expect(result).to.include({ channel: 'webhook', success: true, responseStatus: 200 });
    const [request] = receiver.received('/hook');
    const body = JSON.parse(request!.body) as Record<string, unknown>;
    expect(body).to.include({ title: alert.title, message: alert.message, severity: 'warning', source: 'core' });
    expect(body.data).to.deep.equal(alert.data);
    const expected = `sha256=${createHmac('sha256', 'hook-secret').update(request!.body).digest('hex')}`;
    expect(request!.headers['x-nxforge-signature']).to.equal(expected);
    expect(verifyWebhookSignature('hook-secret', request!.body, expected)).to.equal(true);
    expect(verifyWebhookSignature('other-secret', request!.body, expected)).to.equal(false);
    expect(request!.headers['x-nxforge-timestamp']).to.equal(String(body.timestamp));
    expect(request!.headers['content-type']).to.equal('application/json');

    await service.send(alert, [{ type: 'webhook', config: { url: `${receiver.url}/unsigned` } }]);
    expect(receiver.received('/unsigned')[0]?.headers).to.not.have.property('x-nxforge-signature');
  });

  it('retries a webhook answering 503 but not one answering 400', async () => {
    receiver.script('/flaky', [{ status: 503 }]);
    receiver.script('/bad', [{ status: 400 }, { status: 200 }]);
    const [flaky, bad] = await service.send(alert, [
      { type: 'webhook', config: { url: `${receiver.url}/flaky` } },
      { type: 'webhook', config: { url: `${receiver.url}/bad` } },
    ]);
    expect(flaky).to.include({ success: true, attempts: 2, responseStatus: 200 });
    expect(bad).to.include({ success: false, attempts: 1, responseStatus: 400 });
    expect(receiver.received('/bad')).to.have.length(1);
  });

  it('posts Slack incoming-webhook messages with the documented severity colour and fields', async () => {
    const config = { webhookUrl: `${receiver.url}/slack`, channel: '#ops', username: 'NxForge' };
    // The colours docs/services.md promises, per severity.
    const documented = { info: '#1f5fbf', warning: '#e0a100', error: '#d93025', critical: '#7a0a0a' } as const;
    const sender = service.forSource('consumption-monitor');
    for (const severity of Object.keys(documented) as Array<keyof typeof documented>) {
      const [result] = await sender.send({ ...alert, severity }, [{ type: 'slack', config }]);
      expect(result, severity).to.include({ success: true });
    }
    type Payload = {
      text: string;
      channel: string;
      username: string;
      attachments: Array<{
        color: string;
        title: string;
        text: string;
        fields: Array<{ title: string; value: string; short: boolean }>;
        footer: string;
        ts: number;
      }>;
    };
    const payloads = receiver.received('/slack').map((request) => JSON.parse(request.body) as Payload);
    expect(payloads.map((p) => [p.text, p.attachments[0]?.color])).to.deep.equal([
      ['[INFO] Rack 7 over budget', '#1f5fbf'],
      ['[WARNING] Rack 7 over budget', '#e0a100'],
      ['[ERROR] Rack 7 over budget', '#d93025'],
      ['[CRITICAL] Rack 7 over budget', '#7a0a0a'],
    ]);
    const critical = payloads[3]!;
    expect(critical).to.include({ channel: '#ops', username: 'NxForge' });
    const [attachment] = critical.attachments;
    expect(attachment).to.include({ title: alert.title, text: alert.message, footer: 'NxForge' });
    expect(attachment?.fields).to.deep.equal([
      { title: 'Severity', value: 'critical', short: true },
      { title: 'Source', value: 'consumption-monitor', short: true },
      { title: 'rack', value: 'R7', short: true },
      { title: 'kw', value: '4.2', short: true },
    ]);
    expect(attachment?.ts).to.be.a('number');
  });

  it('stores channels with their secrets encrypted, never returned, kept when left blank on edit', async () => {
    const channel = await service.channels.create({
      name: 'Signed hook',
      type: 'webhook',
      enabled: true,
      values: { url: `${receiver.url}/stored`, secret: 'stored-hook-secret' },
    });
    expect(channel.settings).to.deep.equal({ url: `${receiver.url}/stored` });
    expect(channel.secretsSet).to.deep.equal(['secret']);
    const [row] = await db.select<{ config: unknown; secrets: string }>(
      'SELECT config, secrets FROM notification_channels WHERE id = $1',
      [channel.id],
    );
    expect(JSON.stringify(row)).to.not.contain('stored-hook-secret');
    expect(box.isSealed(row!.secrets)).to.equal(true);

    await service.channels.update(channel.id, {
      name: 'Signed hook',
      enabled: true,
      values: { url: `${receiver.url}/stored2`, secret: '' },
    });
    const [result] = await service.send(alert, ['signed HOOK']);
    expect(result).to.include({ channel: 'Signed hook', success: true });
    const [request] = receiver.received('/stored2');
    expect(
      verifyWebhookSignature('stored-hook-secret', request!.body, request!.headers['x-nxforge-signature'] as string),
    ).to.equal(true);

    const elsewhere = createNotificationService({
      db,
      box: createSecretBox(new Keyring('a-different-secret-0123456789abcdef0123').derive('credentials')),
      http: createHttpService(logger),
      logger,
    });
    const [unreadable] = await elsewhere.send(alert, ['Signed hook']);
    expect(unreadable).to.include({ success: false, errorCode: 'NXF_SECRET_KEY_MISMATCH', attempts: 0 });
  });

  it('sends to every enabled channel by default and reports unknown or disabled ones per channel', async () => {
    await service.channels.create({
      name: 'Muted',
      type: 'webhook',
      enabled: false,
      values: { url: `${receiver.url}/muted` },
    });
    const results = await service.send(alert);
    expect(results.map((r) => r.channel)).to.deep.equal(['Signed hook']);
    const [unknown, muted] = await service.send(alert, ['nope', 'Muted']);
    expect(unknown).to.include({ success: false, errorCode: 'NXF_CHANNEL_NOT_FOUND' });
    expect(muted).to.include({ success: false, errorCode: 'NXF_CHANNEL_DISABLED' });
    expect(receiver.received('/muted')).to.have.length(0);
    const test = await service.sendTest((await service.channels.findByName('Muted'))!.id, 'admin');
    expect(test).to.include({ success: true });
    expect(JSON.parse(receiver.received('/muted')[0]!.body)).to.include({
      source: 'settings',
      title: 'Test notification from NxForge',
    });
  });

  it('refuses malformed notifications and channel settings with coded errors naming the fields', async () => {
    let error = await service.send({ title: '', message: 'x', severity: 'loud' as 'info' }).catch((e: unknown) => e);
    expect(error).to.have.property('code', 'NXF_NOTIFICATION_INVALID');
    expect((error as Error).message)
      .to.contain('title')
      .and.contain('severity');
    error = await service.channels
      .create({ name: '', type: 'email', enabled: true, values: { host: '', port: 'x', to: 'not-an-address' } })
      .catch((e: unknown) => e);
    expect(error).to.have.property('code', 'NXF_CHANNEL_CONFIG');
    expect((error as { details: Record<string, string> }).details).to.have.keys('name', 'host', 'port', 'from', 'to');
    error = await service.channels
      .create({ name: 'Signed hook', type: 'webhook', enabled: true, values: { url: 'ftp://x' } })
      .catch((e: unknown) => e);
    expect((error as { details: Record<string, string> }).details).to.have.keys('url');
    const [inline] = await service.send(alert, [{ type: 'slack', config: {} }]);
    expect(inline).to.include({ success: false, errorCode: 'NXF_CHANNEL_CONFIG' });
  });
});
