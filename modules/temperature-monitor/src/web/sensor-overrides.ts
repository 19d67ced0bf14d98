import type { SensorRow } from '../store/sensor-store.js';
import { overridableThresholds, thresholdOrderErrors, type ThresholdOverrides } from '../thresholds.js';

/**
 * Reads a sensor's threshold overrides (`{upperWarning: 40, lowerCritical: 5}`): they replace the stored ones;
 * a threshold left out (or null) follows the device. Refused, per field: unknown names, values that are not
 * numbers from -100 to 200 °C, and overrides out of order with the other thresholds (an upper warning below the
 * lower warning…).
 */
export function parseOverrides(
  raw: unknown,
  sensor: Pick<SensorRow, 'device_thresholds'>,
): { ok: true; overrides: ThresholdOverrides } | { ok: false; errors: Record<string, string> } {
  if (raw === undefined || raw === null || typeof raw !== 'object' || Array.isArray(raw)) {
    return { ok: false, errors: { overrides: 'An object of thresholds, e.g. {"upperWarning": 40}.' } };
  }
  const errors: Record<string, string> = {};
  const overrides: ThresholdOverrides = {};
  for (const [key, value] of Object.entries(raw as Record<string, unknown>)) {
    if (!(overridableThresholds as readonly string[]).includes(key)) {
      errors[key] = `Not a threshold that can be overridden (${overridableThresholds.join(', ')}).`;
      continue;
    }
    if (value === null || value === '') continue;
    const number = typeof value === 'string' ? Number(value) : value;
    if (typeof number !== 'number' || !Number.isFinite(number) || number < -100 || number > 200) {
      errors[key] = 'A temperature in °C from -100 to 200.';
      continue;
    }
    overrides[key as keyof ThresholdOverrides] = number;
  }
  if (Object.keys(errors).length > 0) return { ok: false, errors };
  const order = thresholdOrderErrors(sensor.device_thresholds, overrides);
  return Object.keys(order).length > 0 ? { ok: false, errors: order } : { ok: true, overrides };
}
