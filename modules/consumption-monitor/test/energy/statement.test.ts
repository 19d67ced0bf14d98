import { expect } from 'chai';
import { monthStatement, type MonthStatementInput, type Reading } from '../../dist/energy/index.js';

const ok = (iso: string, value: number): Reading => ({ at: new Date(iso), value, status: 'ok' });
const HOUR = 3_600_000;

/** Readings every `minutes` from `fromIso` to `toIso` (both included), counting up from `first` by `perStep`. */
function every(minutes: number, fromIso: string, toIso: string, first: number, perStep: number): Reading[] {
  const readings: Reading[] = [];
  for (let ms = Date.parse(fromIso), i = 0; ms <= Date.parse(toIso); ms += minutes * 60_000, i++)
    readings.push({ at: new Date(ms), value: first + i * perStep, status: 'ok' });
  return readings;
}

function statement(readings: Reading[], month: string, options: Partial<MonthStatementInput> = {}) {
  return monthStatement({ kind: 'counter', readings, pollIntervalMinutes: 15, month, ...options });
}

/** The fields an invoice line shows, for comparing whole statements at a glance. */
const line = (s: ReturnType<typeof statement>) => ({
  kwh: s.kwh,
  startKwh: s.startKwh,
  endKwh: s.endKwh,
  resets: s.resets,
  estimated: s.estimated,
});

