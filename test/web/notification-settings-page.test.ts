import { expect } from 'chai';
import { startWebhookReceiver, type WebhookReceiver } from '../fixtures/webhook-receiver.js';
import { startTestServer, testAdminPassword, type TestServer } from '../helpers/server.js';
import { WebClient } from '../helpers/web-client.js';

describe('Settings → Notifications page', () => {
  let server: TestServer;
  let receiver: WebhookReceiver;
  let admin: WebClient;
  const htmx = { 'HX-Request': 'true', 'HX-Request-Type': 'partial' };
  const base = '/settings/notifications';

  before(async () => {
    server = await startTestServer();
    receiver = await startWebhookReceiver();
    admin = new WebClient(server.url);
    await admin.login('admin', testAdminPassword);
    await server.services.users.create({ username: 'olga', role: 'operator', password: 'olga-password-1' });
  });
  after(async () => {
    await receiver?.close();
    await server?.close();
  });
  beforeEach(() => admin.get(base));

  const channelId = async (name: string) => (await server.services.toolkit.notifications.channels.findByName(name))!.id;

  it('is in the Administration group for admins, and 403 for an operator', async () => {
    const page = await admin.get(base);
    expect(page.status).to.equal(200);
    expect(page.text).to.contain('<h1>Notifications</h1>').and.contain('No channels yet.');
    expect(page.text).to.match(/<a href="\/settings\/notifications" aria-current="page">.*Notifications<\/a>/);
    const operator = new WebClient(server.url);
    await operator.login('olga', 'olga-password-1');
    expect((await operator.get(base)).status).to.equal(403);
    expect((await operator.get('/')).text).to.not.contain('/settings/notifications');
    expect((await operator.post(`${base}`, { type: 'webhook', name: 'x', cfg_url: receiver.url })).status).to.equal(
      403,
    );
    expect((await new WebClient(server.url).get(base)).status).to.equal(302);
  });

  it('creates a webhook channel through the htmx form; its secret is encrypted, audited without it, never shown', async () => {
    const form = await admin.get(`${base}/new/webhook`);
    expect(form.text).to.contain('New Webhook channel').and.contain('name="cfg_secret"');
    const created = await admin.post(
      base,
      {
        type: 'webhook',
        name: 'Ops hook',
        cfg_url: `${receiver.url}/ops`,
        cfg_secret: 'very-secret-hook-key',
        enabled: 'true',
      },
      htmx,
    );
    expect(created.status).to.equal(204);
    expect(created.headers.get('hx-redirect')).to.equal(base);
    const list = await admin.get(base);
    expect(list.text).to.contain('Created the channel &quot;Ops hook&quot;.').and.contain(`${receiver.url}/ops`);
    expect(list.text).to.not.contain('very-secret-hook-key');
    const edit = await admin.get(`${base}/${await channelId('Ops hook')}/edit`);
    expect(edit.text).to.contain('Stored encrypted. Leave blank to keep it.').and.not.contain('very-secret-hook-key');
    const [row] = await server.services.db.select<{ config: unknown; secrets: string }>(
      "SELECT config, secrets FROM notification_channels WHERE name = 'Ops hook'",
    );
    expect(JSON.stringify(row)).to.not.contain('very-secret-hook-key');
    const [audit] = await server.services.audit.query({ action: 'settings.channel_create' });
    expect(audit).to.include({ target: 'Ops hook', actorName: 'admin', outcome: 'success' });
    expect(JSON.stringify(audit?.details)).to.not.contain('very-secret');
  });

  it('shows validation errors inline (422) with htmx and without JavaScript, keeping what was typed', async () => {
    const inline = await admin.post(
      base,
      {
        type: 'email',
        name: '',
        cfg_host: 'mail.example.test',
        cfg_port: 'abc',
        cfg_to: 'nobody',
        cfg_password: 'typed-secret',
      },
      htmx,
    );
    expect(inline.status).to.equal(422);
    expect(inline.text)
      .to.match(/^\s*<form id="channel-form"/)
      .and.not.contain('<html');
    expect(inline.text)
      .to.contain('Enter a name.')
      .and.contain('Enter a whole number.')
      .and.contain('Enter addresses separated by commas.');
    expect(inline.text).to.contain('value="mail.example.test"').and.not.contain('typed-secret');
    const plain = await admin.post(base, { type: 'webhook', name: 'Bad', cfg_url: 'ftp://x' });
    expect(plain.status).to.equal(422);
    expect(plain.text).to.contain('<html').and.contain('Use an http:// or https:// address.');
    const duplicate = await admin.post(base, { type: 'webhook', name: 'ops HOOK', cfg_url: receiver.url }, htmx);
    expect(duplicate.text).to.contain('exists already');
    expect((await admin.get(`${base}/new/pager`)).status).to.equal(404);
  });

  it('edits a channel: a blank secret keeps the stored one', async () => {
    const id = await channelId('Ops hook');
    const saved = await admin.post(`${base}/${id}`, {
      name: 'Ops hook',
      cfg_url: `${receiver.url}/ops2`,
      cfg_secret: '',
      enabled: 'true',
    });
    expect(saved.status).to.equal(303);
    const channel = (await server.services.toolkit.notifications.channels.get(id))!;
    expect(channel.settings.url).to.equal(`${receiver.url}/ops2`);
    expect((await server.services.toolkit.notifications.channels.values(channel)).secret).to.equal(
      'very-secret-hook-key',
    );
    expect((await server.services.audit.query({ action: 'settings.channel_update' }))[0]).to.include({
      target: 'Ops hook',
    });
  });

  it('sends a test message and shows the result in the row, with the deliveries refreshed', async () => {
    const id = await channelId('Ops hook');
    const lastTest = async () =>
      (
        /<td id="test-result-[^"]+" class="test-result" aria-live="polite">([\s\S]*?)<\/td>/.exec(
          (await admin.get(base)).text,
        )?.[1] ?? ''
      )
        .replace(/<[^>]+>|\s+/g, ' ')
        .replace(/\s+/g, ' ')
        .trim();
    expect(await lastTest(), 'never tested').to.equal('never');
    const response = await admin.post(`${base}/${id}/test`, {}, htmx);
    expect(response.status).to.equal(200);
    expect(response.text).to.contain('badge-ok">delivered').and.contain('answer 200 · 1 attempt');
    expect(response.text).to.contain(
      'title="Test message delivered to &quot;Ops hook&quot; (answer 200) after 1 attempt."',
    );
    expect(response.text).to.match(/<hx-partial hx-target="#deliveries" hx-swap="innerHTML">[\s\S]*Ops hook/);
    expect(JSON.parse(receiver.received('/ops2')[0]!.body)).to.include({
      title: 'Test notification from NxForge',
      source: 'settings',
    });

    receiver.script('/ops2', [{ status: 500 }, { status: 500 }, { status: 500 }]);
    const failed = await admin.post(`${base}/${id}/test`, {}, htmx);
    expect(failed.text).to.contain('badge-bad">failed').and.contain('answer 500 · 3 attempts: POST');
    const page = await admin.get(base);
    expect(page.text).to.contain('Recent deliveries').and.contain('badge-bad">failed');
    // The row keeps the last test's outcome with its time to the second.
    expect(await lastTest()).to.match(/^failed \d{4}-\d\d-\d\d \d\d:\d\d:\d\d$/);

    const plain = await admin.post(`${base}/${id}/test`);
    expect(plain.status).to.equal(303);
    expect((await admin.get(base)).text).to.contain('Test message delivered');
  });

  it('deletes a channel: htmx gets the message, the row goes, the audit log has it', async () => {
    const id = await channelId('Ops hook');
    const response = await admin.post(`${base}/${id}/delete`, {}, htmx);
    expect(response.status).to.equal(200);
    expect(response.text).to.contain('Deleted the channel &quot;Ops hook&quot;.');
    expect(await server.services.toolkit.notifications.channels.get(id)).to.equal(undefined);
    expect((await server.services.audit.query({ action: 'settings.channel_delete' }))[0]).to.include({
      target: 'Ops hook',
    });
    expect((await admin.post(`${base}/${id}/delete`)).status).to.equal(404);
  });
});
