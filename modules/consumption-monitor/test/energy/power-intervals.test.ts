import { expect } from 'chai';
import { powerInterval, powerIntervals, type Reading } from '../../dist/energy/index.js';

const reading = (iso: string, value: number): Reading => ({ at: new Date(iso), value, status: 'ok' });

describe('energy: power intervals', () => {
  it('integrates kW over time by the trapezoid', () => {
    // (2 kW + 4 kW) / 2 × 0.25 h = 0.75 kWh = 750 000 mWh
    const ramp = powerInterval(reading('2025-04-01T00:00:00Z', 2), reading('2025-04-01T00:15:00Z', 4), 15);
    expect(ramp).to.include({ milliwattHours: 750_000, gap: false, reset: false, estimated: false });
    // 2.345 kW × 0.25 h = 0.58625 kWh = 586 250 mWh
    const flat = powerInterval(reading('2025-04-01T00:00:00Z', 2.345), reading('2025-04-01T00:15:00Z', 2.345), 15);
    expect(flat.milliwattHours).to.equal(586_250);
  });

  it('adds nothing for a gap, which is neither covered nor estimated', () => {
    // Poll 15: 00:00, 00:15, 00:30 at 2 kW → 0.5 + 0.5 kWh; 00:30 → 02:00 is 90 min > 45: a gap, 0 kWh (not the
    // 3 kWh a trapezoid would guess); 02:00 → 02:15 → 0.5 kWh. Total 1.5 kWh = 1 500 000 mWh.
    const series = powerIntervals(
      ['00:00', '00:15', '00:30', '02:00', '02:15'].map((time) => reading(`2025-04-01T${time}:00Z`, 2)),
      15,
    );
    expect(series.intervals.map((i) => [i.milliwattHours, i.gap])).to.deep.equal([
      [500_000, false],
      [500_000, false],
      [0, true],
      [500_000, false],
    ]);
    expect(series.intervals.every((i) => !i.estimated)).to.equal(true);
    expect(series.intervals.reduce((sum, i) => sum + i.milliwattHours, 0)).to.equal(1_500_000);
  });
});