describe('energy: a month statement from readings', () => {
  it('interpolates the counter at the month edges and bills only what falls inside', () => {
    // A meter read daily (poll 1440 min). 31 Mar 23:48 999.40 → 1 Apr 00:08 1000.40: 1 kWh over 20 min, 12 of them
    // in March → startKwh = 999.40 + 0.6 = 1000.00. Then +24 kWh a day at 00:08 up to 30 Apr 1696.40, and
    // 1 May 06:08 1732.40: 36 kWh over 30 h (1800 min), 1432 min of them in April → 36 × 1432/1800 = 28.64 →
    // endKwh = 1696.40 + 28.64 = 1725.04. April = 1725.04 − 1000.00 = 725.04 kWh (0.4 + 29 × 24 + 28.64).
    const readings = [
      ok('2025-03-31T23:48:00Z', 999.4),
      ...every(1440, '2025-04-01T00:08:00Z', '2025-04-30T00:08:00Z', 1000.4, 24),
      ok('2025-05-01T06:08:00Z', 1732.4),
    ];
    const april = statement(readings, '2025-04', { pollIntervalMinutes: 1440 });
    expect(april).to.include({ kwh: 725.04, milliwattHours: 725_040_000, startKwh: 1000, endKwh: 1725.04 });
    expect(april).to.include({ resets: 0, coveragePct: 100, estimated: false, hours: 720 });
    // March holds only the 0.6 kWh after its first reading: nothing is invented before it. Covered: 12 min of 744 h.
    const march = statement(readings, '2025-03', { pollIntervalMinutes: 1440 });
    expect(line(march)).to.deep.equal({ kwh: 0.6, startKwh: 999.4, endKwh: 1000, resets: 0, estimated: false });
    expect(march.coveragePct).to.be.closeTo((100 * 12) / (744 * 60), 1e-12);
    // May: 36 − 28.64 = 7.36 kWh up to the last reading, which ends it (nothing after the last reading either).
    const may = statement(readings, '2025-05', { pollIntervalMinutes: 1440 });
    expect(line(may)).to.deep.equal({ kwh: 7.36, startKwh: 1725.04, endKwh: 1732.4, resets: 0, estimated: false });
  });

  it('counts a reset mid-month up from zero', () => {
    // Daily at 00:00: 1 Apr 5000, +10 a day to 15 Apr 5140; 16 Apr 3 (meter replaced: 3 kWh since); +10 a day to
    // 1 May 153. April = 140 + 3 + 150 = 293 kWh. The auditor's check: end − start + the old meter's last value =
    // 153 − 5000 + 5140 = 293.
    const readings = [
      ...every(1440, '2025-04-01T00:00:00Z', '2025-04-15T00:00:00Z', 5000, 10),
      ...every(1440, '2025-04-16T00:00:00Z', '2025-05-01T00:00:00Z', 3, 10),
    ];
    const april = statement(readings, '2025-04', { pollIntervalMinutes: 1440 });
    expect(line(april)).to.deep.equal({ kwh: 293, startKwh: 5000, endKwh: 153, resets: 1, estimated: false });
    expect(april.coveragePct).to.equal(100);
  });

  it('splits a reset interval over the boundary and counts the reset where the interval starts', () => {
    // 31 Mar 12:00 900 → 1 Apr 12:00 24: a reset, 24 kWh over 24 h, 12 on each side. March = (900 − 888) + 12 = 24
    // with the reset; its end is the new meter's count at midnight, 12 (from zero at 31 Mar 12:00), and
    // 12 − 888 + 900 = 24. April = 12 + (48 − 24) = 36 from 12 to 48, no reset.
    const readings = [
      ok('2025-03-31T00:00:00Z', 888),
      ok('2025-03-31T12:00:00Z', 900),
      ok('2025-04-01T12:00:00Z', 24),
      ok('2025-04-02T12:00:00Z', 48),
    ];
    const march = statement(readings, '2025-03', { pollIntervalMinutes: 1440 });
    expect(line(march)).to.deep.equal({ kwh: 24, startKwh: 888, endKwh: 12, resets: 1, estimated: false });
    const april = statement(readings, '2025-04', { pollIntervalMinutes: 1440 });
    expect(line(april)).to.deep.equal({ kwh: 36, startKwh: 12, endKwh: 48, resets: 0, estimated: false });
  });

  it('ignores a glitch dip of less than 10 %: the same statement as with the dip marked suspect', () => {
    // 100, 110, 104 (5.5 % below 110: a glitch), 130 daily → 10 + 20 = 30 kWh. Taking the dip as zero and going on
    // from 104 would bill 10 + 0 + 26 = 36. Covered: 1 Apr 00:00 → 4 Apr 00:00 = 72 h of 720 = 10 %.
    const readings = [
      ok('2025-04-01T00:00:00Z', 100),
      ok('2025-04-02T00:00:00Z', 110),
      ok('2025-04-03T00:00:00Z', 104),
      ok('2025-04-04T00:00:00Z', 130),
    ];
    const april = statement(readings, '2025-04', { pollIntervalMinutes: 1440 });
    expect(line(april)).to.deep.equal({ kwh: 30, startKwh: 100, endKwh: 130, resets: 0, estimated: false });
    expect(april.coveragePct).to.equal(10);
    const marked = readings.map((r) => (r.value === 104 ? { ...r, status: 'suspect' as const } : r));
    expect(statement(marked, '2025-04', { pollIntervalMinutes: 1440 })).to.deep.equal(april);
  });

  it('marks both months estimated when a gap crosses their boundary, and lowers their coverage', () => {
    // Poll 15: 1 kW (0.25 kWh per 15 min) from 1 Apr 00:00 (1000) to 30 Apr 20:00 (1000 + 716 h × 1 = 1716); no
    // reading until 1 May 02:00 (1722: 6 kWh over the 6 h gap, 4 h of it in April → 4); then 1 kW to 2 May 00:00
    // (1722 + 22 = 1744). April = 716 + 4 = 720 kWh, estimated, covered 716 h of 720; ends at 1716 + 4 = 1720.
    // May = 2 + 22 = 24 kWh, estimated, covered 22 h of 744.
    const readings = [
      ...every(15, '2025-04-01T00:00:00Z', '2025-04-30T20:00:00Z', 1000, 0.25),
      ...every(15, '2025-05-01T02:00:00Z', '2025-05-02T00:00:00Z', 1722, 0.25),
    ];
    const april = statement(readings, '2025-04');
    expect(line(april)).to.deep.equal({ kwh: 720, startKwh: 1000, endKwh: 1720, resets: 0, estimated: true });
    expect(april.coveragePct).to.be.closeTo((100 * 716) / 720, 1e-12);
    const may = statement(readings, '2025-05');
    expect(line(may)).to.deep.equal({ kwh: 24, startKwh: 1720, endKwh: 1744, resets: 0, estimated: true });
    expect(may.coveragePct).to.be.closeTo((100 * 22) / 744, 1e-12);
  });

  it('spreads a 6-week gap over the three months it touches', () => {
    // 20 Jan 00:00 1000 → 3 Mar 00:00 2008: 1008 kWh over 42 days = 1008 h, 1 kWh an hour. January gets 12 days =
    // 288 kWh, February 28 days = 672, March 2 days = 48; 288 + 672 + 48 = 1008. All estimated, none covered.
    const readings = [ok('2025-01-20T00:00:00Z', 1000), ok('2025-03-03T00:00:00Z', 2008)];
    const months = ['2025-01', '2025-02', '2025-03'].map((month) => statement(readings, month));
    expect(months.map(line)).to.deep.equal([
      { kwh: 288, startKwh: 1000, endKwh: 1288, resets: 0, estimated: true },
      { kwh: 672, startKwh: 1288, endKwh: 1960, resets: 0, estimated: true },
      { kwh: 48, startKwh: 1960, endKwh: 2008, resets: 0, estimated: true },
    ]);
    expect(months.map((m) => m.coveragePct)).to.deep.equal([0, 0, 0]);
  });

  it('bills nothing for a single reading, and shows it as both ends of its month', () => {
    const readings = [ok('2025-04-10T12:00:00Z', 500)];
    const april = statement(readings, '2025-04');
    expect(line(april)).to.deep.equal({ kwh: 0, startKwh: 500, endKwh: 500, resets: 0, estimated: false });
    expect(april.coveragePct).to.equal(0);
    // A month the reading does not reach has no counter values at all.
    for (const month of ['2025-03', '2025-05'])
      expect(line(statement(readings, month))).to.deep.equal({
        kwh: 0,
        startKwh: null,
        endKwh: null,
        resets: 0,
        estimated: false,
      });
  });

  it('bills nothing without readings, or when none of them is ok', () => {
    const empty = { kwh: 0, startKwh: null, endKwh: null, resets: 0, estimated: false };
    expect(line(statement([], '2025-04'))).to.deep.equal(empty);
    const notOk: Reading[] = [
      { at: new Date('2025-04-01T00:00:00Z'), value: 1, status: 'suspect' },
      { at: new Date('2025-04-01T00:15:00Z'), value: 2, status: 'error' },
    ];
    expect(line(statement(notOk, '2025-04'))).to.deep.equal(empty);
    expect(statement(notOk, '2025-04').coveragePct).to.equal(0);
  });

  it('integrates a power endpoint, a gap adding nothing and lowering coverage', () => {
    // 2 kW every 15 min through April, except no reading between 10 Apr 00:00 and 06:00: that 6 h interval is a
    // gap (> 45 min) and adds nothing. April = (720 − 6) h × 2 kW = 1428 kWh, covered 714 of 720 h, not estimated
    // (no energy relies on the gap: it is missing, not guessed); a power endpoint has no counter values.
    const readings = [
      ...every(15, '2025-04-01T00:00:00Z', '2025-04-10T00:00:00Z', 2, 0),
      ...every(15, '2025-04-10T06:00:00Z', '2025-05-01T00:00:00Z', 2, 0),
    ];
    const april = statement(readings, '2025-04', { kind: 'power' });
    expect(line(april)).to.deep.equal({ kwh: 1428, startKwh: null, endKwh: null, resets: 0, estimated: false });
    expect(april.coveragePct).to.be.closeTo((100 * 714) / 720, 1e-12);
    expect(april.to.getTime() - april.from.getTime()).to.equal(720 * HOUR);
  });

  it('refuses bad input with its code instead of a figure', () => {
    expect(() => statement([], '2025-4'))
      .to.throw()
      .with.property('code', 'CM_MONTH_INVALID');
    expect(() => statement([], '2025-04', { timeZone: 'Europe/Berlín' }))
      .to.throw()
      .with.property('code', 'CM_TIMEZONE_INVALID');
    const conflict = [ok('2025-04-01T00:00:00Z', 1), ok('2025-04-01T00:00:00Z', 2)];
    expect(() => statement(conflict, '2025-04'))
      .to.throw()
      .with.property('code', 'CM_READINGS_CONFLICT');
  });
});
