import { createAlertStore } from '../store/alert-store.js';
import { createSensorStore, type TileRow } from '../store/sensor-store.js';
import type { Sql } from '../store/sql.js';

/** What the dashboard shows, as read from the tables. */
export interface TilesData {
  rows: TileRow[];
  firing: number;
  /** Changes whenever the rows may have. */
  stamp: string;
}

/** How long a stamp read is trusted: a change made elsewhere (a job's worker, another process) shows within it. */
const stampTtlMs = 1000;

/**
 * The dashboard's rows, read again only when their stamp changed (a poll, a host changed, a sensor tracked or
 * dropped): kiosks ask every 30 s and a room holds 1000 sensors, while the data changes once a poll. The stamp
 * itself is read at most once a second, so a burst of requests costs the database nothing.
 */
export function createTilesSource(sql: Sql): () => Promise<TilesData> {
  const sensors = createSensorStore(sql);
  const alerts = createAlertStore(sql);
  let cached: { stamp: string; data: TilesData } | undefined;
  let checked: { at: number; stamp: Promise<string> } | undefined;
  return async () => {
    if (!checked || Date.now() - checked.at >= stampTtlMs) checked = { at: Date.now(), stamp: sensors.tilesStamp() };
    const stamp = await checked.stamp;
    if (cached?.stamp === stamp) return cached.data;
    const [rows, firing] = await Promise.all([sensors.tiles(), alerts.firingCount()]);
    cached = { stamp, data: { rows, firing, stamp } };
    return cached.data;
  };
}
