import type { ModuleLogger, ModuleServices } from 'nxforge/module';
import { passwordContext, sourceForHost } from '../sources/source-for-host.js';
import { SourceError, type DiscoveredSensor } from '../sources/source-types.js';
import { createHostStore, type HostRow } from '../store/host-store.js';
import { createSensorStore, type SensorRow } from '../store/sensor-store.js';
import type { Sql } from '../store/sql.js';
import type { HostInput } from './host-input.js';
import { endSession } from './host-sessions.js';

/** What the actions need: the module's database, services and logger, and its way of failing a request. */
export interface ActionDeps {
  sql: Sql;
  services: ModuleServices;
  logger: ModuleLogger;
  fail(status: number, code: string, message: string, details?: unknown): never;
}

/** Changes to hosts and their tracked sensors, shared by the pages and the JSON API. */
export function createHostActions(deps: ActionDeps) {
  const hosts = createHostStore(deps.sql);
  const sensors = createSensorStore(deps.sql);
  const secrets = deps.services.secrets;

  const found = async (id: number): Promise<HostRow> =>
    (Number.isInteger(id) ? await hosts.get(id) : undefined) ?? deps.fail(404, 'NXF_NOT_FOUND', `No host ${id}.`);

  /** A duplicate name is a conflict with a clear message rather than a database error. */
  const unique = async <T>(name: string, work: () => Promise<T>): Promise<T> => {
    try {
      return await work();
    } catch (error) {
      if ((error as { original?: { code?: string } }).original?.code === '23505') {
        deps.fail(409, 'NXF_CONFLICT', `A host named "${name}" exists already.`, { name: 'Already taken.' });
      }
      throw error;
    }
  };

  /** Discovers a host's sensors, failing the request with the host's error when it cannot be read. */
  const discover = async (host: HostRow): Promise<DiscoveredSensor[]> => {
    try {
      const source = sourceForHost(deps, host);
      try {
        return await source.discover();
      } finally {
        source.close();
      }
    } catch (error) {
      if (error instanceof SourceError) deps.fail(502, error.code, `${host.name}: ${error.message}`);
      throw error;
    }
  };

  return {
    found,

    async create(input: HostInput): Promise<HostRow> {
      const id = await unique(input.name, () =>
        hosts.create(input, (newId) => (input.password ? secrets.seal(input.password, passwordContext(newId)) : null)),
      );
      return (await hosts.get(id)) as HostRow;
    },

    async update(id: number, input: HostInput): Promise<HostRow> {
      const host = await found(id);
      const credentialsChange =
        input.password !== undefined ||
        input.username !== host.username ||
        input.address !== host.address ||
        input.source !== host.source;
      if (credentialsChange && host.session_sealed) await endSession(deps, host);
      const sealed = input.password === undefined ? undefined : secrets.seal(input.password, passwordContext(id));
      await unique(input.name, () => hosts.update(id, input, sealed));
      return (await hosts.get(id)) as HostRow;
    },

    async remove(id: number): Promise<void> {
      const host = await found(id);
      if (host.session_sealed) await endSession(deps, host);
      await hosts.remove(id);
    },

    /** The host's sensors as the device reports them now. */
    discover: async (id: number) => discover(await found(id)),

    /** Tracks sensors by key; keys the device does not report are refused, naming them. */
    async track(id: number, keys: unknown): Promise<SensorRow[]> {
      if (!Array.isArray(keys) || keys.length === 0 || keys.some((key) => typeof key !== 'string')) {
        deps.fail(422, 'NXF_VALIDATION', 'Give the keys of the sensors to track.', {
          keys: 'A non-empty list of sensor keys.',
        });
      }
      const host = await found(id);
      const discovered = await discover(host);
      const byKey = new Map(discovered.map((sensor) => [sensor.key, sensor]));
      const unknown = (keys as string[]).filter((key) => !byKey.has(key));
      if (unknown.length > 0) {
        deps.fail(422, 'TM_SENSOR_UNKNOWN', `${host.name} does not report ${unknown.join(', ')}.`, { keys: unknown });
      }
      return sensors.track(
        host.id,
        (keys as string[]).map((key) => byKey.get(key) as DiscoveredSensor),
      );
    },
  };
}

/** The host actions' methods. */
export type HostActions = ReturnType<typeof createHostActions>;
