import type { IpmiSdrEntry, IpmiSensor, IpmiService, IpmiTarget } from 'nxforge/module';
import type { Thresholds } from '../thresholds.js';
import { noThresholds } from '../thresholds.js';
import { SourceError, type DiscoveredSensor, type SensorRead, type SensorSource } from './source-types.js';

/** The core IPMI service's failures and how a host shows each. */
const unreachableCodes = new Set(['NXF_IPMI_TIMEOUT', 'NXF_IPMI_UNREACHABLE', 'NXF_IPMI_CANCELLED']);

/**
 * Temperatures over IPMI through the core's ipmitool service (`ctx.services.ipmi`): discovery reads
 * `sdr type Temperature` (every temperature sensor, also those without a reading) and `sensor` (their six
 * thresholds); a poll reads `sdr type Temperature` alone, which is fast on every BMC. Keys are the sensor's name
 * and entity (`CPU Temp@3.1`): names repeat on some BMCs, entities tell them apart.
 */
export function createIpmiSource(ipmi: IpmiService, target: IpmiTarget, signal?: AbortSignal): SensorSource {
  const guard = async <T>(work: () => Promise<T>): Promise<T> => {
    try {
      return await work();
    } catch (error) {
      throw ipmiFailure(error);
    }
  };
  return {
    discover: () =>
      guard(async () => {
        const entries = await ipmi.sdr(target, { type: 'Temperature', signal });
        const table = await ipmi.sensors(target, { signal });
        return discoveredSensors(entries, table);
      }),
    read: (keys) =>
      guard(async () => {
        const entries = keyed(await ipmi.sdr(target, { type: 'Temperature', signal }));
        return new Map(
          keys.map((key): [string, SensorRead] => {
            const entry = entries.get(key);
            return [key, entry ? readOf(entry) : { status: 'missing', note: 'The BMC no longer lists this sensor.' }];
          }),
        );
      }),
  };
}

/** The SDR entries with their keys, in order. */
function keyed(entries: IpmiSdrEntry[]): Map<string, IpmiSdrEntry> {
  return new Map(entries.map((entry) => [`${entry.name}@${entry.entity ?? ''}`, entry]));
}

/** Discovery: every temperature entry, with thresholds from the `sensor` row of the same name (in order). */
export function discoveredSensors(entries: IpmiSdrEntry[], table: IpmiSensor[]): DiscoveredSensor[] {
  const seen = new Map<string, number>();
  return [...keyed(entries)].map(([key, entry]) => {
    const nth = seen.get(entry.name) ?? 0;
    seen.set(entry.name, nth + 1);
    const row = table.filter((r) => r.name === entry.name)[nth];
    const thresholds = row ? thresholdsOf(row) : noThresholds;
    const twins = entries.filter((e) => e.name === entry.name).length > 1;
    const name = twins ? `${entry.name} (${entry.entity})` : entry.name;
    return { key, name, unit: '°C', thresholds, read: readOf(entry, thresholds) };
  });
}

/** ipmitool's thresholds in °C: non-critical is a warning, critical is critical, non-recoverable is fatal. */
function thresholdsOf(row: IpmiSensor): Thresholds {
  const c = toCelsius(row.unit);
  const t = row.thresholds;
  return {
    lowerCritical: c(t.lowerCritical),
    lowerWarning: c(t.lowerNonCritical),
    upperWarning: c(t.upperNonCritical),
    upperCritical: c(t.upperCritical),
    upperFatal: c(t.upperNonRecoverable),
  };
}

/** An SDR entry's reading: a temperature, or why there is none (`ns`, "Disabled", a discrete state). */
function readOf(entry: IpmiSdrEntry, thresholds?: Thresholds): Exclude<SensorRead, { status: 'missing' }> {
  if (entry.value !== null && /^degrees [CF]$/.test(entry.unit ?? '')) {
    return { status: 'ok', celsius: toCelsius(entry.unit)(entry.value) as number, thresholds };
  }
  if (/^disabled$/i.test(entry.text))
    return { status: 'disabled', thresholds, note: 'The BMC reports the sensor as disabled.' };
  if (entry.status === 'ns' || /no reading/i.test(entry.text)) {
    return { status: 'no_reading', thresholds, note: 'The BMC gives no reading for this sensor (ns).' };
  }
  return { status: 'no_reading', thresholds, note: `A discrete sensor: "${entry.text}", not a temperature.` };
}

/** Fahrenheit readings (some BMCs) as °C, rounded to 0.1. */
function toCelsius(unit: string | null): (value: number | null) => number | null {
  if (unit !== 'degrees F') return (value) => value;
  return (value) => (value === null ? null : Math.round((((value - 32) * 5) / 9) * 10) / 10);
}

/** A failure of the core service as the host's failure. */
function ipmiFailure(error: unknown): SourceError {
  if (error instanceof SourceError) return error;
  const { code = 'NXF_IPMI_FAILED', message = String(error) } = error as { code?: string; message?: string };
  return new SourceError(code, message, unreachableCodes.has(code) ? 'unreachable' : 'error', { cause: error });
}

/** `host`, `host:port` or `[v6]:port` as an IPMI target's host and port. */
export function parseIpmiAddress(address: string): { host: string; port?: number } | null {
  const bracketed = /^\[([^\]]+)\](?::(\d+))?$/.exec(address);
  const plain = /^([^:\s/]+)(?::(\d+))?$/.exec(address);
  const match = bracketed ?? plain;
  if (!match || !match[1]) return null;
  const port = match[2] === undefined ? undefined : Number(match[2]);
  if (port !== undefined && (port < 1 || port > 65535)) return null;
  return { host: match[1], port };
}
