import type { ModuleContext } from 'nxforge/module';
import { readSettings } from '../../settings.js';
import { createAlertStore } from '../../store/alert-store.js';
import type { Sql } from '../../store/sql.js';
import { groupTiles } from '../tiles.js';
import { createTilesSource } from '../tiles-source.js';
import { stylesheet } from './page-kit.js';

/** How often the tiles refresh themselves (htmx), whatever the poll interval: ages stay current. */
const refreshSeconds = 30;

/** The dashboard (tiles by room, rack and host, refreshed as a fragment) and the firing-alerts widget. */
export function registerDashboard(ctx: ModuleContext, sql: Sql): void {
  const alerts = createAlertStore(sql);
  const tiles = createTilesSource(sql);
  let rendered: { key: string; html: string } | undefined;
  /**
   * The tiles' HTML, the same for every user, rendered again only when the rows or the minute changed: a room of
   * 1000 sensors watched by several kiosks costs one rendering a minute.
   */
  const tilesHtml = async () => {
    const minute = new Date(Math.floor(Date.now() / 60_000) * 60_000);
    const { rows, firing, stamp } = await tiles();
    const { pollIntervalSeconds } = readSettings(ctx.settings);
    const key = `${stamp}|${minute.getTime()}|${pollIntervalSeconds}`;
    if (rendered?.key !== key) {
      const groups = groupTiles(rows, minute, pollIntervalSeconds);
      rendered = { key, html: ctx.renderView('_tiles', { ...groups, firing, now: minute, refreshSeconds }) };
    }
    return rendered.html;
  };

  ctx.ui.get('/temperature', async (request) => {
    request.body = ctx.render('dashboard', { title: 'Temperatures', stylesheet, tilesHtml: await tilesHtml() });
  });
  // The tiles alone, for the region's htmx refresh (the whole page when opened without htmx).
  ctx.ui.get('/temperature/tiles', async (request) => {
    request.body = ctx.render('tiles-fragment', { title: 'Temperatures', stylesheet, tilesHtml: await tilesHtml() });
  });

  ctx.widget('firing-alerts', async () => ({ alerts: await alerts.list({ state: 'firing', limit: 8 }), stylesheet }));
}
