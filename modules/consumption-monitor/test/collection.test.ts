import { expect } from 'chai';
import { startFakePdu, type FakePdu } from '../../../dist/test/fixtures/fake-pdu.js';
import { eventually, finished, runJob } from '../../../dist/test/helpers/jobs.js';
import { formEndpoint } from './helpers/endpoints.js';
import { startCmServer, type CmServer } from './helpers/cm-server.js';

/** The collection job in its worker thread against the fake PDU: sessions, bad values, errors and events. */
describe('consumption monitor: collection', function () {
  this.timeout(60_000);
  let cm: CmServer;
  let pdu: FakePdu;
  before(async () => {
    [cm, pdu] = await Promise.all([startCmServer(), startFakePdu()]);
  });
  after(async () => {
    await Promise.all([cm?.close(), pdu?.close()]);
  });

  const collect = async (endpointIds: string[]) => {
    const execution = await runJob(cm.server, 'consumption-monitor', 'collect-consumption', { endpointIds });
    expect(execution.status, JSON.stringify(execution.error)).to.equal('succeeded');
    return execution;
  };
  const create = async (body: Record<string, unknown>) => {
    const created = await cm.api('POST', '/endpoints', body);
    expect(created.status, JSON.stringify(created.body)).to.equal(201);
    return created.body.id as string;
  };
  const readings = async (endpointId: string) =>
    (await cm.api('GET', `/consumption/readings?endpointId=${endpointId}&limit=100`)).body.readings.reverse();
  const events = (name: string, subject: string) =>
    cm.server.services.eventStore.list({ name }).then((all) => all.filter((event) => event.subject === subject));

  /**
   * Runs the job on endpoint `id` (whose page is the PDU's `/drawn`) and saves `edit` over `body` once the page is
   * loaded, while it waits 1.5 s to draw its value: what the run stored, and the logins the PDU saw meanwhile.
   */
  const readWhileEditing = async (id: string, body: Record<string, unknown>, edit: Record<string, unknown>) => {
    pdu.requests.length = 0;
    const logins = pdu.logins;
    const queued = await cm.server.services.scheduler.executeJob('consumption-monitor', 'collect-consumption', {
      data: { endpointIds: [id] },
      actor: 'test',
    });
    await eventually(() => pdu.requests.some((request) => request.path === '/drawn'));
    expect((await cm.api('PUT', `/endpoints/${id}`, { ...body, ...edit })).status).to.equal(200);
    const execution = await finished(cm.server, queued.id);
    const { data } = execution.result as { data: { ok: number; notStored: number } };
    return { queued, data, logins: pdu.logins - logins };
  };

  it('keeps the device login between reads: one login for many, a new one after the PDU drops the session', async () => {
    const id = await create({ ...formEndpoint(pdu, 'Session PDU'), ratedPowerKw: null });
    pdu.logins = 0;
    for (let run = 0; run < 3; run += 1) await collect([id]);
    expect(pdu.logins).to.equal(1);
    pdu.dropSessions();
    await collect([id]);
    await collect([id]);
    expect(pdu.logins).to.equal(2);
    const stored = await readings(id);
    expect(stored.map((r: { status: string; value: number }) => [r.status, r.value])).to.deep.equal(
      Array(5).fill(['ok', 1234.5]),
    );
    // A healthy endpoint is never reported failing, so it never 'recovers' either.
    expect(await events('scraping.failed', 'Session PDU')).to.deep.equal([]);
    expect(await events('consumption-monitor.recovered', 'Session PDU')).to.deep.equal([]);
    expect((await cm.api('GET', `/endpoints/${id}`)).body.state).to.equal('ok');
    // The session's cookies are sealed at rest, like the password.
    const [row] = await cm.server.services.db.select<{ session: string }>(
      'SELECT session FROM cm_endpoint WHERE id = $1',
      [id],
    );
    expect(row!.session)
      .to.match(/^nxf1\./)
      .and.not.include('pdu_session');
  });

  it('stores suspect values with their reason, and a large dip as a reset', async () => {
    const id = await create({
      ...formEndpoint(pdu, 'Judged PDU'),
      url: `${pdu.url}/open`,
      auth: { type: 'none' },
      ratedPowerKw: 7.4,
    });
    const readAs = async (text: string) => {
      pdu.reading = text;
      await collect([id]);
      return (await readings(id)).at(-1);
    };
    expect(await readAs('1,000.0 kWh')).to.include({ status: 'ok', value: 1000, reset: false });
    // 1000 → 950: a dip of 5 %, under 10 %: a glitch.
    expect(await readAs('950 kWh'))
      .to.include({ status: 'suspect', value: 950 })
      .and.have.property('reason')
      .that.matches(/glitch/);
    // 7.4 kW for the few seconds between reads is a few Wh; a rise of 500 kWh cannot be.
    expect(await readAs('1,500 kWh'))
      .to.include({ status: 'suspect' })
      .and.have.property('reason')
      .that.matches(/rated 7.4 kW/);
    expect(await readAs('-5 kWh'))
      .to.include({ status: 'suspect' })
      .and.have.property('reason')
      .that.matches(/Negative/);
    // 1000 (the last ok) → 12: a dip of 98.8 %: a meter reset, counted.
    expect(await readAs('12 kWh')).to.include({ status: 'ok', value: 12, reset: true });
    expect(await readAs('n/a')).to.include({ status: 'error', value: null, errorCode: 'NXF_SCRAPE_PARSE', raw: null });
  });

  it('waits for a value the page draws after "loading…"', async () => {
    pdu.reading = '2,000.5 kWh';
    const id = await create({
      ...formEndpoint(pdu, 'Drawn PDU'),
      url: `${pdu.url}/drawn?delay=400`,
      auth: { type: 'none' },
    });
    const tested = await cm.api('POST', `/endpoints/${id}/test`);
    expect(tested.body).to.include({ success: true, value: 2000.5, raw: '2,000.5 kWh' });
  });

  it('records failures with their code and screenshot; scraping.failed once per streak; recovered after', async () => {
    pdu.reading = '1,234.5 kWh';
    const id = await create({ ...formEndpoint(pdu, 'Flaky PDU'), url: `${pdu.url}/error`, auth: { type: 'none' } });
    await collect([id]);
    await collect([id]);
    const [first, second] = await readings(id);
    expect(first).to.include({ status: 'error', errorCode: 'NXF_SCRAPE_HTTP', value: null });
    expect(first.screenshot).to.match(/^screenshots\/.+\.png$/);
    expect(second.status).to.equal('error');
    expect(await events('scraping.failed', 'Flaky PDU')).to.have.length(1);
    await cm.api('PUT', `/endpoints/${id}`, {
      ...formEndpoint(pdu, 'Flaky PDU'),
      url: `${pdu.url}/open`,
      auth: { type: 'none' },
    });
    await collect([id]);
    expect((await readings(id)).at(-1)).to.include({ status: 'ok', value: 1234.5 });
    const [recovered] = await events('consumption-monitor.recovered', 'Flaky PDU');
    expect(recovered?.payload).to.include({ endpointId: id });
  });

  it('says what is wrong with a wrong password, a selector that matches nothing and an unreachable device', async () => {
    const wrong = await create({
      ...formEndpoint(pdu, 'Wrong password'),
      auth: { ...formEndpoint(pdu).auth, password: 'nope' },
    });
    const noMatch = await create({
      ...formEndpoint(pdu, 'No match'),
      url: `${pdu.url}/open`,
      selector: '#nothing',
      auth: { type: 'none' },
      timeoutSeconds: 2,
    });
    const gone = await create({
      ...formEndpoint(pdu, 'Gone'),
      url: 'http://127.0.0.1:9/meter',
      auth: { type: 'none' },
    });
    const codes = await Promise.all(
      [wrong, noMatch, gone].map(async (id) => (await cm.api('POST', `/endpoints/${id}/test`)).body),
    );
    expect(codes.map((c) => c.errorCode)).to.deep.equal([
      'NXF_SCRAPE_AUTH',
      'NXF_SCRAPE_SELECTOR',
      'NXF_SCRAPE_UNREACHABLE',
    ]);
    for (const outcome of codes)
      expect(outcome).to.include({ success: false, value: null }).and.have.property('error').that.is.a('string');
    // Testing stores nothing.
    expect(await readings(wrong)).to.deep.equal([]);
  });

  it('an endpoint edited while the job reads it: a label edit keeps the reading, an address edit stores none', async () => {
    const body = { ...formEndpoint(pdu, 'Edited PDU'), url: `${pdu.url}/drawn?delay=1500`, auth: { type: 'none' } };
    const id = await create(body);
    const runWhileEditing = (edit: Record<string, unknown>) => readWhileEditing(id, body, edit);
    // A new rack label does not change what the read means: the reading is kept.
    const relabelled = await runWhileEditing({ rack: 'R9' });
    expect(relabelled.data).to.include({ ok: 1, notStored: 0 });
    expect((await readings(id)).map((r: { status: string; value: number }) => [r.status, r.value])).to.deep.equal([
      ['ok', 1234.5],
    ]);
    // A new address does: that read is from a device the endpoint no longer names.
    const moved = await runWhileEditing({ rack: 'R9', url: `${pdu.url}/drawn?delay=1500&moved=1` });
    expect(moved.data).to.include({ ok: 0, notStored: 1 });
    expect(await readings(id)).to.have.length(1);
    const log = await cm.server.services.executions.logs.list(moved.queued.id);
    expect(log.map((line: { message: string }) => line.message).join('\n')).to.include(
      'Edited PDU was deleted, or how it is read was edited, while it was read',
    );
  });

  it('keeps no login made with credentials edited during the read; a label edit keeps reading and login', async () => {
    // The meter draws its value 1.5 s after the page loads: the edit is saved while the read waits for it.
    const body = { ...formEndpoint(pdu, 'Rekeyed PDU'), url: `${pdu.url}/drawn?delay=1500` };
    const { password: _unchanged, ...authKeepingPassword } = body.auth;
    const id = await create(body);
    const sessionOf = async () =>
      (
        await cm.server.services.db.select<{ session: string | null }>(
          'SELECT session FROM cm_endpoint WHERE id = $1',
          [id],
        )
      )[0]!.session;
    const runWhileEditing = (edit: Record<string, unknown>) => readWhileEditing(id, body, edit);
    // A new label, the password left unchanged (as the form leaves it): the reading and the login are kept.
    const relabelled = await runWhileEditing({ labels: { customer: 'Acme', rack: 'R9' }, auth: authKeepingPassword });
    expect(relabelled.data).to.include({ ok: 1, notStored: 0 });
    expect(relabelled.logins).to.equal(1);
    expect(await sessionOf()).to.match(/^nxf1\./);
    // A new password: the read signed in with the old one, so neither its reading nor its login is kept, and the
    // next read signs in with the new one. (The stored login is dropped first so that this read makes one.)
    await cm.server.services.db.execute('UPDATE cm_endpoint SET session = NULL WHERE id = $1', [id]);
    const rekeyed = await runWhileEditing({ auth: { ...body.auth, password: 'a-new-password' } });
    expect(rekeyed.data).to.include({ ok: 0, notStored: 1 });
    expect(rekeyed.logins).to.equal(1);
    expect(await sessionOf()).to.equal(null);
  });

  it('marks an endpoint stale after three missed intervals, once, and recovered when it reads again', async () => {
    const id = await create({
      ...formEndpoint(pdu, 'Stale PDU'),
      url: `${pdu.url}/error`,
      auth: { type: 'none' },
      pollIntervalMinutes: 1,
    });
    await cm.server.services.db.execute(
      `UPDATE cm_endpoint SET created_at = now() - interval '4 minutes' WHERE id = $1`,
      [id],
    );
    await collect([id]);
    await collect([id]);
    const stale = await events('consumption-monitor.stale', 'Stale PDU');
    expect(stale).to.have.length(1);
    expect(stale[0]!.severity).to.equal('warning');
    expect((await cm.api('GET', `/endpoints/${id}`)).body.state).to.equal('stale');
    await cm.api('PUT', `/endpoints/${id}`, {
      ...formEndpoint(pdu, 'Stale PDU'),
      url: `${pdu.url}/open`,
      auth: { type: 'none' },
      pollIntervalMinutes: 1,
    });
    await collect([id]);
    expect((await cm.api('GET', `/endpoints/${id}`)).body.state).to.equal('ok');
    expect(await events('consumption-monitor.recovered', 'Stale PDU')).to.have.length(1);
  });
  it('disabled mid-run: the read under way is stored, no other starts, nothing is invented, the job is gone', async () => {
    pdu.reading = '1,234.5 kWh';
    const ids: string[] = [];
    for (const n of [1, 2, 3, 4]) {
      ids.push(
        await create({
          ...formEndpoint(pdu, `Slow PDU ${n}`),
          url: `${pdu.url}/drawn?delay=1500`,
          auth: { type: 'none' },
        }),
      );
    }
    const { scheduler, db } = cm.server.services;
    await scheduler.saveJobConfig('consumption-monitor', 'collect-consumption', { batchSize: 1 }, 'test');
    pdu.requests.length = 0;
    const queued = await scheduler.executeJob('consumption-monitor', 'collect-consumption', {
      data: { endpointIds: ids },
      actor: 'test',
    });
    await eventually(() => pdu.requests.some((request) => request.path === '/drawn'));
    // The run gets the unmount grace (2 s here) to finish, then is cancelled: 4 reads of 1.5 s cannot all be done.
    await cm.server.services.modules.disable('consumption-monitor', { name: 'test' });
    const execution = await finished(cm.server, queued.id);
    expect(execution.status).to.be.oneOf(['cancelled', 'succeeded']);
    const started = pdu.requests.filter((request) => request.path === '/drawn').length;
    const stored = await db.select<{ endpoint_id: string; status: string; value: number }>(
      'SELECT endpoint_id, status, value FROM cm_reading WHERE endpoint_id = ANY($1::uuid[])',
      [ids],
    );
    expect(started).to.be.within(1, 3);
    // The read under way when the module was disabled finished and was stored; only reads that happened are.
    expect(stored.length).to.be.within(1, started);
    for (const reading of stored) expect(reading).to.include({ status: 'ok', value: 1234.5 });
    expect(new Set(stored.map((reading) => reading.endpoint_id)).size).to.equal(stored.length);
    expect((await scheduler.listJobs()).map((job) => job.key)).not.to.include(
      'consumption-monitor/collect-consumption',
    );
    await cm.server.services.modules.enable('consumption-monitor', { name: 'test' });
    await scheduler.saveJobConfig('consumption-monitor', 'collect-consumption', { batchSize: 4 }, 'test');
    const next = await collect(ids);
    expect((next.result as { data: unknown }).data).to.deep.include({ read: 4, ok: 4 });
  });
});
