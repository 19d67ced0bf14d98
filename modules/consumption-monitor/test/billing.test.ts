import { request as httpRequest } from 'node:http';
import { expect } from 'chai';
import { testAdminPassword } from '../../../dist/test/helpers/server.js';
import { apiRequest, WebClient } from '../../../dist/test/helpers/web-client.js';
import { addEndpoint, importReadings, lineOf } from './helpers/billing.js';
import { startCmServer, type CmServer } from './helpers/cm-server.js';

/** Closing months, adjustments, tariffs and the import API, with the bad input each must refuse. */
describe('consumption monitor: closing months, tariffs and the import of readings', function () {
  this.timeout(60_000);
  let cm: CmServer;
  let operatorToken: string;
  const importPath = '/api/v1/m/consumption-monitor/consumption/readings/import';
  const send = async (body: BodyInit, contentType?: string) => {
    const response = await fetch(new URL(importPath, cm.server.url), {
      method: 'POST',
      headers: { authorization: `Bearer ${cm.token}`, ...(contentType ? { 'content-type': contentType } : {}) },
      body,
    });
    return { status: response.status, body: (await response.json()) as any };
  };
  const readingsOf = async (id: string) =>
    (await cm.api('GET', `/consumption/readings?endpointId=${id}&limit=1000`)).body.readings as { value: number }[];
  const audits = (action: string) => cm.server.services.audit.query({ action: `consumption-monitor.${action}` });

  before(async () => {
    cm = await startCmServer();
    const operator = await cm.server.services.users.create({
      username: 'otto',
      password: 'operator-password-1',
      role: 'operator',
    });
    operatorToken = (await cm.server.services.apiTokens.create(operator.id, 'billing')).token;
    await cm.server.services.modules.saveSettings(
      'consumption-monitor',
      { pricePerKwh: 0.25, currency: 'EUR' },
      { name: 'tests' },
    );
  });
  after(() => cm?.close());

  describe('import', function () {
    let csvPdu: string;
    const csv = 'endpoint,timestamp,value\nCSV PDU,2025-03-01T00:00:00Z,1\ncsv pdu,2025-03-01T00:15:00+00:00,2\n';
    before(async () => {
      csvPdu = await addEndpoint(cm, 'CSV PDU');
    });

    it('takes a CSV body, names or ids of endpoints, and reports a second import of the same rows as duplicates', async () => {
      expect(await send(csv, 'text/csv')).to.deep.equal({ status: 200, body: { imported: 2, duplicates: 0 } });
      expect(await send(csv, 'text/csv')).to.deep.equal({ status: 200, body: { imported: 0, duplicates: 2 } });
      // The same time twice in one file, the second by id: one stored, one duplicate.
      const twice = `endpoint,timestamp,value\n${csvPdu},2025-03-01T00:30:00Z,3\nCSV PDU,2025-03-01T00:30:00Z,3\n`;
      expect((await send(twice, 'text/csv')).body).to.deep.equal({ imported: 1, duplicates: 1 });
      expect((await readingsOf(csvPdu)).map((r) => r.value)).to.deep.equal([3, 2, 1]);
      const [entry] = await audits('readings.import');
      expect(entry!.details).to.deep.equal({ imported: 1, duplicates: 1 });
      // A leap day, to the millisecond: stored as written.
      const leapPdu = await addEndpoint(cm, 'Leap PDU');
      const leap = 'endpoint,timestamp,value\nLeap PDU,2024-02-29T23:59:59.500Z,0.5\n';
      expect((await send(leap, 'text/csv')).body).to.deep.equal({ imported: 1, duplicates: 0 });
      const [stored] = (await readingsOf(leapPdu)) as unknown as { at: string; value: number }[];
      expect(stored).to.include({ at: '2024-02-29T23:59:59.500Z', value: 0.5 });
    });

    it('leaves out rows at the time of a stored reading, failed ones too, and keeps the first of two at one time', async () => {
      const id = await addEndpoint(cm, 'Merge PDU');
      await cm.server.services.db.execute(
        `INSERT INTO cm_reading (endpoint_id, recorded_at, status, error_code, error_message)
         VALUES ($1, '2025-05-01T00:15:00Z', 'error', 'CM_READ_FAILED', 'timeout')`,
        [id],
      );
      const rows = [
        ['00:00', 10],
        ['00:15', 11], // the time of the failed reading: a duplicate
        ['00:30', 12],
        ['00:30', 99], // a second row at 00:30: a duplicate, the first one stays
        ['00:45', 1], // down from 12 by more than 10 %: a reset
      ].map(([time, value]) => `Merge PDU,2025-05-01T${time}:00Z,${value}`);
      const answer = await send(`endpoint,timestamp,value\n${rows.join('\n')}\n`, 'text/csv');
      expect(answer).to.deep.equal({ status: 200, body: { imported: 3, duplicates: 2 } });
      const stored = (await readingsOf(id)) as unknown as {
        at: string;
        value: number | null;
        status: string;
        reset: boolean;
      }[];
      expect(
        stored
          .map((r) => [r.at.slice(11, 16), r.value, r.status, r.reset])
          .sort(([a], [b]) => String(a).localeCompare(String(b))),
      ).to.deep.equal([
        ['00:00', 10, 'ok', false],
        ['00:15', null, 'error', false],
        ['00:30', 12, 'ok', false],
        ['00:45', 1, 'ok', true],
      ]);
      // 10 → 12 is 2 kWh; the reset counts 1 kWh up from zero: 3 kWh in May, one reset.
      expect(await lineOf(cm, '2025-05', id)).to.include({ kwh: 3, resets: 1 });
    });

    it('takes the multipart field "file", and refuses a multipart body without it', async () => {
      const form = new FormData();
      form.append('file', new Blob(['endpoint,timestamp,value\nCSV PDU,2025-03-01T00:45:00Z,4\n']), 'march.csv');
      expect((await send(form)).body).to.deep.equal({ imported: 1, duplicates: 0 });
      const wrong = new FormData();
      wrong.append('upload', new Blob([csv]), 'march.csv');
      const refused = await send(wrong);
      expect(refused.status).to.equal(422);
      expect(refused.body.error.message).to.contain('multipart field "file"');
    });

    it('refuses the whole file when a row is wrong, naming each line and what is wrong; stores nothing', async () => {
      const before = (await readingsOf(csvPdu)).length;
      const bad = [
        'endpoint,timestamp,value',
        'CSV PDU,2025-03-02T00:00:00Z,5', // good, but the file is refused as a whole
        'CSV PDU,2025-03-02T00:15:00,6',
        'CSV PDU,2099-01-01T00:00:00Z,7',
        'CSV PDU,2025-03-02T00:30:00Z,seven',
        'Nobody PDU,2025-03-02T00:45:00Z,8',
        'CSV PDU,2025-03-02T01:00:00Z,-1',
        'CSV PDU,2025-02-29T01:15:00Z,9', // 2025 is not a leap year
      ].join('\n');
      const refused = await send(bad, 'text/csv');
      expect(refused.status).to.equal(422);
      expect(refused.body.error.code).to.equal('NXF_VALIDATION');
      expect(refused.body.error.message).to.contain('6 rows are not valid; nothing was imported');
      expect(refused.body.error.details).to.deep.equal([
        {
          line: 3,
          message: 'The timestamp "2025-03-02T00:15:00" has no time zone: add Z or an offset such as +01:00.',
        },
        { line: 4, message: 'The timestamp 2099-01-01T00:00:00Z is in the future.' },
        { line: 5, message: 'The value "seven" is not a number.' },
        { line: 6, message: 'Unknown endpoint "Nobody PDU": give the name or id of an existing endpoint.' },
        { line: 7, message: 'The value -1 is below 0.' },
        {
          line: 8,
          message:
            '"2025-02-29T01:15:00Z" is not a valid date and time (you specified 29 (of type number) as a day, which is invalid).',
        },
      ]);
      expect(await readingsOf(csvPdu)).to.have.length(before);
    });

    it('refuses a CSV without the columns, a broken CSV, JSON without readings and other content types', async () => {
      const header = await send('name,time,kwh\nCSV PDU,2025-03-01T00:00:00Z,1\n', 'text/csv');
      expect(header.status).to.equal(422);
      expect(header.body.error.details).to.deep.equal([
        { line: 1, message: 'Missing columns: endpoint, timestamp, value.' },
      ]);
      const broken = await send('endpoint,timestamp,value\n"CSV PDU,2025-03-01T00:00:00Z,1\n', 'text/csv');
      expect(broken.status).to.equal(422);
      expect(broken.body.error.message).to.equal('The CSV could not be read.');
      expect((await cm.api('POST', '/consumption/readings/import', { rows: [] })).status).to.equal(422);
      expect((await send('<readings/>', 'application/xml')).status).to.equal(415);
    });

    it('takes rows in any order: out of order they give the same statement as in order', async () => {
      const ordered = await addEndpoint(cm, 'Ordered PDU');
      const shuffled = await addEndpoint(cm, 'Shuffled PDU');
      const rows: [string, number][] = [
        ['2025-04-01T00:00:00Z', 10],
        ['2025-04-01T00:15:00Z', 12],
        ['2025-04-01T00:30:00Z', 13],
        ['2025-04-01T00:45:00Z', 16],
      ];
      await importReadings(cm, ordered, rows);
      await importReadings(cm, shuffled, [rows[2]!, rows[0]!, rows[3]!]);
      await importReadings(cm, shuffled, [rows[1]!]); // between two stored readings: the neighbours are recounted
      // 10 → 12 → 13 → 16: 6 kWh either way.
      const { name: _a, endpointId: _b, ...a } = await lineOf(cm, '2025-04', ordered);
      const { name: _c, endpointId: _d, ...b } = await lineOf(cm, '2025-04', shuffled);
      expect(a).to.deep.equal(b);
      expect(a.kwh).to.equal(6);
    });

    it('stores nothing of an upload its client cuts off halfway, and takes the same file whole afterwards', async () => {
      const cut = await addEndpoint(cm, 'Cut PDU');
      const rows = Array.from(
        { length: 2000 },
        (_, i) => `Cut PDU,${new Date(Date.UTC(2025, 6, 1) + i * 900_000).toISOString()},${i}`,
      );
      const half = `endpoint,timestamp,value\n${rows.slice(0, 1000).join('\n')}\n`;
      // A chunked upload that stops after half of its rows and then drops the connection.
      const upload = httpRequest(new URL(importPath, cm.server.url), {
        method: 'POST',
        headers: { authorization: `Bearer ${cm.token}`, 'content-type': 'text/csv' },
      });
      upload.on('error', () => undefined); // the connection is ours to drop
      upload.write(half);
      await new Promise((resolve) => setTimeout(resolve, 300));
      upload.destroy();
      // The second import waits for the first's transaction to end: it stores every row, so the first stored none.
      const whole = await send(`endpoint,timestamp,value\n${rows.join('\n')}\n`, 'text/csv');
      expect(whole).to.deep.equal({ status: 200, body: { imported: 2000, duplicates: 0 } });
      // 0 → 1999 in steps of 1 kWh, all in July 2025: 1999 kWh.
      expect(await lineOf(cm, '2025-07', cut)).to.include({ kwh: 1999 });
    });
  });

  describe('closing a month', function () {
    let adjust: string;
    let acme: string;
    before(async () => {
      adjust = await addEndpoint(cm, 'Adjust PDU', { customer: 'Beta' });
      acme = await addEndpoint(cm, 'Acme PDU', { customer: 'Acme' });
      expect((await cm.api('PUT', '/consumption/tariffs/Acme', { pricePerKwh: 0.3 })).status).to.equal(200);
      await importReadings(cm, adjust, [
        ['2025-01-10T00:00:00Z', 10],
        ['2025-01-10T00:15:00Z', 11],
      ]);
      await importReadings(cm, acme, [
        ['2025-01-10T00:00:00Z', 100],
        ['2025-01-10T00:15:00Z', 104.5],
      ]);
    });

    it('prices statements: the setting, a customer’s own price, rounded to cents; never a negative price', async () => {
      const { body } = await cm.api('GET', '/consumption/monthly-summary?month=2025-01');
      // Adjust PDU (Beta, the setting's 0.25): 1 kWh → 0.25. Acme PDU (Acme's own 0.30): 4.5 kWh → 1.35.
      expect(await lineOf(cm, '2025-01', adjust)).to.include({ kwh: 1, adjustmentKwh: 0, costAmount: 0.25 });
      expect(await lineOf(cm, '2025-01', acme)).to.include({ kwh: 4.5, costAmount: 1.35 });
      expect(body).to.include({ currency: 'EUR', closed: false });
      // Totals: 1 + 4.5 = 5.5 kWh (other endpoints have no January energy), 0.25 + 1.35 = 1.60.
      expect(body.totals).to.deep.equal({ kwh: 5.5, costAmount: 1.6 });
      const negative = await cm.api('PUT', '/consumption/tariffs/Acme', { pricePerKwh: -0.1 });
      expect(negative.status).to.equal(422);
      expect(negative.body.error.details).to.have.property('pricePerKwh');
      expect((await cm.api('GET', '/consumption/tariffs')).body).to.deep.equal({
        pricePerKwh: 0.25,
        currency: 'EUR',
        tariffs: [{ customer: 'Acme', pricePerKwh: 0.3 }],
      });
    });

    it('refuses a negative price per kWh on the settings page', async () => {
      const admin = new WebClient(cm.server.url);
      await admin.login('admin', testAdminPassword);
      const page = await admin.post('/admin/modules/consumption-monitor/settings', {
        pricePerKwh: '-0.25',
        currency: 'EUR',
        timezone: 'UTC',
      });
      expect(page.status).to.equal(422);
      expect(page.text.match(/At least 0\./g)).to.have.length(1);
      expect((await cm.api('GET', '/consumption/tariffs')).body.pricePerKwh).to.equal(0.25);
    });

    it('closes a month that has ended, once, audited; not one still running', async () => {
      const thisMonth = new Date().toISOString().slice(0, 7);
      const running = await cm.api('POST', `/consumption/months/${thisMonth}/close`);
      expect(running.status).to.equal(409);
      expect(running.body.error.code).to.equal('CM_MONTH_NOT_ENDED');
      expect((await cm.api('POST', '/consumption/months/2025-13/close')).status).to.equal(400);
      expect(await cm.api('POST', '/consumption/months/2025-01/close')).to.deep.equal({
        status: 200,
        body: { month: '2025-01', closed: true },
      });
      const twice = await cm.api('POST', '/consumption/months/2025-01/close');
      expect(twice.status).to.equal(409);
      expect(twice.body.error.code).to.equal('CM_MONTH_CLOSED');
      const [entry] = await audits('month.close');
      expect(entry).to.deep.include({ target: '2025-01', actorName: 'admin', outcome: 'success' });
    });

    it('keeps an issued figure when readings arrive later, carrying the difference to the next open month', async () => {
      await importReadings(cm, adjust, [
        ['2025-01-20T00:00:00Z', 15],
        ['2025-01-20T00:15:00Z', 16],
      ]);
      // January now holds 1 + (15 − 11) + (16 − 15) = 6 kWh for Adjust PDU, but 1 kWh was issued: January keeps
      // 1 kWh and 0.25; February, the next open month, carries the 5 kWh: 5 × 0.25 = 1.25.
      expect(await lineOf(cm, '2025-01', adjust)).to.include({ kwh: 1, costAmount: 0.25 });
      expect(await lineOf(cm, '2025-02', adjust)).to.include({ kwh: 0, adjustmentKwh: 5, costAmount: 1.25 });
      // A new tariff after the close changes no issued cost: Acme's January stays 4.5 × 0.30 = 1.35.
      await cm.api('PUT', '/consumption/tariffs/Acme', { pricePerKwh: 0.5 });
      expect(await lineOf(cm, '2025-01', acme)).to.include({ kwh: 4.5, costAmount: 1.35 });
      expect((await cm.api('GET', '/consumption/monthly-summary?month=2025-01')).body.closed).to.equal(true);
      // February closed issues the 5 kWh; March carries only what arrives after that: 16 → 17 in January, 1 kWh.
      expect((await cm.api('POST', '/consumption/months/2025-02/close')).status).to.equal(200);
      expect(await lineOf(cm, '2025-02', adjust)).to.include({ adjustmentKwh: 5, costAmount: 1.25 });
      expect(await lineOf(cm, '2025-03', adjust)).to.include({ adjustmentKwh: 0 });
      await importReadings(cm, adjust, [['2025-01-25T00:00:00Z', 17]]);
      expect(await lineOf(cm, '2025-03', adjust)).to.include({ adjustmentKwh: 1, costAmount: 0.25 });
      expect(await lineOf(cm, '2025-02', adjust)).to.include({ adjustmentKwh: 5 });
    });

    it('reopens a month for administrators only, with a reason, audited; the latest closed month first', async () => {
      const byOperator = await apiRequest(
        cm.server.url,
        operatorToken,
        'POST',
        '/api/v1/m/consumption-monitor/consumption/months/2025-02/reopen',
        { reason: 'Meter read wrongly' },
      );
      expect(byOperator.status).to.equal(403);
      const noReason = await cm.api('POST', '/consumption/months/2025-02/reopen', {});
      expect(noReason.status).to.equal(422);
      expect(noReason.body.error.details).to.have.property('reason');
      const earlier = await cm.api('POST', '/consumption/months/2025-01/reopen', { reason: 'Wrong reading' });
      expect(earlier.status).to.equal(409);
      expect(earlier.body.error.code).to.equal('CM_MONTH_LATER_CLOSED');
      expect(
        (await cm.api('POST', '/consumption/months/2025-02/reopen', { reason: 'Meter read wrongly' })).status,
      ).to.equal(200);
      const [entry] = await audits('month.reopen');
      expect(entry).to.deep.include({ target: '2025-02', actorName: 'admin' });
      expect(entry!.details).to.deep.equal({ reason: 'Meter read wrongly' });
      // February is open again: it carries all January gained since its close, 6 + 1 − 1 = 6 kWh; March nothing.
      expect(await lineOf(cm, '2025-02', adjust)).to.include({ adjustmentKwh: 6 });
      expect(await lineOf(cm, '2025-03', adjust)).to.include({ adjustmentKwh: 0 });
      const again = await cm.api('POST', '/consumption/months/2025-02/reopen', { reason: 'Twice' });
      expect(again.body.error.code).to.equal('CM_MONTH_NOT_CLOSED');
    });
  });
});
