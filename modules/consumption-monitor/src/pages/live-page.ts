import type { ModuleContext, RequestContext } from 'nxforge/module';
import { groupTiles, cachedLiveTiles, type LiveTile } from '../live/live-data.js';
import type { Runtime } from '../runtime.js';

/**
 * The Live Dashboard: tiles grouped by customer or rack; the tiles refresh as a fragment every 30 s. It is a kiosk
 * page (docs/modules.md, "Kiosk pages"): on a display it shows only the display's rack or customer, grouped by the
 * other, and the display refreshes it. The tiles' markup is the same for every user: it is rendered once per set
 * of tiles, filter, grouping and minute (ages are shown to the minute) and reused by every request until then —
 * formatting 300 numbers was a quarter of a page's CPU.
 */
export function registerLivePage(ctx: ModuleContext, runtime: Runtime): void {
  const rendered = new WeakMap<LiveTile[], Map<string, { minute: number; html: string }>>();
  const tilesHtml = (all: LiveTile[], request: RequestContext, by: 'customer' | 'rack', now: Date) => {
    const filter = request.state.kiosk?.filter ?? {};
    const kiosk = Boolean(request.state.kiosk);
    const minute = Math.floor(now.getTime() / 60_000) * 60_000;
    const key = JSON.stringify([by, kiosk, filter.rack, filter.customer]);
    let byKey = rendered.get(all);
    if (!byKey) rendered.set(all, (byKey = new Map()));
    const kept = byKey.get(key);
    if (kept?.minute === minute) return kept.html;
    for (const [other, entry] of byKey) if (entry.minute !== minute) byKey.delete(other);
    const tiles = forFilter(all, filter);
    const at = new Date(minute);
    const html = ctx.renderView('_tiles', {
      by,
      kiosk,
      filter,
      groups: groupTiles(tiles, by),
      totals: totalsOf(tiles),
      now: at,
      age: (when: string | null) => ageText(when, at),
    });
    byKey.set(key, { minute, html });
    return html;
  };
  const data = async (request: RequestContext) => {
    const filter = request.state.kiosk?.filter ?? {};
    const asked = request.query.group === 'rack' ? 'rack' : 'customer';
    const by = filter.customer ? 'rack' : filter.rack ? 'customer' : asked;
    const now = new Date();
    const all = await cachedLiveTiles(runtime);
    return {
      title: 'Live Dashboard',
      filter,
      by,
      tilesHtml: tilesHtml(all, request, by, now),
      now,
    };
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
