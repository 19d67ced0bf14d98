import type { SensorMemory } from '../alerts/alert-machine.js';
import type { Thresholds, ThresholdOverrides } from '../thresholds.js';
import type { Sql } from './sql.js';

/** The state a sensor shows: its alert level, or why it has none. */
export type SensorState = 'ok' | 'warning' | 'critical' | 'unknown' | 'disabled';

/** A tracked sensor as stored. */
export interface SensorRow {
  id: number;
  host_id: number;
  key: string;
  name: string;
  unit: string;
  device_thresholds: Partial<Thresholds>;
  overrides: ThresholdOverrides;
  state: SensorState;
  reading: number | null;
  read_at: Date | null;
  note: string | null;
  alert_memory: Partial<SensorMemory>;
}

/** What a dashboard tile shows of a sensor. */
export type TileRow = Pick<
  SensorWithHost,
  'id' | 'host_id' | 'name' | 'state' | 'reading' | 'read_at' | 'note' | 'host_name' | 'rack' | 'room' | 'host_state'
>;

/** What a poll sets on a sensor. */
export interface SensorStateUpdate {
  id: number;
  state: SensorState;
  /** The reading now, or null when there is none. */
  celsius: number | null;
  note: string | null;
  memory: SensorMemory;
  deviceThresholds: Partial<Thresholds>;
}

/** A sensor with its host's name and labels, for lists and the dashboard. */
export interface SensorWithHost extends SensorRow {
  host_name: string;
  rack: string;
  room: string;
  host_state: 'ok' | 'unreachable' | 'error';
}

const columns = `s.id, s.host_id, s.key, s.name, s.unit, s.device_thresholds, s.overrides, s.state, s.reading, s.read_at,
  s.note, s.alert_memory`;

/** The tracked sensors table. */
export function createSensorStore(sql: Sql) {
  return {
    /** Every tracked sensor with its host, grouped as the dashboard shows them: room, rack, host, name. */
    listWithHosts: (hostId?: number) =>
      sql.select<SensorWithHost>(
        `SELECT ${columns}, h.name AS host_name, h.rack, h.room, h.state AS host_state
           FROM tm_sensor s JOIN tm_host h ON h.id = s.host_id
          WHERE $1::int IS NULL OR s.host_id = $1
          ORDER BY h.room, h.rack, lower(h.name), h.id, lower(s.name), s.id`,
        [hostId ?? null],
      ),

    /** What the dashboard's tiles show, in its order: only the columns it needs (a room may hold 1000 sensors). */
    tiles: () =>
      sql.select<TileRow>(
        `SELECT s.id, s.host_id, s.name, s.state, s.reading, s.read_at, s.note, h.name AS host_name, h.rack, h.room,
                h.state AS host_state
           FROM tm_sensor s JOIN tm_host h ON h.id = s.host_id
          ORDER BY h.room, h.rack, lower(h.name), h.id, lower(s.name), s.id`,
      ),

    /**
     * What changes when the tiles may: a poll (every poll stamps its host), a host changed, a sensor tracked or
     * no longer tracked. One row from two small tables, so the dashboard can skip reading 1000 sensors.
     */
    tilesStamp: async () =>
      (
        await sql.one<{ stamp: string }>(
          `SELECT concat_ws('|', max(last_polled_at), max(updated_at), count(*), (SELECT count(*) FROM tm_sensor)) AS stamp
             FROM tm_host`,
        )
      )?.stamp ?? '',

    ofHost: (hostId: number) =>
      sql.select<SensorRow>(`SELECT ${columns} FROM tm_sensor s WHERE s.host_id = $1 ORDER BY s.id`, [hostId]),

    get: (id: number) =>
      sql.one<SensorWithHost>(
        `SELECT ${columns}, h.name AS host_name, h.rack, h.room, h.state AS host_state
           FROM tm_sensor s JOIN tm_host h ON h.id = s.host_id WHERE s.id = $1`,
        [id],
      ),

    /** Tracks sensors (a key already tracked keeps its row, its history and its overrides). */
    track: (hostId: number, sensors: Array<{ key: string; name: string; unit: string; thresholds: Thresholds }>) =>
      sql.transaction(async (tx) => {
        for (const sensor of sensors) {
          await tx.execute(
            `INSERT INTO tm_sensor (host_id, key, name, unit, device_thresholds) VALUES ($1, $2, $3, $4, $5)
             ON CONFLICT (host_id, key) DO UPDATE SET name = EXCLUDED.name, device_thresholds = EXCLUDED.device_thresholds`,
            [hostId, sensor.key, sensor.name, sensor.unit, JSON.stringify(sensor.thresholds)],
          );
        }
        return tx.select<SensorRow>(
          `SELECT ${columns} FROM tm_sensor s WHERE s.host_id = $1 AND s.key = ANY($2::text[]) ORDER BY s.id`,
          [hostId, sensors.map((s) => s.key)],
        );
      }),

    /**
     * Records a poll's outcome for its sensors in one statement. Without a reading now the last one stays, with its
     * time (its age shows), except for a disabled sensor, which has none.
     */
    recordStates: (updates: readonly SensorStateUpdate[], at: Date) =>
      updates.length === 0
        ? Promise.resolve(0)
        : sql.execute(
            `UPDATE tm_sensor s SET state = u.state,
               reading = CASE WHEN u.celsius IS NOT NULL THEN u.celsius WHEN u.state = 'disabled' THEN NULL ELSE s.reading END,
               read_at = CASE WHEN u.celsius IS NOT NULL THEN $7 WHEN u.state = 'disabled' THEN NULL ELSE s.read_at END,
               note = u.note, alert_memory = u.memory, device_thresholds = u.thresholds
             FROM unnest($1::int[], $2::text[], $3::float8[], $4::text[], $5::jsonb[], $6::jsonb[])
                  AS u (id, state, celsius, note, memory, thresholds)
            WHERE s.id = u.id`,
            [
              updates.map((u) => u.id),
              updates.map((u) => u.state),
              updates.map((u) => u.celsius),
              updates.map((u) => u.note),
              updates.map((u) => JSON.stringify(u.memory)),
              updates.map((u) => JSON.stringify(u.deviceThresholds)),
              at,
            ],
          ),

    setOverrides: (id: number, overrides: ThresholdOverrides) =>
      sql.execute('UPDATE tm_sensor SET overrides = $2 WHERE id = $1', [id, JSON.stringify(overrides)]),

    remove: (id: number) => sql.execute('DELETE FROM tm_sensor WHERE id = $1', [id]),
  };
}

/** The sensor store's methods. */
export type SensorStore = ReturnType<typeof createSensorStore>;
