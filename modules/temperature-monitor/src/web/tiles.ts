import type { SensorWithHost, TileRow } from '../store/sensor-store.js';

/** A tile of the dashboard: one tracked sensor. */
export interface Tile {
  id: number;
  name: string;
  state: SensorWithHost['state'];
  reading: number | null;
  /** How old the reading is, in words (`40 s`, `3 min`, `2 h`), or null when there is none. */
  age: string | null;
  /** Whether the reading is older than three poll intervals: shown faded. */
  stale: boolean;
  note: string | null;
}

/** The dashboard's grouping: room → rack → host → tiles. */
export interface TileGroups {
  rooms: Array<{
    room: string;
    /** `Room A` for the label `A`, or `Room A` for `Room A` (see `groupHeading`). */
    heading: string;
    racks: Array<{
      rack: string;
      heading: string;
      hosts: Array<{ id: number; name: string; state: SensorWithHost['host_state']; tiles: Tile[] }>;
    }>;
  }>;
  /** Sensors per state, for the summary line. */
  counts: Record<SensorWithHost['state'], number>;
}

/**
 * How long ago, to the minute (`< 1 min`, `3 min`, `2 h`, `4 d`), or null when there is none: a reading is taken
 * once a minute, and a dashboard that says the same for a minute can be served from memory and answered 304.
 */
export function ageOf(at: Date | null, now: Date): string | null {
  if (!at) return null;
  const seconds = Math.max(0, (now.getTime() - new Date(at).getTime()) / 1000);
  if (seconds < 60) return '< 1 min';
  if (seconds < 90 * 60) return `${Math.floor(seconds / 60)} min`;
  if (seconds < 48 * 3600) return `${Math.floor(seconds / 3600)} h`;
  return `${Math.floor(seconds / 86_400)} d`;
}

/**
 * A group's heading: the word and the label (`Rack` + `7` → `Rack 7`), the label alone when it starts with the word
 * already (`Rack 7`, `rack-7`: not `Rack Rack 7`), `No rack` when there is none.
 */
export function groupHeading(word: 'Room' | 'Rack', label: string): string {
  if (!label) return `No ${word.toLowerCase()}`;
  return new RegExp(`^${word}\\b`, 'i').test(label.trim()) ? label : `${word} ${label}`;
}

/** Groups sensors (already sorted by room, rack, host, name) for the dashboard. */
export function groupTiles(sensors: readonly TileRow[], now: Date, pollIntervalSeconds: number): TileGroups {
  const counts = { ok: 0, warning: 0, critical: 0, unknown: 0, disabled: 0 };
  const rooms: TileGroups['rooms'] = [];
  for (const sensor of sensors) {
    counts[sensor.state] += 1;
    let room = rooms.at(-1);
    if (!room || room.room !== sensor.room)
      rooms.push((room = { room: sensor.room, heading: groupHeading('Room', sensor.room), racks: [] }));
    let rack = room.racks.at(-1);
    if (!rack || rack.rack !== sensor.rack)
      room.racks.push((rack = { rack: sensor.rack, heading: groupHeading('Rack', sensor.rack), hosts: [] }));
    let host = rack.hosts.at(-1);
    if (!host || host.id !== sensor.host_id) {
      rack.hosts.push((host = { id: sensor.host_id, name: sensor.host_name, state: sensor.host_state, tiles: [] }));
    }
    const readAt = sensor.read_at ? new Date(sensor.read_at) : null;
    host.tiles.push({
      id: sensor.id,
      name: sensor.name,
      state: sensor.state,
      reading: sensor.reading,
      age: ageOf(readAt, now),
      stale: readAt !== null && now.getTime() - readAt.getTime() > 3 * pollIntervalSeconds * 1000,
      note: sensor.note,
    });
  }
  return { rooms, counts };
}
