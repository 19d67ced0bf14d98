import Router from '@koa/router';
import type Koa from 'koa';
import compose from 'koa-compose';
import type { AppMiddleware, AppRouter, AppState } from '../http/app-context.js';
import { firstSegment } from '../http/first-segment.js';
import { recordedRoutes } from '../http/router.js';

/**
 * Dispatches each request only to the routers that have routes under its first path segment (`/admin/users` →
 * the routers with `/admin…` routes), instead of matching it against every route of the application: @koa/router
 * tests each route's pattern in turn, which is most of the cost of routing once there are many routes. Routers
 * whose first segment is a parameter or a pattern serve the requests whose first segment no router names; a router
 * not made by `createRouter`, whose routes cannot be listed, is tried for every request, after the others.
 */
export function routeBySegment(routers: AppRouter[]): AppMiddleware {
  const groups = new Map<string, AppRouter>();
  const everywhere = new Router<AppState>();
  const unlisted = routers.filter((router) => !recordedRoutes(router));
  for (const router of routers.filter((r) => recordedRoutes(r))) {
    for (const segment of new Set(segmentsOf(router))) {
      const dynamic = /[:*(]/.test(segment);
      const group = dynamic ? everywhere : (groups.get(segment) ?? new Router<AppState>());
      if (!dynamic) groups.set(segment, group);
      group.use(router.routes());
    }
  }
  for (const group of [...groups.values(), everywhere]) for (const router of unlisted) group.use(router.routes());
  const dispatchers = new Map([...groups].map(([segment, group]) => [segment, routesOf(group)]));
  const fallback = routesOf(everywhere);
  return (ctx, next) => (dispatchers.get(firstSegment(ctx.path)) ?? fallback)(ctx, next);
}

/** The first segments of a router's routes; `:` for a pattern. */
function segmentsOf(router: AppRouter): string[] {
  const recorded = recordedRoutes(router);
  if (!recorded) return [];
  return recorded.routes.map(({ path }) => (typeof path === 'string' ? firstSegment(recorded.prefix + path) : ':'));
}

/** A router's routes and its 405/501 answers as one middleware. */
function routesOf(router: AppRouter): AppMiddleware {
  return compose([router.routes(), router.allowedMethods()] as unknown as Array<Koa.Middleware<AppState>>);
}
