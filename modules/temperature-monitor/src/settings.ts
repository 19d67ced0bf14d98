import type { AlertPolicy } from './alerts/alert-machine.js';

/** The module's settings (manifest `settings`), typed. */
export interface TemperatureSettings {
  pollIntervalSeconds: number;
  hysteresisCelsius: number;
  minDurationSeconds: number;
  repeatIntervalMinutes: number;
  rawRetentionDays: number;
}

/** Hourly rollups are kept this long, whatever the raw retention. */
export const rollupRetentionDays = 730;

const defaults: TemperatureSettings = {
  pollIntervalSeconds: 60,
  hysteresisCelsius: 2,
  minDurationSeconds: 120,
  repeatIntervalMinutes: 240,
  rawRetentionDays: 14,
};

/** The settings from `ctx.settings` or a job's `context.settings`; a value that is not a number gets its default. */
export function readSettings(values: Readonly<Record<string, unknown>>): TemperatureSettings {
  const read = (key: keyof TemperatureSettings) => {
    const value = values[key];
    return typeof value === 'number' && Number.isFinite(value) && value >= 0 ? value : defaults[key];
  };
  return {
    pollIntervalSeconds: read('pollIntervalSeconds'),
    hysteresisCelsius: read('hysteresisCelsius'),
    minDurationSeconds: read('minDurationSeconds'),
    repeatIntervalMinutes: read('repeatIntervalMinutes'),
    rawRetentionDays: read('rawRetentionDays'),
  };
}

/** The alert machine's policy from the settings. */
export function alertPolicy(settings: TemperatureSettings): AlertPolicy {
  return {
    hysteresis: settings.hysteresisCelsius,
    minDurationMs: settings.minDurationSeconds * 1000,
    repeatIntervalMs: settings.repeatIntervalMinutes * 60_000,
  };
}
