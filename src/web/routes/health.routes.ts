import Router from '@koa/router';
import type { Database } from '../../db/database.js';
import type { AppState } from '../app-context.js';

/** `GET /healthz`: 200 `{"status":"ok"}` while the database answers, 503 otherwise; no session needed. */
export function healthRoutes(db: Database): Router<AppState> {
  const router = new Router<AppState>();
  router.get('/healthz', async (ctx) => {
    const databaseUp = await db.ping();
    ctx.status = databaseUp ? 200 : 503;
    ctx.set('Cache-Control', 'no-store');
    ctx.body = databaseUp ? { status: 'ok' } : { status: 'unavailable', error: { code: 'NXF_DATABASE_DOWN', message: 'The database does not answer.' } };
  });
  return router;
}
