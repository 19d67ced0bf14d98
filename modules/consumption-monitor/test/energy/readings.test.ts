import { expect } from 'chai';
import { countedReadings, EnergyInputError, MAX_READING_VALUE, type Reading } from '../../dist/energy/index.js';

const at = (iso: string) => new Date(iso);
const reading = (iso: string, value: number, status: Reading['status'] = 'ok'): Reading => ({
  at: at(iso),
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

describe('energy: counted readings', () => {
  it('keeps only ok readings, in time order, without changing the input', () => {
    const input = [
      reading('2025-04-01T00:30:00Z', 3),
      reading('2025-04-01T00:15:00Z', 99, 'suspect'),
      reading('2025-04-01T00:00:00Z', 1),
      reading('2025-04-01T00:45:00Z', 0, 'error'),
      reading('2025-04-01T00:15:00Z', 2),
    ];
    const counted = countedReadings(input);
    expect(counted.map((r) => [r.at.toISOString(), r.value])).to.deep.equal([
      ['2025-04-01T00:00:00.000Z', 1],
      ['2025-04-01T00:15:00.000Z', 2], // the suspect 99 at the same instant neither counts nor conflicts
      ['2025-04-01T00:30:00.000Z', 3],
    ]);
    expect(input[0]?.value).to.equal(3);
  });

  it('counts two ok readings at one instant with the same value once (a re-imported reading)', () => {
    const counted = countedReadings([reading('2025-04-01T00:00:00Z', 7.5), reading('2025-04-01T00:00:00Z', 7.5)]);
    expect(counted).to.have.length(1);
  });

  it('refuses two ok readings at one instant with different values (CM_READINGS_CONFLICT)', () => {
    const error = thrown(() =>
      countedReadings([reading('2025-04-01T00:00:00Z', 7.5), reading('2025-04-01T00:00:00Z', 7.6)]),
    );
    expect(error.code).to.equal('CM_READINGS_CONFLICT');
    expect(error.message).to.contain('2025-04-01T00:00:00.000Z');
    expect(error.details).to.deep.equal({ at: '2025-04-01T00:00:00.000Z', values: [7.5, 7.6] });
  });

  it('refuses an ok reading whose value or time cannot be counted (CM_READING_INVALID)', () => {
    for (const value of [
      Number.NaN,
      -0.001,
      Number.POSITIVE_INFINITY,
      MAX_READING_VALUE * 2,
      '12' as unknown as number,
    ]) {
      const error = thrown(() => countedReadings([reading('2025-04-01T00:00:00Z', value)]));
      expect(error.code, String(value)).to.equal('CM_READING_INVALID');
      expect(error.message).to.contain('2025-04-01T00:00:00.000Z');
    }
    const noTime = thrown(() => countedReadings([{ at: new Date('not a time'), value: 1, status: 'ok' }]));
    expect(noTime.code).to.equal('CM_READING_INVALID');
  });

  it('ignores a bad value on a reading that does not count', () => {
    const counted = countedReadings([
      reading('2025-04-01T00:00:00Z', Number.NaN, 'error'),
      reading('2025-04-01T00:15:00Z', 1),
    ]);
    expect(counted.map((r) => r.value)).to.deep.equal([1]);
  });
});
