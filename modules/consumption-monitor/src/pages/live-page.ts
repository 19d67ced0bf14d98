import type { ModuleContext, RequestContext } from 'nxforge/module';
import { groupTiles, cachedLiveTiles, type LiveTile } from '../live/live-data.js';
import type { Runtime } from '../runtime.js';

/**
 * The Live Dashboard: tiles grouped by customer or rack; the tiles refresh as a fragment every 30 s. It is a kiosk
 * page (docs/modules.md, "Kiosk pages"): on a display it shows only the display's rack or customer, grouped by the
 * other, and the display refreshes it.
 */
export function registerLivePage(ctx: ModuleContext, runtime: Runtime): void {
  const data = async (request: RequestContext) => {
    const filter = request.state.kiosk?.filter ?? {};
    const asked = request.query.group === 'rack' ? 'rack' : 'customer';
    const by = filter.customer ? 'rack' : filter.rack ? 'customer' : asked;
    const now = new Date();
    const tiles = forFilter(await cachedLiveTiles(runtime), filter);
    return {
      title: 'Live Dashboard',
      filter,
      by,
      groups: groupTiles(tiles, by),
      totals: totalsOf(tiles),
      now,
      age: (at: string | null) => ageText(at, now),
    };
  };
  ctx.ui.get('/consumption/live', async (request) => {
    request.body = ctx.render('live', await data(request));
  });
  ctx.ui.get('/consumption/live/tiles', async (request) => {
    request.body = ctx.render('_tiles', await data(request));
  });
  ctx.widget('totals', async () => {
    const tiles = await cachedLiveTiles(runtime);
    return { totals: totalsOf(tiles) };
  });
}

/** The tiles a display limited to a rack or a customer shows (both, when it is limited to both). */
export function forFilter(tiles: LiveTile[], filter: { rack?: string; customer?: string }): LiveTile[] {
  return tiles.filter(
    (tile) =>
      (filter.rack === undefined || tile.rack === filter.rack) &&
      (filter.customer === undefined || tile.customer === filter.customer),
  );
}

/** Sums for the dashboard widget and the page header. */
export function totalsOf(tiles: LiveTile[]) {
  const sum = (values: (number | null)[]) => values.reduce<number>((total, value) => total + (value ?? 0), 0);
  return {
    endpoints: tiles.length,
    kw: sum(tiles.map((t) => t.kw)),
    monthToDateKwh: tiles.some((t) => t.monthToDateKwh !== null) ? sum(tiles.map((t) => t.monthToDateKwh)) : null,
    ok: tiles.filter((t) => t.state === 'ok').length,
    stale: tiles.filter((t) => t.state === 'stale').length,
    error: tiles.filter((t) => t.state === 'error').length,
  };
}

/** "3 min ago", "2 h ago", "never". */
export function ageText(at: string | null, now: Date): string {
  if (!at) return 'never';
  const minutes = Math.max(0, Math.round((now.getTime() - Date.parse(at)) / 60_000));
  if (minutes < 1) return 'just now';
  if (minutes < 120) return `${minutes} min ago`;
  if (minutes < 48 * 60) return `${Math.round(minutes / 60)} h ago`;
  return `${Math.round(minutes / 1440)} days ago`;
}
