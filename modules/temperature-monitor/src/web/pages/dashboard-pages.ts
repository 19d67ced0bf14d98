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
  const tilesData = async () => {
    const now = new Date();
    const { rows, firing } = await tiles();
    const groups = groupTiles(rows, now, readSettings(ctx.settings).pollIntervalSeconds);
    return { ...groups, firing, now, refreshSeconds };
  };

  ctx.ui.get('/temperature', async (request) => {
    request.body = ctx.render('dashboard', { title: 'Temperatures', stylesheet, ...(await tilesData()) });
  });
  // The tiles alone, for the region's htmx refresh (a whole page when opened without htmx).
  ctx.ui.get('/temperature/tiles', async (request) => {
    request.body = ctx.render('_tiles', { title: 'Temperatures', stylesheet, ...(await tilesData()) });
  });

  ctx.widget('firing-alerts', async () => ({ alerts: await alerts.list({ state: 'firing', limit: 8 }), stylesheet }));
}
