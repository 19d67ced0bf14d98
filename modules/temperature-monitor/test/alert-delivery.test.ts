import { expect } from 'chai';
import { startWebhookReceiver, type WebhookReceiver } from '../../../dist/test/fixtures/webhook-receiver.js';
import { eventually, runJob } from '../../../dist/test/helpers/jobs.js';
import { testActor } from '../../../dist/test/helpers/modules.js';
import { bmcCredentials, startFakeBmc, type FakeBmc } from './fake-bmc.js';
import { startTemperatureServer, type TemperatureServer } from './tm-server.js';

const cpu1 = '/redfish/v1/Chassis/1U/Sensors/CPU1Temp';

/** What the webhook channel posted for one event. */
interface Delivered {
  title: string;
  message: string;
  severity: string;
  data: { event: string; subject: string; source: string };
}

describe('temperature-monitor: alerts through notification rules to a webhook', function () {
  this.timeout(90_000);
  let tm: TemperatureServer;
  let bmc: FakeBmc;
  let receiver: WebhookReceiver;
  let hostId: number;
  let sensorId: number;

  const delivered = () => receiver.received('/hook').map((r) => JSON.parse(r.body) as Delivered);
  const poll = async () => {
    const execution = await runJob(tm.server, 'temperature-monitor', 'poll-temperatures');
    expect(execution.status, JSON.stringify(execution.error)).to.equal('succeeded');
  };
  const firing = async () =>
    (await tm.api('GET', '/alerts?state=firing')).body.alerts as Array<Record<string, unknown>>;

  before(async () => {
    receiver = await startWebhookReceiver();
    bmc = await startFakeBmc();
    tm = await startTemperatureServer();
    await tm.server.services.modules.saveSettings(
      'temperature-monitor',
      { minDurationSeconds: 0, hysteresisCelsius: 2 },
      testActor,
    );
    const hook = await tm.server.services.toolkit.notifications.channels.create({
      name: 'On call',
      type: 'webhook',
      enabled: true,
      values: { url: `${receiver.url}/hook` },
    });
    await tm.server.services.rules.store.create({
      name: 'Temperatures',
      eventPattern: 'temperature-monitor.*',
      minSeverity: 'warning',
      channelIds: [hook.id],
      quietSeconds: 0,
      enabled: true,
    });
    tm.server.services.rules.engine.invalidate(); // the engine caches rules for a while
    const host = await tm.api('POST', '/hosts', {
      name: 'web-01',
      address: bmc.url,
      source: 'redfish',
      ...bmcCredentials,
    });
    hostId = host.body.host.id;
    const tracked = await tm.api('POST', `/hosts/${hostId}/sensors`, { keys: [cpu1] });
    sensorId = tracked.body.sensors[0].id;
  });
  after(async () => {
    await tm?.server.close();
    await bmc?.close();
    await receiver?.close();
  });

  it('a reading over critical fires an alert, delivered with the host/sensor subject, the reading and the threshold', async () => {
    bmc.setSensor('CPU1Temp', 47);
    await poll();
    const alerts = await firing();
    expect(alerts).to.have.length(1);
    expect(alerts[0]).to.include({
      hostId,
      sensorId,
      kind: 'sensor',
      severity: 'critical',
      state: 'firing',
      reading: 47,
      threshold: 45,
      resolvedAt: null,
    });
    const [message] = await eventually(() => (delivered().length >= 1 ? delivered() : undefined));
    expect(message?.title).to.equal('temperature-monitor.alert_firing: web-01/CPU #1 Temperature');
    expect(message?.severity).to.equal('critical');
    expect(message?.message).to.equal('CPU #1 Temperature on web-01 is 47 °C, past its critical threshold of 45 °C.');
    expect(message?.data).to.include({
      event: 'temperature-monitor.alert_firing',
      subject: 'web-01/CPU #1 Temperature',
      source: 'temperature-monitor',
    });
    const [event] = await tm.server.services.eventStore.list({ name: 'temperature-monitor.alert_firing', limit: 5 });
    expect(event?.payload).to.include({
      subject: 'web-01/CPU #1 Temperature',
      reading: 47,
      threshold: 45,
      severity: 'critical',
      hostId,
      sensorId,
    });
  });

  it('47 → 41 °C leaves critical for warning (the same alert), 39 °C resolves it; each transition delivered', async () => {
    const [{ id } = {}] = await firing();
    bmc.setSensor('CPU1Temp', 41);
    await poll();
    // The alert now stands at the warning threshold (42); its history records the 43 °C (45 − 2) it came back past.
    const [now] = await firing();
    expect(now).to.include({ id, severity: 'warning', reading: 41, threshold: 42 });
    bmc.setSensor('CPU1Temp', 39);
    await poll();
    expect(await firing()).to.deep.equal([]);
    const { body } = await tm.api('GET', '/alerts?state=resolved');
    expect(body.alerts[0]).to.include({ id, state: 'resolved', severity: 'warning' });
    expect(Date.parse(body.alerts[0].resolvedAt)).to.be.closeTo(Date.now(), 60_000);
    const messages = await eventually(() => (delivered().length >= 3 ? delivered() : undefined));
    expect(messages.map((m) => [m.data.event, m.severity])).to.deep.equal([
      ['temperature-monitor.alert_firing', 'critical'],
      ['temperature-monitor.alert_firing', 'warning'],
      ['temperature-monitor.alert_resolved', 'warning'],
    ]);
    expect(messages[1]?.message).to.contain('(down from critical)');
    const history = await tm.server.services.db.select<{ from_state: string; to_state: string; threshold: number }>(
      'SELECT from_state, to_state, threshold FROM tm_alert_transition WHERE alert_id = $1 ORDER BY id',
      [id],
    );
    expect(history.map((t) => `${t.from_state}→${t.to_state}@${t.threshold}`)).to.deep.equal([
      'ok→critical@45',
      'critical→warning@43',
      'warning→ok@40',
    ]);
  });

  it('a host that stops answering is its own alert, muting its sensors; it resolves when the host answers', async () => {
    receiver.reset();
    bmc.setSensor('CPU1Temp', 48);
    await poll();
    expect((await firing()).map((a) => a.kind)).to.deep.equal(['sensor']);
    bmc.mode = 'down';
    await poll();
    await poll();
    const alerts = await firing();
    expect(alerts.map((a) => a.kind).sort()).to.deep.equal(['host_unreachable', 'sensor']);
    expect((await tm.api('GET', `/hosts/${hostId}`)).body.host).to.include({ state: 'unreachable' });
    bmc.mode = 'normal';
    bmc.setSensor('CPU1Temp', 30);
    await poll();
    expect(await firing()).to.deep.equal([]);
    // Deliveries run side by side, so they arrive in any order; the events were emitted in this one.
    const messages = await eventually(() => (delivered().length >= 4 ? delivered() : undefined));
    const expected = ['alert_firing', 'host_unreachable', 'host_recovered', 'alert_resolved'].map(
      (e) => `temperature-monitor.${e}`,
    );
    expect(messages.map((m) => m.data.event)).to.have.members(expected);
    expect(messages.find((m) => m.data.event.endsWith('host_unreachable'))?.data.subject).to.equal('web-01');
    const events = await tm.server.services.eventStore.list({ name: 'temperature-monitor.*', limit: 4 });
    expect(events.map((e) => e.name).reverse()).to.deep.equal(expected);
  });
});
