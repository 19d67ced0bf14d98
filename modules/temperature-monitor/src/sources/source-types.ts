import type { Thresholds } from '../thresholds.js';

/** The three ways a host is read. */
export type SourceKind = 'redfish' | 'ipmi' | 'scrape';

/**
 * What a device says about one sensor when read. `thresholds` are the device's as read now; a source whose
 * poll does not report them (IPMI's fast listing) leaves them out, and those found at discovery stay.
 */
export type SensorRead =
  /** A temperature in °C. */
  | { status: 'ok'; celsius: number; thresholds?: Thresholds }
  /** The device lists the sensor but marks it disabled (or absent). */
  | { status: 'disabled'; note: string; thresholds?: Thresholds }
  /** The device lists the sensor without a reading (`null`, "no reading", `ns`, a discrete sensor). */
  | { status: 'no_reading'; note: string; thresholds?: Thresholds }
  /** The device no longer reports the sensor at all (or could not be asked for it this time). */
  | { status: 'missing'; note: string };

/** A sensor as discovery lists it: what it is, how it reads now, and the device's own thresholds. */
export interface DiscoveredSensor {
  /** Stable within the host: used to track the sensor and to find it again at every poll. */
  key: string;
  name: string;
  unit: string;
  thresholds: Thresholds;
  read: Exclude<SensorRead, { status: 'missing' }>;
}

/** A source of temperatures for one host. Failures of the whole host throw a `SourceError`. */
export interface SensorSource {
  /** Every temperature sensor the device reports. */
  discover(): Promise<DiscoveredSensor[]>;
  /** The current reading of each key asked for (a key the device no longer reports is `missing`). */
  read(keys: readonly string[]): Promise<Map<string, SensorRead>>;
}

/** How a failed host is shown: `unreachable` when it did not answer, `error` when it answered wrongly. */
export type HostFailure = 'unreachable' | 'error';

/** The device as a whole could not be read. */
export class SourceError extends Error {
  constructor(
    /** A stable code: `TM_…` of this module, or the core service's `NXF_…`. */
    readonly code: string,
    message: string,
    readonly failure: HostFailure,
    options: { cause?: unknown } = {},
  ) {
    super(message, options);
    this.name = 'SourceError';
  }
}
