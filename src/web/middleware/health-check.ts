import type { Database } from '../../db/database.js';
import type { AppContext, AppMiddleware } from '../../http/app-context.js';

/**
 * `GET /healthz`: 200 `{"status":"ok"}` while the database answers, 503 otherwise. Answered before sessions and
 * CSRF are looked at, so monitoring probes cost one trivial query and get no cookies.
 */
export function healthCheck(db: Database): AppMiddleware {
  const answer = async (ctx: AppContext) => {
    const databaseUp = await db.ping();
    ctx.status = databaseUp ? 200 : 503;
    ctx.set('Cache-Control', 'no-store');
    ctx.body = databaseUp
      ? { status: 'ok' }
      : { status: 'unavailable', error: { code: 'NXF_DATABASE_DOWN', message: 'The database does not answer.' } };
  };
  return (ctx, next) =>
    ctx.path === '/healthz' && (ctx.method === 'GET' || ctx.method === 'HEAD') ? answer(ctx) : next();
}
