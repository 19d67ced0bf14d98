import type { Endpoint } from '../endpoints/endpoint.js';
import { excerpt, fetchText, parseJson } from './http-source.js';
import { ReadError, type SourceContext, type SourceReader } from './source.js';

type Resource = Record<string, unknown>;
type Link = { '@odata.id'?: string };

/**
 * A Redfish service: the `EnergykWh` sensor named by `sensor` (or the first found under PowerEquipment's rack
 * PDUs, then the chassis) for a counter; `PowerControl[].PowerConsumedWatts` of the first chassis reporting it
 * (or the `sensor`, a Power sensor) for a power endpoint.
 */
export const readRedfish: SourceReader = async (endpoint, context) => {
  const get = (path: string) => getResource(endpoint, context, path);
  if (endpoint.sensor) return readSensor(endpoint, await get(endpoint.sensor), endpoint.sensor);
  const root = await get(new URL(endpoint.url!).pathname);
  if (endpoint.kind === 'counter') {
    const found = await findEnergySensor(root, get);
    if (!found)
      throw new ReadError('CM_REDFISH_NO_SENSOR', `${endpoint.url} has no sensor with ReadingType EnergykWh.`);
    return readSensor(endpoint, found.sensor, found.path);
  }
  for (const chassis of await members(root.Chassis as Link, get)) {
    const power = (chassis.resource.Power as Link | undefined)?.['@odata.id'];
    if (!power) continue;
    const control = ((await get(power)).PowerControl as Resource[] | undefined)?.find(
      (entry) => typeof entry.PowerConsumedWatts === 'number',
    );
    if (control)
      return {
        number: control.PowerConsumedWatts as number,
        raw: JSON.stringify({ PowerConsumedWatts: control.PowerConsumedWatts }),
      };
  }
  throw new ReadError('CM_REDFISH_NO_SENSOR', `${endpoint.url} reports no PowerControl PowerConsumedWatts.`);
};

async function getResource(endpoint: Endpoint, context: SourceContext, path: string): Promise<Resource> {
  const url = new URL(path, endpoint.url!).toString();
  const json = parseJson(await fetchText(url, endpoint, context), url);
  if (!json || typeof json !== 'object') throw new ReadError('CM_NOT_JSON', `${url} answered no Redfish resource.`);
  return json as Resource;
}

function readSensor(endpoint: Endpoint, sensor: Resource, path: string) {
  const raw = excerpt(
    JSON.stringify({ ReadingType: sensor.ReadingType, Reading: sensor.Reading, ReadingUnits: sensor.ReadingUnits }),
  );
  const expected = endpoint.kind === 'counter' ? 'EnergykWh' : 'Power';
  if (sensor.ReadingType !== expected) {
    throw new ReadError('CM_REDFISH_NO_SENSOR', `${path} is a ${String(sensor.ReadingType)} sensor, not ${expected}.`, {
      raw,
    });
  }
  if (typeof sensor.Reading !== 'number')
    throw new ReadError('NXF_SCRAPE_PARSE', `${path} has no numeric Reading.`, { raw });
  return { number: sensor.Reading, raw };
}

async function findEnergySensor(root: Resource, get: (path: string) => Promise<Resource>) {
  const holders: Resource[] = [];
  const equipment = (root.PowerEquipment as Link | undefined)?.['@odata.id'];
  if (equipment) {
    const pdus = (await get(equipment)).RackPDUs as Link | undefined;
    holders.push(...(await members(pdus, get)).map((m) => m.resource));
  }
  holders.push(...(await members(root.Chassis as Link, get)).map((m) => m.resource));
  for (const holder of holders) {
    for (const sensor of await members(holder.Sensors as Link, get)) {
      if (sensor.resource.ReadingType === 'EnergykWh') return { sensor: sensor.resource, path: sensor.path };
    }
  }
  return undefined;
}

async function members(collection: Link | undefined, get: (path: string) => Promise<Resource>) {
  const path = collection?.['@odata.id'];
  if (!path) return [];
  const links = ((await get(path)).Members as Link[] | undefined) ?? [];
  const found: { path: string; resource: Resource }[] = [];
  for (const link of links) {
    if (link['@odata.id']) found.push({ path: link['@odata.id'], resource: await get(link['@odata.id']) });
  }
  return found;
}
