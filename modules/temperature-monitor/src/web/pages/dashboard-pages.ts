import type { ModuleContext, RequestContext } from 'nxforge/module';
import { readSettings } from '../../settings.js';
import { createAlertStore } from '../../store/alert-store.js';
import type { Sql } from '../../store/sql.js';
import { groupTiles } from '../tiles.js';
import { createTilesSource } from '../tiles-source.js';
import { stylesheet } from './page-kit.js';

/** How often the tiles refresh themselves (htmx), whatever the poll interval: ages stay current. */
const refreshSeconds = 30;

/** At most this many renderings are kept: one for users, one per rack that kiosk displays show. */
const keptRenderings = 50;

/**
 * Who the tiles are for: signed-in users (everything, polling itself, tiles linking to their sensors), or a kiosk
 * display limited to a rack or not (refreshed by the display, nothing to click).
 */
type Audience = { kiosk: false } | { kiosk: true; rack: string | null };

/**
 * The dashboard (tiles by room, rack and host, refreshed as a fragment) and the firing-alerts widget. The
 * dashboard is a kiosk page (docs/temperature-monitor.md): a display sees its rack only.
 */
export function registerDashboard(ctx: ModuleContext, sql: Sql): void {
  const alerts = createAlertStore(sql);
  const tiles = createTilesSource(sql);
  const rendered = new Map<string, { key: string; html: string }>();
  /**
   * The tiles' HTML, the same for everyone of an audience, rendered again only when the rows or the minute
   * changed: a room of 1000 sensors watched by several kiosks costs one rendering a minute per rack shown.
   */
  const tilesHtml = async (audience: Audience) => {
    const minute = new Date(Math.floor(Date.now() / 60_000) * 60_000);
    const { rows, firing, stamp } = await tiles();
    const { pollIntervalSeconds } = readSettings(ctx.settings);
    const key = `${stamp}|${minute.getTime()}|${pollIntervalSeconds}`;
    const name = audience.kiosk ? `kiosk:${audience.rack ?? ''}` : 'users';
    const kept = rendered.get(name);
    if (kept?.key === key) return kept.html;
    const shown = audience.kiosk && audience.rack !== null ? rows.filter((row) => row.rack === audience.rack) : rows;
    const groups = groupTiles(shown, minute, pollIntervalSeconds);
    const html = ctx.renderView('_tiles', { ...groups, firing, now: minute, refreshSeconds, kiosk: audience.kiosk });
    if (!rendered.has(name) && rendered.size >= keptRenderings) rendered.clear();
    rendered.set(name, { key, html });
    return html;
  };
  const audienceOf = (request: RequestContext): Audience => {
    const kiosk = request.state.kiosk;
    return kiosk ? { kiosk: true, rack: kiosk.filter.rack ?? null } : { kiosk: false };
  };

  ctx.ui.get('/temperature', async (request) => {
    const audience = audienceOf(request);
    const rack = audience.kiosk ? audience.rack : null;
    request.body = ctx.render('dashboard', {
      title: 'Temperatures',
      stylesheet,
      rack,
      tilesHtml: await tilesHtml(audience),
    });
  });
  // The tiles alone, for the region's htmx refresh (the whole page when opened without htmx).
  ctx.ui.get('/temperature/tiles', async (request) => {
    request.body = ctx.render('tiles-fragment', {
      title: 'Temperatures',
      stylesheet,
      tilesHtml: await tilesHtml({ kiosk: false }),
    });
  });

  ctx.widget('firing-alerts', async () => ({ alerts: await alerts.list({ state: 'firing', limit: 8 }), stylesheet }));
}
