import { settleLimit, mapLimit } from '../../map-limit.js';
import { SourceError, type DiscoveredSensor, type SensorRead, type SensorSource } from '../source-types.js';
import type { RedfishClient } from './redfish-client.js';
import { statusOf } from './redfish-errors.js';
import {
  isTemperatureSensor,
  linkOf,
  membersOf,
  readKey,
  resourceOfKey,
  temperatureSensor,
  thermalTemperatures,
} from './redfish-sensors.js';

/** Requests to one BMC at a time: BMCs are small computers. */
const perHost = 4;

/**
 * Temperatures of a Redfish service: every chassis under `/redfish/v1/Chassis`, from its `Sensors` collection
 * (the newer ThermalSubsystem schema) where it lists temperatures, else from its `Thermal` resource's
 * `Temperatures[]` (the older schema, deprecated since 2020 but what most BMCs still serve).
 */
export function createRedfishSource(client: RedfishClient): SensorSource {
  return {
    async discover() {
      const root = await client.get('/redfish/v1/');
      const chassisUri = linkOf(root, 'Chassis');
      if (!chassisUri) {
        throw new SourceError('TM_REDFISH_NOT_JSON', 'The Redfish service lists no Chassis.', 'error');
      }
      const chassis = membersOf(await client.get(chassisUri));
      const found = await mapLimit(chassis, 1, (uri) => chassisTemperatures(client, uri));
      return found.flat();
    },

    async read(keys) {
      const resources = [...new Set(keys.map(resourceOfKey))];
      const outcomes = await settleLimit(resources, perHost, (uri) => client.get(uri));
      const failures = outcomes.filter((o): o is PromiseRejectedResult => o.status === 'rejected');
      // Nothing answered, or the BMC refused us: the host as a whole failed.
      const hostWide = failures.find((f) => (f.reason as SourceError).code === 'TM_REDFISH_AUTH');
      if (hostWide) throw hostWide.reason;
      if (failures.length === resources.length && failures.length > 0 && statusOf(failures[0]?.reason) !== 404) {
        throw failures[0]?.reason;
      }
      const byResource = new Map(resources.map((uri, index) => [uri, outcomes[index]]));
      return new Map(
        keys.map((key): [string, SensorRead] => {
          const outcome = byResource.get(resourceOfKey(key));
          if (outcome?.status === 'fulfilled') return [key, readKey(key, outcome.value)];
          const reason = outcome?.reason as SourceError | undefined;
          return [
            key,
            statusOf(reason) === 404
              ? { status: 'missing', note: 'The device no longer reports this sensor.' }
              : { status: 'missing', note: reason?.message ?? 'not read' },
          ];
        }),
      );
    },
  };
}

/** One chassis's temperature sensors. */
async function chassisTemperatures(client: RedfishClient, chassisUri: string): Promise<DiscoveredSensor[]> {
  const chassis = await client.get(chassisUri);
  const sensorsUri = linkOf(chassis, 'Sensors');
  if (sensorsUri) {
    const members = membersOf(await client.get(sensorsUri));
    const outcomes = await settleLimit(members, perHost, (uri) => client.get(uri));
    // A member the collection still lists but that is gone (404) is skipped; the BMC failing on all of them is not.
    const failed = outcomes.filter((o): o is PromiseRejectedResult => o.status === 'rejected');
    const hostWide = failed.find((f) => statusOf(f.reason) !== 404);
    if (hostWide && failed.length === outcomes.length) throw hostWide.reason;
    const temperatures = outcomes.flatMap((outcome, index) =>
      outcome.status === 'fulfilled' && isTemperatureSensor(outcome.value)
        ? [temperatureSensor(outcome.value, members[index] as string)]
        : [],
    );
    if (temperatures.length > 0) return temperatures;
  }
  const thermalUri = linkOf(chassis, 'Thermal');
  return thermalUri ? thermalTemperatures(await client.get(thermalUri), thermalUri) : [];
}
