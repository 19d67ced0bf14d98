import { expect } from 'chai';
import { apiRequest } from '../../../dist/test/helpers/web-client.js';
import { addEndpoint, importReadings, lineOf } from './helpers/billing.js';
import { startCmServer, type CmServer } from './helpers/cm-server.js';

/**
 * Correcting a stored reading (`PATCH /consumption/readings/:id`): the ledger on both sides of it is counted
 * again, a closed month keeps its issued figure and carries the difference, and the billing rule still holds.
 */
describe('consumption monitor: correcting a reading', function () {
  this.timeout(60_000);
  let cm: CmServer;
  let endpointId: string;
  let misreadId: string;
  const correct = (id: string, body: unknown) => cm.api('PATCH', `/consumption/readings/${id}`, body);
  const readingAt = async (at: string) => {
    const { readings } = (await cm.api('GET', `/consumption/readings?endpointId=${endpointId}`)).body;
    return readings.find((r: { at: string }) => r.at === at);
  };

  before(async () => {
    cm = await startCmServer(); // months in UTC, the default timezone
    endpointId = await addEndpoint(cm, 'Fix PDU', { poll: 60 });
    await importReadings(cm, 'Fix PDU', [
      ['2025-05-31T22:00:00Z', 100],
      ['2025-05-31T23:00:00Z', 190], // misread: the meter said 110
      ['2025-06-01T01:00:00Z', 130],
    ]);
    misreadId = (await readingAt('2025-05-31T23:00:00.000Z')).id;
  });
  after(() => cm?.close());

  it('counts the misread as the rule says until it is corrected, then closes May with it', async () => {
    // 100 → 190: 90 kWh, all in May. 190 → 130 is a dip of 31.6 % (≥ 10 %): a reset, counted up from zero, so
    // 130 kWh spread over 23:00–01:00, half in May and half in June: May 90 + 65 = 155, June 65.
    expect(await lineOf(cm, '2025-05', endpointId)).to.include({ kwh: 155, resets: 1 });
    expect(await lineOf(cm, '2025-06', endpointId)).to.include({ kwh: 65, resets: 0 });
    expect((await cm.api('POST', '/consumption/months/2025-05/close')).status).to.equal(200);
  });

  it('stops counting a reading marked suspect: its neighbours are one interval now; the closed May carries the difference', async () => {
    const answer = await correct(misreadId, { status: 'suspect', reason: 'Misread by the PDU web page' });
    expect(answer.status, JSON.stringify(answer.body)).to.equal(200);
    expect(answer.body).to.include({
      id: misreadId,
      status: 'suspect',
      value: 190,
      reason: 'Misread by the PDU web page',
    });
    expect(answer.body.reset).to.equal(false);
    // 100 → 130 over 22:00–01:00: 30 kWh, 10 an hour: May holds 20 now, June 10, and no reset.
    // May was issued with 155: it keeps that, and June carries 20 − 155 = −135 kWh.
    expect(await lineOf(cm, '2025-05', endpointId)).to.include({ kwh: 155, resets: 1 });
    expect(await lineOf(cm, '2025-06', endpointId)).to.include({ kwh: 10, resets: 0, adjustmentKwh: -135 });
    const [entry] = await cm.server.services.audit.query({ action: 'consumption-monitor.reading.correct' });
    expect(entry!.target).to.equal(misreadId);
    expect(entry!.details).to.deep.include({
      reason: 'Misread by the PDU web page',
      before: { status: 'ok', value: 190 },
      after: { status: 'suspect', value: 190 },
    });
  });

  it('counts a reading again with its right value', async () => {
    const answer = await correct(misreadId, { status: 'ok', value: 110, reason: 'The meter said 110 kWh' });
    expect(answer.body).to.include({ status: 'ok', value: 110, reset: false });
    // 100 → 110 → 130: 10 kWh in 22:00–23:00, 20 over 23:00–01:00 (10 in May, 10 in June): May 20, June 10 —
    // the same split as without it, as both intervals are even; June still carries 20 − 155 = −135.
    expect(await lineOf(cm, '2025-06', endpointId)).to.include({ kwh: 10, adjustmentKwh: -135 });
    const { body } = await cm.api(
      'GET',
      `/consumption/energy?endpointId=${endpointId}&from=2025-05-31T22:00:00Z&to=2025-06-01T01:00:00Z`,
    );
    expect(body.points.map((p: { kwh: number }) => p.kwh)).to.deep.equal([10, 10, 10]);
  });

  it('refuses to count a glitch, and changes nothing then', async () => {
    // 95 after 100 is a dip of 5 %: the rule never counts it.
    const refused = await correct(misreadId, { status: 'ok', value: 95, reason: 'Typed from the display' });
    expect(refused.status).to.equal(422);
    expect(refused.body.error.code).to.equal('CM_READING_NOT_COUNTABLE');
    expect(await readingAt('2025-05-31T23:00:00.000Z')).to.include({ status: 'ok', value: 110 });
    expect(await lineOf(cm, '2025-06', endpointId)).to.include({ kwh: 10, adjustmentKwh: -135 });
  });

  it('refuses bad corrections by field, unknown readings, a failed reading without a value, and readers', async () => {
    const bad = await correct(misreadId, { status: 'error', value: -1, reason: 'x' });
    expect(bad.status).to.equal(422);
    expect(Object.keys(bad.body.error.details).sort()).to.deep.equal(['reason', 'status', 'value']);
    expect(
      (await correct(misreadId, { status: 'ok', value: '110', reason: 'as text' })).body.error.details,
    ).to.have.key('value');
    expect((await correct('999999999', { status: 'ok', reason: 'nobody' })).status).to.equal(404);
    expect((await correct('abc', { status: 'ok', reason: 'nobody' })).status).to.equal(404);
    await cm.server.services.db.execute(
      `INSERT INTO cm_reading (endpoint_id, recorded_at, value, status, error_code, error_message)
       VALUES ($1, '2025-06-01T02:00:00Z', NULL, 'error', 'NXF_SCRAPE_TIMEOUT', 'timed out')`,
      [endpointId],
    );
    const failed = await readingAt('2025-06-01T02:00:00.000Z');
    const noValue = await correct(failed.id, { status: 'ok', reason: 'It did answer' });
    expect(noValue.status).to.equal(422);
    expect(noValue.body.error.details).to.have.key('value');
    const viewer = await cm.server.services.users.create({
      username: 'vera',
      password: 'viewer-password-1',
      role: 'viewer',
    });
    const { token } = await cm.server.services.apiTokens.create(viewer.id, 'read');
    const path = `/api/v1/m/consumption-monitor/consumption/readings/${misreadId}`;
    const forbidden = await apiRequest(cm.server.url, token, 'PATCH', path, { status: 'suspect', reason: 'not mine' });
    expect(forbidden.status).to.equal(403);
    expect(await readingAt('2025-05-31T23:00:00.000Z')).to.include({ status: 'ok', value: 110 });
  });
});
