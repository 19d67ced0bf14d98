import { expect } from 'chai';
import {
  bucketCover,
  counterBoundaries,
  counterIntervals,
  energyBetween,
  HOUR_MS,
  intervalBuckets,
  milliwattHoursFromKwh,
  splitIntoBuckets,
  tallyRange,
  type EnergyInterval,
  type Reading,
} from '../../dist/energy/index.js';

const reading = (iso: string, value: number): Reading => ({ at: new Date(iso), value, status: 'ok' });
const interval = (from: string, to: string, milliwattHours: number, flags: Partial<EnergyInterval> = {}) => ({
  start: new Date(from),
  end: new Date(to),
  startValue: 0,
  endValue: 0,
  milliwattHours,
  gap: false,
  reset: false,
  estimated: false,
  ...flags,
});

describe('energy: splitting intervals over time', () => {
  it('spreads an interval evenly: the share in [from, to) is its energy × the share of its time', () => {
    // 23:45 → 00:15 holds 0.6 kWh: 15 of its 30 minutes are before midnight → 0.3 kWh = 300 000 mWh on each side
    const crossing = interval('2025-03-31T23:45:00Z', '2025-04-01T00:15:00Z', 600_000);
    expect(energyBetween(crossing, new Date('2025-03-31T00:00:00Z'), new Date('2025-04-01T00:00:00Z'))).to.equal(
      300_000,
    );
    expect(energyBetween(crossing, new Date('2025-04-01T00:00:00Z'), new Date('2025-05-01T00:00:00Z'))).to.equal(
      300_000,
    );
    // 23:50 → 00:05 is 15 of 30 min → 300 000; a range that ends before it starts holds nothing
    expect(energyBetween(crossing, new Date('2025-03-31T23:50:00Z'), new Date('2025-04-01T00:05:00Z'))).to.equal(
      300_000,
    );
    expect(energyBetween(crossing, new Date('2025-04-01T00:05:00Z'), new Date('2025-03-31T23:50:00Z'))).to.equal(0);
  });

  it('rounds shares to the mWh so that the pieces add up to the whole exactly', () => {
    // 1 kWh over 00:00 → 03:00: energy before 01:00 = round(1 000 000 / 3) = 333 333, before 02:00 =
    // round(2 000 000 / 3) = 666 667 → hours of 333 333, 333 334 and 333 333 mWh, summing to 1 000 000.
    const buckets = intervalBuckets(interval('2025-04-01T00:00:00Z', '2025-04-01T03:00:00Z', 1_000_000));
    expect(buckets.map((b) => b.milliwattHours)).to.deep.equal([333_333, 333_334, 333_333]);
    expect(buckets.map((b) => b.coveredMs)).to.deep.equal([HOUR_MS, HOUR_MS, HOUR_MS]);
  });

  it('puts a gap in the buckets it spans as estimated energy and uncovered time', () => {
    // 10:30 → 13:15 (165 min) holds 11 kWh, a gap at poll 15. Energy before 11:00 = 11 × 30/165 = 2 kWh; before
    // 12:00 = 11 × 90/165 = 6; before 13:00 = 11 × 150/165 = 10 → buckets of 2, 4, 4 and 1 kWh.
    const gap = interval('2025-04-01T10:30:00Z', '2025-04-01T13:15:00Z', 11_000_000, { gap: true, estimated: true });
    const buckets = intervalBuckets(gap);
    expect(buckets.map((b) => [b.start.toISOString(), b.milliwattHours, b.estimatedMilliwattHours])).to.deep.equal([
      ['2025-04-01T10:00:00.000Z', 2_000_000, 2_000_000],
      ['2025-04-01T11:00:00.000Z', 4_000_000, 4_000_000],
      ['2025-04-01T12:00:00.000Z', 4_000_000, 4_000_000],
      ['2025-04-01T13:00:00.000Z', 1_000_000, 1_000_000],
    ]);
    expect(buckets.every((b) => b.coveredMs === 0 && b.estimated)).to.equal(true);
  });

  it('counts a reset in the bucket where its interval starts, only there', () => {
    const reset = interval('2025-04-01T10:50:00Z', '2025-04-01T11:10:00Z', 200_000, { reset: true });
    // 10 of 20 min in each hour: 100 000 mWh each; the reset belongs to 10:00
    expect(intervalBuckets(reset).map((b) => [b.milliwattHours, b.resets])).to.deep.equal([
      [100_000, 1],
      [100_000, 0],
    ]);
  });

  it('adds the intervals of one hour into one row: the per-hour ledger', () => {
    // 100 → 100.5 → 101 → 101.5 each 15 min from 10:00, then 10:45 → 11:15 rises 0.6 kWh (0.3 in each hour).
    // 10:00 bucket: 0.5 + 0.5 + 0.5 + 0.3 = 1.8 kWh over 60 covered min; 11:00 bucket: 0.3 kWh over 15 min.
    const series = counterIntervals(
      [
        reading('2025-04-01T10:00:00Z', 100),
        reading('2025-04-01T10:15:00Z', 100.5),
        reading('2025-04-01T10:30:00Z', 101),
        reading('2025-04-01T10:45:00Z', 101.5),
        reading('2025-04-01T11:15:00Z', 102.1),
      ],
      15,
    );
    const buckets = splitIntoBuckets(series.intervals);
    expect(buckets.map((b) => [b.start.toISOString(), b.milliwattHours, b.coveredMs, b.estimated])).to.deep.equal([
      ['2025-04-01T10:00:00.000Z', 1_800_000, HOUR_MS, false],
      ['2025-04-01T11:00:00.000Z', 300_000, 15 * 60_000, false],
    ]);
  });

  it('lays a month over hour buckets: whole hours, and the pieces of shared hours at its edges', () => {
    // Kolkata's March 2025 is [28 Feb 18:30Z, 31 Mar 18:30Z): half of the 18:00Z hour at each end, and the 743
    // whole hours from 28 Feb 19:00Z to 31 Mar 18:00Z between (0.5 + 743 + 0.5 = 744).
    const cover = bucketCover({ from: new Date('2025-02-28T18:30:00Z'), to: new Date('2025-03-31T18:30:00Z') });
    expect(cover.whole).to.deep.equal({ from: new Date('2025-02-28T19:00:00Z'), to: new Date('2025-03-31T18:00:00Z') });
    expect((cover.whole.to.getTime() - cover.whole.from.getTime()) / HOUR_MS).to.equal(743);
    expect(cover.head).to.deep.equal({ from: new Date('2025-02-28T18:30:00Z'), to: new Date('2025-02-28T19:00:00Z') });
    expect(cover.tail).to.deep.equal({ from: new Date('2025-03-31T18:00:00Z'), to: new Date('2025-03-31T18:30:00Z') });
  });

  it('covers ranges that start on a bucket, end on one, or lie inside one', () => {
    const cover = (from: string, to: string) => bucketCover({ from: new Date(from), to: new Date(to) });
    const aligned = cover('2025-04-01T00:00:00Z', '2025-05-01T00:00:00Z');
    expect([aligned.head, aligned.tail]).to.deep.equal([null, null]);
    const inside = cover('2025-04-01T10:10:00Z', '2025-04-01T10:50:00Z');
    expect(inside.head).to.deep.equal({ from: new Date('2025-04-01T10:10:00Z'), to: new Date('2025-04-01T10:50:00Z') });
    expect([inside.whole.from.getTime() === inside.whole.to.getTime(), inside.tail]).to.deep.equal([true, null]);
    const startsOnOne = cover('2025-04-01T10:00:00Z', '2025-04-01T10:30:00Z');
    expect([startsOnOne.head, startsOnOne.tail]).to.deep.equal([
      null,
      { from: new Date('2025-04-01T10:00:00Z'), to: new Date('2025-04-01T10:30:00Z') },
    ]);
    expect(() => bucketCover(aligned.whole, 0)).to.throw(RangeError);
  });

  it('sums a month of hourly shares to the month, to the mWh, over 3000 irregular intervals', () => {
    // 3100 readings 14 min 24.7 s apart from 31 Mar 23:47:13Z (so almost every interval straddles an hour), each
    // adding an irregular 0.001–0.999 kWh. With no reset, April's energy must be the counter's rise across April:
    // endKwh − startKwh, both interpolated at the month's edges.
    const stepMs = 14 * 60_000 + 24_700;
    let value = 81_234.567;
    let seed = 7;
    const readings: Reading[] = [];
    for (let i = 0; i < 3100; i++) {
      readings.push({ at: new Date(Date.parse('2025-03-31T23:47:13Z') + i * stepMs), value, status: 'ok' });
      seed = (seed * 48_271) % 2_147_483_647;
      value = Math.round((value + 0.001 + (seed % 999) / 1000) * 1000) / 1000;
    }
    const series = counterIntervals(readings, 15);
    const { intervals } = series;
    expect(intervals.length).to.be.above(3000);
    const april = { from: new Date('2025-04-01T00:00:00Z'), to: new Date('2025-05-01T00:00:00Z') };
    const hours = splitIntoBuckets(intervals).filter((b) => b.start >= april.from && b.start < april.to);
    expect(hours).to.have.length(720);
    const hourlyMwh = hours.reduce((sum, b) => sum + b.milliwattHours, 0);
    const month = tallyRange(intervals, april);
    expect(hourlyMwh).to.equal(month.milliwattHours);
    expect(month.coveredMs).to.equal(720 * HOUR_MS);
    const hourlyKwh = hours.reduce((sum, b) => sum + b.milliwattHours / 1e6, 0);
    expect(Math.abs(hourlyKwh - month.milliwattHours / 1e6)).to.be.below(1e-9);
    const edges = counterBoundaries(series, april);
    expect(milliwattHoursFromKwh(edges.endKwh!) - milliwattHoursFromKwh(edges.startKwh!)).to.equal(hourlyMwh);
    // Each hour is within 1 mWh per interval it touches of the exact proportional share (computed in doubles).
    for (const bucket of hours.slice(0, 50)) {
      const exact = intervals.reduce((sum, i) => sum + proportionalShare(i, bucket.start.getTime()), 0);
      expect(Math.abs(bucket.milliwattHours - exact)).to.be.at.most(2);
    }
  });
});

function proportionalShare(interval: EnergyInterval, hourMs: number): number {
  const start = interval.start.getTime();
  const end = interval.end.getTime();
  const overlap = Math.max(0, Math.min(end, hourMs + HOUR_MS) - Math.max(start, hourMs));
  return (interval.milliwattHours * overlap) / (end - start);
}
