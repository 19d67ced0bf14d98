import { expect } from 'chai';
import {
  bucketCover,
  calendarMonth,
  counterIntervals,
  counterMilliwattHoursAt,
  energyBefore,
  kwhFromMilliwattHours,
  monthStatement,
  splitIntoBuckets,
  statementFromTally,
  sumTallies,
  tallyRange,
  type Reading,
} from '../../dist/energy/index.js';

/** Readings every `minutes` from `fromIso` to `toIso` (both included); `energy(i)` kWh between reading i and i + 1. */
function every(minutes: number, fromIso: string, toIso: string, first: number, energy: (i: number) => number) {
  const readings: Reading[] = [];
  let value = first;
  for (let ms = Date.parse(fromIso), i = 0; ms <= Date.parse(toIso); ms += minutes * 60_000, i++) {
    readings.push({ at: new Date(ms), value, status: 'ok' });
    value = Math.round((value + energy(i)) * 1000) / 1000;
  }
  return readings;
}

const cutAt = (iso: string) => new Date(iso);
const twoKw = (from: string, to: string) => every(15, from, to, 10_000, () => 0.5); // 2 kW = 0.5 kWh / 15 min

describe('energy: month statements in time zones', () => {
  it('bills 745 hours for October in Europe/Berlin', () => {
    // 2 kW from 30 Sep 00:00Z (10 000). Berlin's October is [30 Sep 22:00Z, 31 Oct 23:00Z): 745 h × 2 = 1490 kWh,
    // from 10 000 + 22 × 2 = 10 044 to 10 000 + 767 × 2 = 11 534. UTC's October from the same readings: 744 h = 1488.
    const readings = twoKw('2025-09-30T00:00:00Z', '2025-11-02T00:00:00Z');
    const berlin = monthStatement({
      kind: 'counter',
      readings,
      pollIntervalMinutes: 15,
      month: '2025-10',
      timeZone: 'Europe/Berlin',
    });
    expect(berlin).to.include({ hours: 745, kwh: 1490, startKwh: 10_044, endKwh: 11_534, coveragePct: 100 });
    const utc = monthStatement({ kind: 'counter', readings, pollIntervalMinutes: 15, month: '2025-10' });
    expect(utc).to.include({ hours: 744, kwh: 1488 });
  });

  it('bills 743 hours for March in Europe/Berlin', () => {
    // Berlin's March is [28 Feb 23:00Z, 31 Mar 22:00Z): 743 h × 2 kW = 1486 kWh; from 10 000 + 23 × 2 = 10 046.
    const readings = twoKw('2025-02-28T00:00:00Z', '2025-04-01T12:00:00Z');
    const berlin = monthStatement({
      kind: 'counter',
      readings,
      pollIntervalMinutes: 15,
      month: '2025-03',
      timeZone: 'Europe/Berlin',
    });
    expect(berlin).to.include({ hours: 743, kwh: 1486, startKwh: 10_046, endKwh: 11_532, coveragePct: 100 });
  });

  it('bills 721 hours for November in America/New_York (a power endpoint)', () => {
    // 3 kW read every 5 min from 1 Nov 00:00Z to 2 Dec 00:00Z. New York's November is [1 Nov 04:00Z, 1 Dec 05:00Z):
    // 721 h × 3 kW = 2163 kWh.
    const readings = every(5, '2025-11-01T00:00:00Z', '2025-12-02T00:00:00Z', 3, () => 0);
    const ny = monthStatement({
      kind: 'power',
      readings,
      pollIntervalMinutes: 5,
      month: '2025-11',
      timeZone: 'America/New_York',
    });
    expect(ny).to.include({ hours: 721, kwh: 2163, coveragePct: 100, estimated: false });
  });

  describe('a month boundary inside a UTC hour (Asia/Kolkata +5:30, Asia/Kathmandu +5:45)', () => {
    // Every 20 min from 28 Feb 18:00Z to 31 Mar 19:00Z, 0.5 kWh per interval (1.5 kW), except 28 Feb 18:20 → 18:40
    // (0.9 kWh) and 31 Mar 18:20 → 18:40 (0.3 kWh).
    const odd = new Map([
      [Date.parse('2025-02-28T18:20:00Z'), 0.9],
      [Date.parse('2025-03-31T18:20:00Z'), 0.3],
    ]);
    const start = Date.parse('2025-02-28T18:00:00Z');
    const readings = every(
      20,
      '2025-02-28T18:00:00Z',
      '2025-03-31T19:00:00Z',
      100,
      (i) => odd.get(start + i * 1_200_000) ?? 0.5,
    );
    const { intervals } = counterIntervals(readings, 20);
    const hours = splitIntoBuckets(intervals);

    /** The month as a per-hour ledger computes it: its whole hours' rows, plus its edges from the intervals. */
    function fromLedger(month: string, timeZone: string) {
      const cut = calendarMonth(month, timeZone);
      const cover = bucketCover(cut);
      const whole = hours.filter((h) => h.start >= cover.whole.from && h.start < cover.whole.to);
      const edges = [cover.head, cover.tail].flatMap((edge) => (edge ? [tallyRange(intervals, edge)] : []));
      const counterAt = (at: Date) => {
        const holding = intervals.find((i) => i.start < at && i.end >= at);
        return holding ? kwhFromMilliwattHours(counterMilliwattHoursAt(holding, at)) : null;
      };
      const boundaries = { startKwh: counterAt(cut.from), endKwh: counterAt(cut.to) };
      return {
        whole: sumTallies(whole),
        edges,
        statement: statementFromTally(cut, sumTallies([...whole, ...edges]), boundaries),
      };
    }

    it('Kolkata: shares the 18:00Z hour between February and March, exactly', () => {
      // March is [28 Feb 18:30Z, 31 Mar 18:30Z). Its head, 18:30 → 19:00Z: half of the 0.9 interval (0.45) + the
      // 18:40 → 19:00 interval (0.5) = 0.95. Whole hours 28 Feb 19:00Z → 31 Mar 18:00Z: 743 h × 1.5 = 1114.5. Its
      // tail, 31 Mar 18:00 → 18:30Z: 0.5 + half of 0.3 (0.15) = 0.65. March = 0.95 + 1114.5 + 0.65 = 1116.1 kWh.
      // The shared hour's row is 0.5 + 0.9 + 0.5 = 1.9 = February's 0.5 + 0.45 and March's 0.95.
      const ledger = fromLedger('2025-03', 'Asia/Kolkata');
      expect(ledger.whole.milliwattHours).to.equal(1_114_500_000);
      expect(ledger.edges.map((e) => e.milliwattHours)).to.deep.equal([950_000, 650_000]);
      const shared = hours.find((h) => h.start.toISOString() === '2025-02-28T18:00:00.000Z');
      expect(shared?.milliwattHours).to.equal(1_900_000);
      const february = tallyRange(intervals, {
        from: new Date('2025-02-28T18:00:00Z'),
        to: new Date('2025-02-28T18:30:00Z'),
      });
      expect(february.milliwattHours + ledger.edges[0]!.milliwattHours).to.equal(1_900_000);

      const oracle = monthStatement({
        kind: 'counter',
        readings,
        pollIntervalMinutes: 20,
        month: '2025-03',
        timeZone: 'Asia/Kolkata',
      });
      expect(oracle).to.include({ kwh: 1116.1, hours: 744, coveragePct: 100, estimated: false, resets: 0 });
      expect(ledger.statement).to.deep.equal(oracle);
      // Counter at 18:30Z: 100 + 0.5 + 0.45 = 100.95; the month's kWh is its rise to the end.
      expect(oracle.startKwh).to.equal(100.95);
      expect(oracle.endKwh).to.equal(1217.05); // 100.95 + 1116.1
      const boundary = intervals.find((i) => i.start.toISOString() === '2025-02-28T18:20:00.000Z')!;
      expect(energyBefore(boundary, cutAt('2025-02-28T18:30:00Z'))).to.equal(450_000);
      expect(counterMilliwattHoursAt(boundary, cutAt('2025-02-28T18:30:00Z'))).to.equal(100_950_000);
    });

    it('Kathmandu: a boundary at :15 inside a 20-minute interval', () => {
      // March is [28 Feb 18:15Z, 31 Mar 18:15Z). Head 18:15 → 19:00Z: 5 of the 18:00 → 18:20 interval's 20 min
      // (0.125) + 0.9 + 0.5 = 1.525. Tail 31 Mar 18:00 → 18:15Z: 15 of 20 min of 0.5 = 0.375. March = 1.525 +
      // 1114.5 + 0.375 = 1116.4 kWh (= Kolkata's 1116.1 + the 0.575 it gains at the start − the 0.275 it loses at the end).
      const ledger = fromLedger('2025-03', 'Asia/Kathmandu');
      expect(ledger.edges.map((e) => e.milliwattHours)).to.deep.equal([1_525_000, 375_000]);
      const oracle = monthStatement({
        kind: 'counter',
        readings,
        pollIntervalMinutes: 20,
        month: '2025-03',
        timeZone: 'Asia/Kathmandu',
      });
      expect(oracle.kwh).to.equal(1116.4);
      expect(ledger.statement).to.deep.equal(oracle);
    });
  });
});
