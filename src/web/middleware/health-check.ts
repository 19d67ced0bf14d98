import type { Database } from '../../db/database.js';
import type { AppMiddleware } from '../app-context.js';

/**
 * `GET /healthz`: 200 `{"status":"ok"}` while the database answers, 503 otherwise. Answered before sessions and
 * CSRF are looked at, so monitoring probes cost one trivial query and get no cookies.
 */
export function healthCheck(db: Database): AppMiddleware {
  return async (ctx, next) => {
    if (ctx.path !== '/healthz' || (ctx.method !== 'GET' && ctx.method !== 'HEAD')) return next();
    const databaseUp = await db.ping();
    ctx.status = databaseUp ? 200 : 503;
    ctx.set('Cache-Control', 'no-store');
    ctx.body = databaseUp
      ? { status: 'ok' }
      : { status: 'unavailable', error: { code: 'NXF_DATABASE_DOWN', message: 'The database does not answer.' } };
  };
}
