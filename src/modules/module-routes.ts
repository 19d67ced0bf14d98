import type { RouterContext } from '@koa/router';
import { assertPermission } from '../auth/assert-permission.js';
import { NxfError } from '../errors.js';
import type { AppRouter, AppState } from '../http/app-context.js';
import { createRouter, recordedRoutes, type RecordedRoute } from '../http/router.js';
import type { ModuleManifest } from './manifest/manifest-types.js';
import { claimMatches, type PathClaim } from './path-claims.js';

/** A route's methods without the HEAD that @koa/router adds to every GET. */
const methodsOf = (route: RecordedRoute) =>
  route.methods.filter((method) => method !== 'HEAD' || !route.methods.includes('GET'));

/**
 * The router a module registers its pages on. Its first middleware (run for every matched route, as
 * `router.use` is) requires `<module>:write` for a request that changes things; the dispatcher already requires
 * `<module>:read` for every page.
 */
export function createUiRouter(manifest: ModuleManifest): AppRouter {
  const router = createRouter();
  router.use(async (ctx, next) => {
    if (ctx.method !== 'GET' && ctx.method !== 'HEAD') assertPermission(ctx.state.user, `${manifest.name}:write`);
    await next();
  });
  return router;
}

/**
 * The router a module registers its JSON API on, under `/api/v1/m/<name>`. Its first middleware checks, for
 * every route the request matched, the route's declared `permission`, else `<module>:read` for GET and
 * `<module>:write` for the rest; a route the manifest does not declare never answers.
 */
export function createApiRouter(manifest: ModuleManifest): AppRouter {
  const prefix = apiPrefix(manifest);
  const declared = new Map(manifest.routes.map((route) => [`${route.method} ${route.path}`, route]));
  const router = createRouter({ prefix });
  router.use(async (ctx: RouterContext<AppState>, next) => {
    const method = ctx.method === 'HEAD' ? 'GET' : ctx.method;
    for (const layer of ctx.matched ?? []) {
      if (!layer.methods.includes(ctx.method) || typeof layer.path !== 'string') continue;
      const key = `${method} ${layer.path.slice(prefix.length) || '/'}`;
      const route = declared.get(key);
      if (!route) throw undeclaredRoutes(manifest, [key]);
      assertPermission(ctx.state.user, route.permission ?? `${manifest.name}:${method === 'GET' ? 'read' : 'write'}`);
    }
    await next();
  });
  return router;
}

/** @throws NxfError NXF_ROUTE_UNDECLARED naming every API route the module registered that its manifest lacks. */
export function verifyApiRoutes(manifest: ModuleManifest, api: AppRouter): void {
  const declared = new Set(manifest.routes.map((route) => `${route.method} ${route.path}`));
  const undeclared = registered(api).flatMap((route) =>
    methodsOf(route)
      .map((method) => `${method} ${typeof route.path === 'string' ? route.path : String(route.path)}`)
      .filter((key) => !declared.has(key)),
  );
  if (undeclared.length > 0) throw undeclaredRoutes(manifest, undeclared);
}

/** @throws NxfError NXF_UI_ROUTE_UNCLAIMED naming the page routes the module registered outside its claims. */
export function verifyUiRoutes(manifest: ModuleManifest, claims: PathClaim[], ui: AppRouter): void {
  const outside = registered(ui)
    .filter(({ path }) => {
      // The part before the first parameter or wildcard must fall inside a claim.
      const fixed = typeof path === 'string' ? path.split(/[:*({]/)[0]?.replace(/\/$/, '') || '/' : '';
      return (
        !fixed ||
        !claims.some(
          (claim) => claimMatches(claim, fixed) || (claim.wildcard && `${fixed}/`.startsWith(`${claim.base}/`)),
        )
      );
    })
    .map((route) => `${route.methods.join('|')} ${String(route.path)}`);
  if (outside.length > 0) {
    throw new NxfError(
      'NXF_UI_ROUTE_UNCLAIMED',
      `${manifest.name} registered pages outside the paths it claims (${claims.map((c) => c.pattern).join(', ')}): ${outside.join(', ')}`,
      { status: 400, details: outside },
    );
  }
}

const apiPrefix = (manifest: ModuleManifest) => `/api/v1/m/${manifest.name}`;

function registered(router: AppRouter): readonly RecordedRoute[] {
  return recordedRoutes(router)?.routes ?? [];
}

function undeclaredRoutes(manifest: ModuleManifest, routes: string[]): NxfError {
  return new NxfError(
    'NXF_ROUTE_UNDECLARED',
    `${manifest.name} registered API routes its manifest does not declare: ${routes.join(', ')}. Add them to "routes".`,
    { status: 400, details: routes },
  );
}
