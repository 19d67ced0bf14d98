import { expect } from 'chai';
import {
  bucketCover,
  calendarMonth,
  counterIntervals,
  milliwattHoursFromKwh,
  monthStatement,
  statementFromSeries,
  splitIntoBuckets,
  type MonthStatement,
  type Reading,
} from '../../dist/energy/index.js';

const ZONE = 'Europe/Berlin';
const MONTHS = Array.from({ length: 12 }, (_, i) => `2025-${String(i + 1).padStart(2, '0')}`);

/**
 * A year of 15-minute readings of a counter over Berlin's 2025, [31 Dec 2024 23:00Z, 31 Dec 2025 23:00Z): irregular
 * rises of 0–0.7 kWh, a meter replaced on 15 Jun 10:00Z, a glitch dip on 10 Mar 08:00Z, no readings from 30 May
 * 12:00Z to 2 Jun 06:00Z (a gap over Berlin's May/June boundary, 31 May 22:00Z), and every 97th reading suspect.
 */
function yearOfReadings(): Reading[] {
  const readings: Reading[] = [];
  const gap = [Date.parse('2025-05-30T12:00:00Z'), Date.parse('2025-06-02T06:00:00Z')] as const;
  let value = 40_000;
  let seed = 11;
  for (
    let ms = Date.parse('2024-12-31T23:00:00Z'), i = 0;
    ms <= Date.parse('2025-12-31T23:00:00Z');
    ms += 900_000, i++
  ) {
    seed = (seed * 48_271) % 2_147_483_647;
    value = Math.round((value + (seed % 700) / 1000) * 1000) / 1000;
    if (ms === Date.parse('2025-06-15T10:00:00Z')) value = 0.2;
    if (ms > gap[0] && ms < gap[1]) continue;
    const dip = ms === Date.parse('2025-03-10T08:00:00Z');
    readings.push({ at: new Date(ms), value: dip ? value * 0.97 : value, status: i % 97 === 50 ? 'suspect' : 'ok' });
  }
  return readings;
}

describe('energy: the months of a year', () => {
  let readings: Reading[];
  let series: ReturnType<typeof counterIntervals>;
  let statements: MonthStatement[];
  before(() => {
    readings = yearOfReadings();
    series = counterIntervals(readings, 15);
    statements = MONTHS.map((month) => statementFromSeries(series, 'counter', calendarMonth(month, ZONE)));
  });

  it('tiles the year: nothing lost, nothing counted twice', () => {
    // The readings start and end exactly at the year's edges, so the year holds every interval whole:
    // Σ 12 months = Σ intervals, to the mWh; 8760 hours (743 in March + 745 in October + the rest).
    expect(readings.length).to.be.above(34_000);
    expect(series.ignoredDips).to.have.length(1);
    const yearMwh = series.intervals.reduce((sum, i) => sum + i.milliwattHours, 0);
    expect(statements.reduce((sum, s) => sum + s.milliwattHours, 0)).to.equal(yearMwh);
    expect(Math.abs(statements.reduce((sum, s) => sum + s.kwh, 0) - yearMwh / 1e6)).to.be.below(1e-9);
    expect(statements.reduce((sum, s) => sum + s.hours, 0)).to.equal(8760);
    expect(statements.map((s) => s.hours).filter((h) => h !== 720 && h !== 744 && h !== 672)).to.deep.equal([743, 745]);
    expect(statements.reduce((sum, s) => sum + s.resets, 0)).to.equal(1);
    expect(statements.map((s) => s.resets)).to.deep.equal([0, 0, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0]);
  });

  it('gives the same statement from the readings as from the series built once', () => {
    const june = monthStatement({
      kind: 'counter',
      readings,
      pollIntervalMinutes: 15,
      month: '2025-06',
      timeZone: ZONE,
    });
    expect(june).to.deep.equal(statements[5]);
  });

  it('chains the months: each ends where the next starts, in time and on the counter', () => {
    expect(statements[0]!.from.toISOString()).to.equal('2024-12-31T23:00:00.000Z');
    expect(statements[11]!.to.toISOString()).to.equal('2025-12-31T23:00:00.000Z');
    for (let i = 0; i < 11; i++) {
      expect(statements[i]!.to.getTime()).to.equal(statements[i + 1]!.from.getTime());
      expect(statements[i]!.endKwh).to.equal(statements[i + 1]!.startKwh);
    }
  });

  it("passes the auditor's check: kWh = end − start, plus the old meter's last value at a reset", () => {
    for (const s of statements) {
      const resetCarry = series.intervals
        .filter((i) => i.reset && i.start >= s.from && i.start < s.to)
        .reduce((sum, i) => sum + milliwattHoursFromKwh(i.startValue), 0);
      const rise = milliwattHoursFromKwh(s.endKwh!) - milliwattHoursFromKwh(s.startKwh!);
      expect(s.milliwattHours, s.month).to.equal(rise + resetCarry);
    }
  });

  it('is estimated and short of coverage exactly where the gap is', () => {
    // The gap runs 30 May 12:00Z → 2 Jun 06:00Z: 34 h of May (to 31 May 22:00Z) and 32 h of June are uncovered.
    expect(statements.map((s) => s.estimated)).to.deep.equal(MONTHS.map((m) => m === '2025-05' || m === '2025-06'));
    expect(statements[4]!.coveragePct).to.be.closeTo((100 * (744 - 34)) / 744, 1e-9);
    expect(statements[5]!.coveragePct).to.be.closeTo((100 * (720 - 32)) / 720, 1e-9);
    expect(statements.filter((s) => s.coveragePct === 100)).to.have.length(10);
  });

  it("equals a per-hour ledger's sum of rows in every month", () => {
    const hours = splitIntoBuckets(series.intervals);
    for (const s of statements) {
      const cover = bucketCover(calendarMonth(s.month, ZONE));
      expect([cover.head, cover.tail]).to.deep.equal([null, null]); // Berlin's offsets are whole hours
      const rows = hours.filter((h) => h.start >= s.from && h.start < s.to);
      expect(
        rows.reduce((sum, h) => sum + h.milliwattHours, 0),
        s.month,
      ).to.equal(s.milliwattHours);
      const coveredMs = rows.reduce((sum, h) => sum + h.coveredMs, 0);
      expect((100 * coveredMs) / (s.to.getTime() - s.from.getTime())).to.equal(s.coveragePct);
    }
  });
});
