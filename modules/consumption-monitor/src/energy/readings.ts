import { EnergyInputError } from './errors.js';
import { MAX_READING_VALUE } from './units.js';

/** How the collector judged a reading: only `ok` readings count. */
export type ReadingStatus = 'ok' | 'suspect' | 'error';

/** One stored reading of an endpoint, as the billing rule sees it. */
export interface Reading {
  /** When the device was read. */
  at: Date;
  /** kWh for a `counter` endpoint, kW for a `power` endpoint. */
  value: number;
  /** The collector's verdict; `suspect` and `error` readings never count. */
  status: ReadingStatus;
}

/**
 * The readings the rule counts: the `ok` ones, checked, in time order, one per instant. Two `ok` readings at the
 * same instant with the same value are one reading (an import of what was already stored); with different values
 * they are refused (`CM_READINGS_CONFLICT`): either choice would change the bill, and nobody can tell which is right.
 */
export function countedReadings(readings: readonly Reading[]): Reading[] {
  const counted = readings.filter((reading) => reading.status === 'ok');
  for (const reading of counted) assertCountable(reading);
  counted.sort((a, b) => a.at.getTime() - b.at.getTime());
  return withoutDuplicates(counted);
}

/** Refuses a reading whose time or value the rule cannot count (`CM_READING_INVALID`). */
export function assertCountable(reading: Reading): void {
  if (!(reading.at instanceof Date) || Number.isNaN(reading.at.getTime()))
    throw new EnergyInputError('CM_READING_INVALID', `a reading has no valid time (${String(reading.at)})`, {
      at: String(reading.at),
    });
  const { value } = reading;
  if (typeof value !== 'number' || !Number.isFinite(value) || value < 0 || value > MAX_READING_VALUE)
    throw new EnergyInputError(
      'CM_READING_INVALID',
      `the reading at ${reading.at.toISOString()} has value ${String(value)}: an ok reading must be a number from 0 to ${MAX_READING_VALUE}`,
      { at: reading.at.toISOString(), value: String(value) },
    );
}

function withoutDuplicates(sorted: Reading[]): Reading[] {
  const unique: Reading[] = [];
  for (const reading of sorted) {
    const previous = unique.at(-1);
    if (previous === undefined || previous.at.getTime() !== reading.at.getTime()) unique.push(reading);
    else if (previous.value !== reading.value)
      throw new EnergyInputError(
        'CM_READINGS_CONFLICT',
        `two ok readings at ${reading.at.toISOString()} disagree (${previous.value} and ${reading.value}); mark one suspect`,
        { at: reading.at.toISOString(), values: [previous.value, reading.value] },
      );
  }
  return unique;
}
