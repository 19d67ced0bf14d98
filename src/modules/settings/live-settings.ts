import type { SettingValue } from '../../settings/setting-values.js';

/** Setting values by key; undefined for an unset optional setting. */
export type SettingValues = Readonly<Record<string, SettingValue | undefined>>;

/**
 * A mounted module's current settings, with one owner: the loader fills it with the saved values, the module
 * manager replaces them when they are saved (here or in another process), and the module's context and its jobs
 * read `current` each time they need a value, so nobody holds a stale copy.
 */
export class LiveSettings {
  #values: SettingValues;

  constructor(values: SettingValues) {
    this.#values = Object.freeze({ ...values });
  }

  get current(): SettingValues {
    return this.#values;
  }

  replace(values: SettingValues): void {
    this.#values = Object.freeze({ ...values });
  }
}
