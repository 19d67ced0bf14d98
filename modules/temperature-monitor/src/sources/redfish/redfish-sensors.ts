import { finiteOrNull, type Thresholds } from '../../thresholds.js';
import type { DiscoveredSensor, SensorRead } from '../source-types.js';
import type { RedfishResource } from './redfish-client.js';

/** A member of `Thermal.Temperatures[]` or a `Sensor` resource, as far as temperatures go. */
type Member = Record<string, unknown>;

const objectAt = (value: unknown): Record<string, unknown> =>
  value !== null && typeof value === 'object' && !Array.isArray(value) ? (value as Record<string, unknown>) : {};

/** The `@odata.id` of a link property (`{"Thermal": {"@odata.id": "…"}}`), if any. */
export function linkOf(resource: RedfishResource, property: string): string | undefined {
  const id = objectAt(resource[property])['@odata.id'];
  return typeof id === 'string' && id !== '' ? id : undefined;
}

/** The `@odata.id` of every member of a collection. */
export function membersOf(collection: RedfishResource): string[] {
  const members = Array.isArray(collection.Members) ? collection.Members : [];
  return members.map((member) => objectAt(member)['@odata.id']).filter((id): id is string => typeof id === 'string');
}

/** Thresholds of a `Thermal.Temperatures[]` member (the older schema: `UpperThresholdNonCritical`…). */
export function thermalThresholds(member: Member): Thresholds {
  return {
    lowerCritical: finiteOrNull(member.LowerThresholdCritical),
    lowerWarning: finiteOrNull(member.LowerThresholdNonCritical),
    upperWarning: finiteOrNull(member.UpperThresholdNonCritical),
    upperCritical: finiteOrNull(member.UpperThresholdCritical),
    upperFatal: finiteOrNull(member.UpperThresholdFatal),
  };
}

/** Thresholds of a `Sensor` resource (the newer schema: `Thresholds.UpperCaution.Reading`…). */
export function sensorThresholds(sensor: Member): Thresholds {
  const thresholds = objectAt(sensor.Thresholds);
  const at = (name: string) => finiteOrNull(objectAt(thresholds[name]).Reading);
  return {
    lowerCritical: at('LowerCritical'),
    lowerWarning: at('LowerCaution'),
    upperWarning: at('UpperCaution'),
    upperCritical: at('UpperCritical'),
    upperFatal: at('UpperFatal'),
  };
}

/** States in which a device keeps a sensor but reads nothing from it. */
const disabledStates = new Set(['Disabled', 'Absent']);

/** A member's reading, as `ok`, `disabled` or `no_reading` by its `Status.State` and value. */
function readOf(member: Member, value: unknown, thresholds: Thresholds): DiscoveredSensor['read'] {
  const state = String(objectAt(member.Status).State ?? 'Enabled');
  if (disabledStates.has(state)) {
    return { status: 'disabled', thresholds, note: `The device reports the sensor as ${state.toLowerCase()}.` };
  }
  const celsius = finiteOrNull(value);
  if (state !== 'Enabled')
    return { status: 'no_reading', thresholds, note: `The device reports the sensor as ${state}.` };
  if (celsius === null)
    return { status: 'no_reading', thresholds, note: 'The device gives no reading for this sensor.' };
  return { status: 'ok', celsius, thresholds };
}

/** Temperatures of a `Thermal` resource; each keyed by its `@odata.id` (`…/Thermal#/Temperatures/0`). */
export function thermalTemperatures(thermal: RedfishResource, thermalUri: string): DiscoveredSensor[] {
  const members = Array.isArray(thermal.Temperatures) ? thermal.Temperatures.map(objectAt) : [];
  return members.map((member, index) => {
    const id = member['@odata.id'];
    const thresholds = thermalThresholds(member);
    return {
      key: typeof id === 'string' ? id : `${thermalUri}#/Temperatures/${index}`,
      name: String(member.Name ?? member.MemberId ?? `Temperature ${index}`),
      unit: '°C',
      thresholds,
      read: readOf(member, member.ReadingCelsius, thresholds),
    };
  });
}

/** Whether a `Sensor` resource measures a temperature. */
export function isTemperatureSensor(sensor: RedfishResource): boolean {
  return sensor.ReadingType === 'Temperature' || sensor.ReadingUnits === 'Cel';
}

/** A `Sensor` resource as a temperature sensor, keyed by its URI. */
export function temperatureSensor(sensor: RedfishResource, uri: string): DiscoveredSensor {
  const thresholds = sensorThresholds(sensor);
  return {
    key: typeof sensor['@odata.id'] === 'string' ? sensor['@odata.id'] : uri,
    name: String(sensor.Name ?? sensor.Id ?? uri),
    unit: '°C',
    thresholds,
    read: readOf(sensor, sensor.Reading, thresholds),
  };
}

/** The resource a key is read from: the part before `#` (a Thermal member) or the key itself (a Sensor). */
export function resourceOfKey(key: string): string {
  const hash = key.indexOf('#');
  return hash === -1 ? key : key.slice(0, hash);
}

/** A key's reading in the resource it was read from; a member or sensor no longer there is `missing`. */
export function readKey(key: string, resource: RedfishResource): SensorRead {
  const uri = resourceOfKey(key);
  if (uri === key) return temperatureSensor(resource, uri).read;
  const found = thermalTemperatures(resource, uri).find((sensor) => sensor.key === key);
  return found ? found.read : { status: 'missing', note: 'The device no longer reports this sensor.' };
}
