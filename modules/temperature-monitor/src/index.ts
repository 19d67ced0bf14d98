import type { ModuleContext, ModuleSetup } from 'nxforge/module';
import { createHostActions } from './hosts/host-actions.js';
import { endAllSessions } from './hosts/host-sessions.js';
import type { PollDeps } from './poll/poll-host.js';
import { readSettings } from './settings.js';
import { createSql } from './store/sql.js';
import { registerApiRoutes } from './web/api-routes.js';
import { registerAlertPage } from './web/pages/alert-pages.js';
import { registerDashboard } from './web/pages/dashboard-pages.js';
import { registerHostPages } from './web/pages/host-pages.js';
import { registerSensorPages } from './web/pages/sensor-pages.js';
import { registerTrendsPage } from './web/pages/trends-page.js';

/**
 * The Temperature Monitor: pages and JSON API over the module's tables, built only on its context. Polls run in
 * the `poll-temperatures` job; a page's "Poll now" runs the same code here. When the module stops, it signs out
 * of every Redfish session it holds, so BMCs keep their few session slots.
 */
const setup: ModuleSetup = (ctx: ModuleContext) => {
  const sql = createSql(ctx.db);
  const actions = createHostActions({ sql, services: ctx.services, logger: ctx.logger, fail: ctx.fail });
  const pollDeps = (): PollDeps => ({
    sql,
    services: ctx.services,
    settings: readSettings(ctx.settings),
    logger: ctx.logger,
    emit: (name, payload, options) => ctx.events.emit(name, payload, options),
  });

  registerDashboard(ctx, sql);
  registerHostPages(ctx, sql, actions, pollDeps);
  registerSensorPages(ctx, sql);
  registerAlertPage(ctx, sql);
  registerTrendsPage(ctx, sql);
  registerApiRoutes(ctx, sql, actions);

  return async () => {
    const ended = await endAllSessions({ sql, services: ctx.services, logger: ctx.logger });
    if (ended > 0) ctx.logger.info(`signed out of ${ended} Redfish sessions`);
  };
};

export default setup;
