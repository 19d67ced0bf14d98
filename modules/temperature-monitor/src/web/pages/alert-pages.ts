import type { ModuleContext } from 'nxforge/module';
import { createAlertStore } from '../../store/alert-store.js';
import type { Sql } from '../../store/sql.js';
import { stylesheet } from './page-kit.js';

/** The alert history: firing ones first, then resolved, each with its transitions. */
export function registerAlertPage(ctx: ModuleContext, sql: Sql): void {
  const alerts = createAlertStore(sql);
  ctx.ui.get('/temperature/alerts', async (request) => {
    const state =
      request.query.state === 'firing' || request.query.state === 'resolved' ? request.query.state : undefined;
    const rows = await alerts.list({ state, limit: 200 });
    const transitions = await alerts.transitions(rows.map((a) => a.id));
    const history = rows.map((alert) => ({ alert, transitions: transitions.filter((t) => t.alert_id === alert.id) }));
    request.body = ctx.render('alerts', { title: 'Temperature alerts', stylesheet, state: state ?? '', history });
  });
}
