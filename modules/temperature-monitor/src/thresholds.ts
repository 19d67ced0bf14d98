/** The thresholds of a sensor in °C, as the API shows them; null where neither the device nor an override sets one. */
export interface Thresholds {
  lowerCritical: number | null;
  lowerWarning: number | null;
  upperWarning: number | null;
  upperCritical: number | null;
  upperFatal: number | null;
}

/** The thresholds a user may override per sensor (the fatal one is the device's alone). */
export const overridableThresholds = ['lowerCritical', 'lowerWarning', 'upperWarning', 'upperCritical'] as const;

/** One of the overridable thresholds. */
export type OverridableThreshold = (typeof overridableThresholds)[number];

/** Per-sensor overrides: a number replaces the device's threshold; a missing key keeps it. */
export type ThresholdOverrides = Partial<Record<OverridableThreshold, number>>;

/** A sensor without any threshold. */
export const noThresholds: Thresholds = Object.freeze({
  lowerCritical: null,
  lowerWarning: null,
  upperWarning: null,
  upperCritical: null,
  upperFatal: null,
});

/** The device's thresholds with the user's overrides applied. */
export function effectiveThresholds(device: Partial<Thresholds>, overrides: ThresholdOverrides): Thresholds {
  const pick = (key: keyof Thresholds) => {
    const override = key === 'upperFatal' ? undefined : overrides[key];
    return override ?? finiteOrNull(device[key]);
  };
  return {
    lowerCritical: pick('lowerCritical'),
    lowerWarning: pick('lowerWarning'),
    upperWarning: pick('upperWarning'),
    upperCritical: pick('upperCritical'),
    upperFatal: pick('upperFatal'),
  };
}

/** A number that can be compared against, else null (devices report "na", null or nothing). */
export function finiteOrNull(value: unknown): number | null {
  return typeof value === 'number' && Number.isFinite(value) ? value : null;
}

const labels: Record<OverridableThreshold, string> = {
  lowerCritical: 'lower critical',
  lowerWarning: 'lower warning',
  upperWarning: 'upper warning',
  upperCritical: 'upper critical',
};

/**
 * Pairs that must be in order: within a side a warning may equal its critical threshold, across sides the lower
 * one must be strictly below the upper one.
 */
const orderedPairs: Array<[OverridableThreshold, OverridableThreshold, 'lte' | 'lt']> = [
  ['lowerCritical', 'lowerWarning', 'lte'],
  ['upperWarning', 'upperCritical', 'lte'],
  ['lowerWarning', 'upperWarning', 'lt'],
  ['lowerCritical', 'upperWarning', 'lt'],
  ['lowerWarning', 'upperCritical', 'lt'],
  ['lowerCritical', 'upperCritical', 'lt'],
];

/**
 * What is wrong with overrides against the device's thresholds, by field: an override out of order with another
 * threshold (an upper warning below the lower warning…). Only pairs involving an override are checked, so a
 * device with odd thresholds of its own does not block every change.
 */
export function thresholdOrderErrors(
  device: Partial<Thresholds>,
  overrides: ThresholdOverrides,
): Record<string, string> {
  const merged = effectiveThresholds(device, overrides);
  const errors: Record<string, string> = {};
  for (const [low, high, relation] of orderedPairs) {
    const [a, b] = [merged[low], merged[high]];
    if (a === null || b === null || (overrides[low] === undefined && overrides[high] === undefined)) continue;
    if (relation === 'lt' ? a < b : a <= b) continue;
    const field = overrides[high] !== undefined ? high : low;
    errors[field] ??=
      `The ${labels[high]} threshold (${b} °C) must be ${relation === 'lt' ? 'above' : 'at or above'} the ${labels[low]} threshold (${a} °C).`;
  }
  return errors;
}
