import { expect } from 'chai';
import { addEndpoint, hourly, importReadings, lineOf } from './helpers/billing.js';
import { startCmServer, type CmServer } from './helpers/cm-server.js';

/**
 * The billing rule through the product's path — readings imported, the ledger rebuilt, the summary summed from
 * hours — on cases worked out by hand (docs/billing.md). Months are UTC unless a case says otherwise.
 */
describe('consumption monitor: hand-worked monthly statements', function () {
  this.timeout(60_000);
  let cm: CmServer;
  const setZone = (timezone: string) =>
    cm.server.services.modules.saveSettings('consumption-monitor', { timezone }, { name: 'tests' });
  before(async () => {
    cm = await startCmServer();
  });
  after(() => cm?.close());

  it('interpolates the counter at a month boundary and splits the crossing interval by time', async () => {
    const id = await addEndpoint(cm, 'Boundary PDU');
    await importReadings(cm, id, [
      ['2026-02-28T23:50:00Z', 100],
      ['2026-03-01T00:10:00Z', 102],
      ['2026-03-01T00:25:00Z', 103.5],
    ]);
    // 23:50 → 00:10 is 2 kWh over 20 minutes: 10 minutes (1 kWh) in February, 10 minutes (1 kWh) in March.
    // The counter at 00:00 is 100 + 1 = 101. March: 1 + (103.5 − 102) = 2.5 kWh, ending at 103.5.
    // Covered: 00:00 → 00:25 of March's 744 h = 25 / 44 640 min = 0.056 % → 0.1 (one decimal).
    expect(await lineOf(cm, '2026-03', id)).to.include({
      kwh: 2.5,
      startKwh: 101,
      endKwh: 103.5,
      resets: 0,
      coveragePct: 0.1,
      estimated: false,
    });
    // February: the 10 minutes before midnight, 1 kWh, from the first reading (100) to the boundary (101).
    expect(await lineOf(cm, '2026-02', id)).to.include({ kwh: 1, startKwh: 100, endKwh: 101 });
  });

  it('counts a reset mid-month up from zero', async () => {
    const id = await addEndpoint(cm, 'Reset PDU');
    await importReadings(cm, id, [
      ['2026-04-10T00:00:00Z', 500],
      ['2026-04-10T00:15:00Z', 501],
      ['2026-04-10T00:30:00Z', 2],
      ['2026-04-10T00:45:00Z', 3.5],
    ]);
    // 500 → 501: 1 kWh. 501 → 2 drops by 499 (≥ 10 % of 501): a reset, counted from zero: 2 kWh. 2 → 3.5: 1.5.
    // April: 1 + 2 + 1.5 = 4.5 kWh, one reset; the counter reads 500 at the start and 3.5 at the end.
    expect(await lineOf(cm, '2026-04', id)).to.include({ kwh: 4.5, resets: 1, startKwh: 500, endKwh: 3.5 });
    const readings = await cm.api('GET', `/consumption/readings?endpointId=${id}`);
    expect(readings.body.readings.find((r: { value: number }) => r.value === 2)).to.include({ reset: true });
  });

  it('ignores a glitch dip of less than 10 % and marks it suspect', async () => {
    const id = await addEndpoint(cm, 'Glitch PDU');
    await importReadings(cm, id, [
      ['2026-05-05T00:00:00Z', 1000],
      ['2026-05-05T00:15:00Z', 1001],
      ['2026-05-05T00:30:00Z', 995],
      ['2026-05-05T00:45:00Z', 1003],
    ]);
    // 1001 → 995 dips by 6 kWh, less than 10 % of 1001 (100.1): skipped, and 1003 is compared with 1001.
    // May: (1001 − 1000) + (1003 − 1001) = 3 kWh, no reset.
    expect(await lineOf(cm, '2026-05', id)).to.include({ kwh: 3, resets: 0, endKwh: 1003 });
    const readings = await cm.api('GET', `/consumption/readings?endpointId=${id}&status=suspect`);
    expect(readings.body.readings.map((r: { value: number }) => r.value)).to.deep.equal([995]);
  });

  it('counts a gap over the boundary, split by time, as estimated, with the coverage it leaves', async () => {
    const id = await addEndpoint(cm, 'Gap PDU', { poll: 60 });
    // Poll 60 min: an interval over 180 min is a gap. 22:00 → 02:00 is 240 min and 8 kWh, then hourly +1 kWh
    // from 02:00 on 1 July to 23:00 on 31 July (741 intervals).
    await importReadings(cm, id, [['2026-06-30T22:00:00Z', 200], ...hourly('2026-07-01T02:00:00Z', 741, 208)]);
    // The gap's 8 kWh fall 2 h in June (4 kWh) and 2 h in July (4 kWh). July: 4 + 741 × 1 = 745 kWh, relying on
    // the gap: estimated. Covered: 02:00 on the 1st to 23:00 on the 31st = 30 × 24 + 21 = 741 h of 744 h
    // = 99.596 % → 99.6. The counter at July's start: 200 + 4 = 204; at the last reading 208 + 741 = 949.
    expect(await lineOf(cm, '2026-07', id)).to.include({
      kwh: 745,
      startKwh: 204,
      endKwh: 949,
      coveragePct: 99.6,
      estimated: true,
    });
    // June: the gap's first 2 h, 4 kWh, estimated; no June time is outside the gap: coverage 0.
    expect(await lineOf(cm, '2026-06', id)).to.include({ kwh: 4, coveragePct: 0, estimated: true });
  });

  it('a single reading: no energy, the counter at both ends; no readings: nothing at all', async () => {
    const single = await addEndpoint(cm, 'Single PDU');
    const none = await addEndpoint(cm, 'Silent PDU');
    await importReadings(cm, single, [['2026-08-15T12:00:00Z', 50]]);
    // One reading bounds no interval: 0 kWh; no energy is invented before or after it, so the counter reads
    // 50 at the month's start and end as far as the readings reach; nothing is covered.
    expect(await lineOf(cm, '2026-08', single)).to.include({
      kwh: 0,
      startKwh: 50,
      endKwh: 50,
      coveragePct: 0,
      estimated: false,
    });
    expect(await lineOf(cm, '2026-08', none)).to.include({
      kwh: 0,
      startKwh: null,
      endKwh: null,
      resets: 0,
      coveragePct: 0,
      estimated: false,
    });
  });

  it('cuts a daylight-saving month in Europe/Berlin: October 2026 has 745 hours', async () => {
    const id = await addEndpoint(cm, 'Berlin PDU', { poll: 60 });
    // Hourly +1 kWh from 22:00Z on 30 September (local midnight, UTC+2) to 23:00Z on 31 October (local midnight
    // of 1 November, UTC+1): 745 intervals.
    await importReadings(cm, id, hourly('2026-09-30T22:00:00Z', 745, 0));
    await setZone('Europe/Berlin');
    try {
      // Berlin's October is 31 × 24 + 1 = 745 h (clocks go back on the 25th): all 745 kWh, fully covered.
      expect(await lineOf(cm, '2026-10', id)).to.include({ kwh: 745, startKwh: 0, endKwh: 745, coveragePct: 100 });
    } finally {
      await setZone('UTC');
    }
    // In UTC October runs 00:00Z on the 1st to 00:00Z on 1 November: the readings cover 00:00Z on the 1st to
    // 23:00Z on the 31st, 743 h (743 kWh, counter 2 → 745) of 744 h = 99.866 % → 99.9.
    expect(await lineOf(cm, '2026-10', id)).to.include({ kwh: 743, startKwh: 2, endKwh: 745, coveragePct: 99.9 });
  });

  it('integrates a power endpoint as trapezoids over intervals that are not gaps', async () => {
    const id = await addEndpoint(cm, 'Power meter', { kind: 'power' });
    await importReadings(cm, id, [
      ['2026-09-10T00:00:00Z', 2],
      ['2026-09-10T00:15:00Z', 4],
      ['2026-09-10T00:30:00Z', 4],
      ['2026-09-10T01:30:00Z', 8],
    ]);
    // (2 + 4) / 2 kW × 0.25 h = 0.75 kWh; (4 + 4) / 2 × 0.25 = 1 kWh; 00:30 → 01:30 is 60 min > 3 × 15: a gap,
    // which adds nothing. September: 1.75 kWh. Covered 30 min of 720 h = 0.069 % → 0.1; power has no counter.
    expect(await lineOf(cm, '2026-09', id)).to.include({
      kwh: 1.75,
      startKwh: null,
      endKwh: null,
      coveragePct: 0.1,
      estimated: false,
    });
  });
});
