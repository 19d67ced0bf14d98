import type { ModuleContext, RequestContext } from 'nxforge/module';
import { groupTiles, cachedLiveTiles, type LiveTile } from '../live/live-data.js';
import type { Runtime } from '../runtime.js';

/**
 * The Live Dashboard: tiles grouped by customer or rack; the tiles refresh as a fragment every 30 s. The tiles'
 * markup is the same for every user: it is rendered once per set of tiles, grouping and minute (ages are shown
 * to the minute) and reused by every request until then — formatting 300 numbers was most of a page's cost.
 */
export function registerLivePage(ctx: ModuleContext, runtime: Runtime): void {
  const rendered = new WeakMap<LiveTile[], Map<string, string>>();
  const tilesHtml = (tiles: LiveTile[], by: 'customer' | 'rack', now: Date) => {
    const minute = new Date(Math.floor(now.getTime() / 60_000) * 60_000);
    const key = `${by} ${minute.getTime()}`;
    let byKey = rendered.get(tiles);
    if (!byKey) rendered.set(tiles, (byKey = new Map()));
    let html = byKey.get(key);
    if (html === undefined) {
      html = ctx.renderView('_tiles', {
        by,
        groups: groupTiles(tiles, by),
        totals: totalsOf(tiles),
        now: minute,
        age: (at: string | null) => ageText(at, minute),
      });
      byKey.clear(); // an older minute's markup is not asked for again
      byKey.set(key, html);
    }
    return html;
  };
  const data = async (request: RequestContext) => {
    const by = request.query.group === 'rack' ? 'rack' : 'customer';
    const now = new Date();
    const tiles = await cachedLiveTiles(runtime);
    return { title: 'Live Dashboard', by, tilesHtml: tilesHtml(tiles, by, now), totals: totalsOf(tiles), now };
  };
  ctx.ui.get('/consumption/live', async (request) => {
    request.body = ctx.render('live', await data(request));
  });
  ctx.ui.get('/consumption/live/tiles', async (request) => {
    request.body = (await data(request)).tilesHtml;
  });
  ctx.widget('totals', async () => {
    const tiles = await cachedLiveTiles(runtime);
    return { totals: totalsOf(tiles) };
  });
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
