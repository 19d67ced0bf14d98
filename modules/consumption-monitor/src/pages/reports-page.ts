import type { ModuleContext } from 'nxforge/module';
import { groupTiles, cachedLiveTiles } from '../live/live-data.js';
import type { Runtime } from '../runtime.js';

/** Reports: the month so far per customer and endpoint (the figures of the energy ledger). */
export function registerReportsPage(ctx: ModuleContext, runtime: Runtime): void {
  ctx.ui.get('/consumption/reports', async (request) => {
    const tiles = await cachedLiveTiles(runtime);
    const month = new Date().toISOString().slice(0, 7);
    request.body = ctx.render('reports', { title: 'Reports', month, groups: groupTiles(tiles, 'customer') });
  });
}
