import { presentKw, stateOf } from '../endpoints/endpoint-view.js';
import type { Runtime } from '../runtime.js';
import { monthToDate } from './month-to-date.js';

/** A tile of the Live Dashboard, as `GET /consumption/live` returns it. */
export interface LiveTile {
  id: string;
  name: string;
  customer: string | null;
  rack: string | null;
  lastReadingAt: string | null;
  /** The last counted value: kWh on the counter, or kW. */
  lastValue: number | null;
  kind: 'counter' | 'power';
  kw: number | null;
  monthToDateKwh: number | null;
  state: 'ok' | 'stale' | 'error';
}

/** Every enabled endpoint's tile (a never-read endpoint is stale: it has nothing current to show). */
export async function liveTiles(runtime: Runtime, now = new Date()): Promise<LiveTile[]> {
  const [endpoints, latest] = await Promise.all([runtime.endpoints.list(), runtime.readings.latest()]);
  const enabled = endpoints.filter((endpoint) => endpoint.enabled);
  const mtd = await monthToDate(runtime, enabled, now);
  return enabled.map((endpoint) => {
    const readings = latest.get(endpoint.id);
    const state = stateOf(endpoint, readings, now);
    const last = readings?.last;
    return {
      id: endpoint.id,
      name: endpoint.name,
      customer: endpoint.customer,
      rack: endpoint.rack,
      lastReadingAt: last?.at ?? null,
      lastValue: readings?.ok[0]?.value ?? null,
      kind: endpoint.kind,
      kw: presentKw(endpoint, readings),
      monthToDateKwh: mtd.get(endpoint.id) ?? null,
      state: state === 'ok' || state === 'error' ? state : 'stale',
    };
  });
}

/** Tiles grouped by customer or rack, groups and tiles in name order. */
export function groupTiles(tiles: LiveTile[], by: 'customer' | 'rack'): { label: string; tiles: LiveTile[] }[] {
  const groups = new Map<string, LiveTile[]>();
  for (const tile of tiles) {
    const label = tile[by] ?? (by === 'customer' ? 'No customer' : 'No rack');
    groups.set(label, [...(groups.get(label) ?? []), tile]);
  }
  return [...groups.entries()].sort(([a], [b]) => a.localeCompare(b)).map(([label, list]) => ({ label, tiles: list }));
}

/** How long a process reuses the tiles it computed: readings arrive every 15 minutes, tiles refresh every 30 s. */
const reuseMs = 5_000;
const cache = new WeakMap<object, { at: number; tiles: Promise<LiveTile[]>; next?: Promise<LiveTile[]> }>();

/**
 * The tiles, computed at most every 5 s per process (a wall of kiosks asking every 30 s costs one computation).
 * Older tiles are answered while newer ones are computed, so no request waits for the computation but the first;
 * edits made through this process are shown at once (`forgetLiveTiles`), readings stored by the job within 5 s.
 */
export function cachedLiveTiles(runtime: Runtime): Promise<LiveTile[]> {
  const now = Date.now();
  const kept = cache.get(runtime);
  if (kept && now - kept.at < reuseMs) return kept.tiles;
  const tiles = kept?.next ?? liveTiles(runtime, new Date(now));
  if (!kept) {
    cache.set(runtime, { at: now, tiles });
    tiles.catch(() => cache.delete(runtime));
    return tiles;
  }
  if (!kept.next) {
    kept.next = tiles;
    tiles.then(
      () => cache.set(runtime, { at: Date.now(), tiles }),
      () => (kept.next = undefined),
    );
  }
  return kept.tiles;
}

/** Drops the reused tiles (an endpoint was saved, deleted or read by this process). */
export function forgetLiveTiles(runtime: Runtime): void {
  cache.delete(runtime);
}
