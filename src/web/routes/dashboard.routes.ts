import Router from '@koa/router';
import type { AppState, CoreServices } from '../app-context.js';
import { requireLogin } from '../middleware/guards.js';

/** The landing page after sign-in. */
export function dashboardRoutes(services: CoreServices): Router<AppState> {
  const { views } = services;
  const router = new Router<AppState>();
  router.get('/', requireLogin(), (ctx) => {
    views.page(ctx, 'pages/dashboard', { title: 'Dashboard' });
  });
  return router;
}
