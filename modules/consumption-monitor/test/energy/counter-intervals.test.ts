import { expect } from 'chai';
import {
  classifyCounterStep,
  counterInterval,
  counterIntervals,
  EnergyInputError,
  type Reading,
} from '../../dist/energy/index.js';

const reading = (iso: string, value: number, status: Reading['status'] = 'ok'): Reading => ({
  at: new Date(iso),
  value,
  status,
});

function thrown(action: () => unknown): EnergyInputError {
  try {
    action();
  } catch (error) {
    if (error instanceof EnergyInputError) return error;
    throw error;
  }
  throw new Error('expected an EnergyInputError');
}

describe('energy: counter intervals', () => {
  it('classifies a counter step: rise, reset at a drop of 10 % or more, dip below that', () => {
    expect(classifyCounterStep(100, 100)).to.equal('rise'); // unchanged: 0 kWh
    expect(classifyCounterStep(100, 101)).to.equal('rise');
    expect(classifyCounterStep(100, 90)).to.equal('reset'); // drop 10 = 10 % of 100
    expect(classifyCounterStep(100, 90.001)).to.equal('dip'); // drop 9.999 < 10
    // drop 1000.5 − 900.45 = 100.05 = exactly 10 % (compared in mWh: 100 050 000 ≥ 1 000 500 000 / 10)
    expect(classifyCounterStep(1000.5, 900.45)).to.equal('reset');
    expect(classifyCounterStep(5, 0)).to.equal('reset'); // a meter replaced by one at zero
    expect(classifyCounterStep(0, 0)).to.equal('rise');
  });

  it('takes later − earlier, exact to the mWh where doubles are not', () => {
    // 12 346.123 − 12 345.678 = 0.445 kWh = 445 000 mWh (as doubles the difference is 0.44499999999970896)
    const interval = counterInterval(
      reading('2025-04-01T00:00:00Z', 12345.678),
      reading('2025-04-01T00:15:00Z', 12346.123),
      15,
    );
    expect(interval.milliwattHours).to.equal(445_000);
    expect(interval).to.include({ reset: false, gap: false, estimated: false, startValue: 12345.678 });
  });

  it('counts a reset up from zero: the energy is the later value', () => {
    // 1500.25 → 2.5 is a drop of 99.8 %: a replaced meter that has counted 2.5 kWh = 2 500 000 mWh since
    const interval = counterInterval(
      reading('2025-04-01T00:00:00Z', 1500.25),
      reading('2025-04-01T00:15:00Z', 2.5),
      15,
    );
    expect(interval).to.include({ milliwattHours: 2_500_000, reset: true });
  });

  it('refuses to make an interval of a dip (CM_COUNTER_DIP): the later reading is a glitch', () => {
    const error = thrown(() =>
      counterInterval(reading('2025-04-01T00:00:00Z', 100), reading('2025-04-01T00:15:00Z', 95), 15),
    );
    expect(error.code).to.equal('CM_COUNTER_DIP');
    expect(error.details).to.deep.equal({ at: '2025-04-01T00:15:00.000Z', earlier: 100, later: 95 });
  });

  it('marks an interval longer than three poll intervals a gap, and its energy estimated', () => {
    const start = reading('2025-04-01T00:00:00Z', 10);
    // poll 15 min: 3 × 15 = 45 min is not a gap; 45 min and 1 ms is
    expect(counterInterval(start, reading('2025-04-01T00:45:00Z', 11), 15)).to.include({
      gap: false,
      estimated: false,
    });
    const gap = counterInterval(start, reading('2025-04-01T00:45:00.001Z', 11), 15);
    expect(gap).to.include({ gap: true, estimated: true, milliwattHours: 1_000_000 }); // still counted: 1 kWh
  });

  it('refuses readings out of order, not ok or not numbers, and a poll interval that is not a positive number', () => {
    const later = reading('2025-04-01T00:15:00Z', 11);
    expect(thrown(() => counterInterval(later, reading('2025-04-01T00:00:00Z', 10), 15)).code).to.equal(
      'CM_READING_INVALID',
    );
    // A pair given directly (as the ledger does when a reading is stored) is checked like a series
    const suspect = reading('2025-04-01T00:30:00Z', 12, 'suspect');
    expect(thrown(() => counterInterval(later, suspect, 15)).code).to.equal('CM_READING_INVALID');
    expect(thrown(() => counterInterval(later, reading('2025-04-01T00:30:00Z', Number.NaN), 15)).code).to.equal(
      'CM_READING_INVALID',
    );
    expect(thrown(() => counterInterval(reading('2025-04-01T00:00:00Z', 10), later, 0)).code).to.equal(
      'CM_POLL_INTERVAL_INVALID',
    );
    for (const poll of [0, -15, Number.NaN])
      expect(thrown(() => counterIntervals([later], poll)).code).to.equal('CM_POLL_INTERVAL_INVALID');
  });

  it('skips a glitch dip as if it were suspect: 100, 95, 101 is 1 kWh, not 6', () => {
    // Kept 100 → 101 = 1 kWh over 30 min (not a gap at poll 15). Counting the dip as zero and going on from 95 would
    // bill 0 + (101 − 95) = 6 kWh: the 5 kWh the glitch took off would be billed twice.
    const readings = [
      reading('2025-04-01T00:00:00Z', 100),
      reading('2025-04-01T00:15:00Z', 95),
      reading('2025-04-01T00:30:00Z', 101),
    ];
    const series = counterIntervals(readings, 15);
    expect(series.ignoredDips.map((r) => r.value)).to.deep.equal([95]);
    expect(series.readings.map((r) => r.value)).to.deep.equal([100, 101]);
    expect(series.intervals).to.have.length(1);
    expect(series.intervals[0]).to.include({ milliwattHours: 1_000_000, gap: false, reset: false });
    const marked = counterIntervals([readings[0]!, { ...readings[1]!, status: 'suspect' }, readings[2]!], 15);
    expect(marked.intervals).to.deep.equal(series.intervals); // the same as the collector marking it suspect
  });

  it('compares with the last reading kept, so a dip that lasts never bills more than the counter rose', () => {
    // 100, then 95, 96, 97 (each < 10 % below 100: skipped), then 102: one interval 100 → 102 = 2 kWh over 60 min,
    // a gap at poll 15 (60 > 45), so estimated. The counter never showed more than 2 kWh above a trusted value.
    const series = counterIntervals(
      [100, 95, 96, 97, 102].map((value, i) => reading(new Date(Date.UTC(2025, 3, 1, 0, 15 * i)).toISOString(), value)),
      15,
    );
    expect(series.ignoredDips.map((r) => r.value)).to.deep.equal([95, 96, 97]);
    expect(series.intervals).to.have.length(1);
    expect(series.intervals[0]).to.include({ milliwattHours: 2_000_000, gap: true, estimated: true });
  });

  it('counts only ok readings: suspect and error ones never bound an interval', () => {
    const series = counterIntervals(
      [
        reading('2025-04-01T00:00:00Z', 100),
        reading('2025-04-01T00:15:00Z', 500, 'suspect'),
        reading('2025-04-01T00:20:00Z', 0, 'error'),
        reading('2025-04-01T00:30:00Z', 101),
      ],
      15,
    );
    expect(series.intervals.map((i) => i.milliwattHours)).to.deep.equal([1_000_000]);
  });
});
