import type Router from '@koa/router';
import { NxfError } from '../errors.js';
import type { AppState } from '../http/app-context.js';
import { assertPermission } from '../auth/assert-permission.js';
import type { ModuleManifest } from './manifest/manifest-types.js';
import { claimMatches, type PathClaim } from './path-claims.js';

type Layer = Router<AppState>['stack'][number];

/** Routes of a router, leaving out `use()` middleware (a layer without methods). */
function routeLayers(router: Router<AppState>): Layer[] {
  return router.stack.filter((layer) => layer.methods.length > 0);
}

const methodsOf = (layer: Layer) =>
  layer.methods.filter((method) => method !== 'HEAD' || !layer.methods.includes('GET'));

/**
 * Checks the API routes a module registered against its manifest, then puts a permission check in front of
 * each: the route's declared `permission`, else `<module>:read` for GET and `<module>:write` for the rest.
 * @throws NxfError NXF_ROUTE_UNDECLARED naming every registered route the manifest does not declare.
 */
export function verifyAndGuardApiRoutes(manifest: ModuleManifest, api: Router<AppState>): void {
  const prefix = `/api/v1/m/${manifest.name}`;
  const declared = new Map(manifest.routes.map((route) => [`${route.method} ${route.path}`, route]));
  const undeclared: string[] = [];
  for (const layer of routeLayers(api)) {
    const path = typeof layer.path === 'string' ? layer.path.slice(prefix.length) || '/' : String(layer.path);
    for (const method of methodsOf(layer)) if (!declared.has(`${method} ${path}`)) undeclared.push(`${method} ${path}`);
    const permissions = new Map(
      methodsOf(layer).map((method) => [
        method,
        declared.get(`${method} ${path}`)?.permission ?? `${manifest.name}:${method === 'GET' ? 'read' : 'write'}`,
      ]),
    );
    layer.stack.unshift(async (ctx, next) => {
      assertPermission(
        ctx.state.user,
        permissions.get(ctx.method === 'HEAD' ? 'GET' : ctx.method) ?? `${manifest.name}:write`,
      );
      await next();
    });
  }
  if (undeclared.length > 0) {
    throw new NxfError(
      'NXF_ROUTE_UNDECLARED',
      `${manifest.name} registered API routes its manifest does not declare: ${undeclared.join(', ')}. Add them to "routes".`,
      { status: 400, details: undeclared },
    );
  }
}

/**
 * Checks that every page route lies inside the module's claims, then requires `<module>:write` for routes that
 * change things (the dispatcher already requires `<module>:read` for every page).
 * @throws NxfError NXF_UI_ROUTE_UNCLAIMED naming routes outside the claims.
 */
export function verifyAndGuardUiRoutes(manifest: ModuleManifest, claims: PathClaim[], ui: Router<AppState>): void {
  const outside: string[] = [];
  for (const layer of routeLayers(ui)) {
    const path = String(layer.path);
    // The part before the first parameter or wildcard must fall inside a claim.
    const fixed = typeof layer.path === 'string' ? path.split(/[:*({]/)[0]?.replace(/\/$/, '') || '/' : '';
    if (
      !fixed ||
      !claims.some(
        (claim) => claimMatches(claim, fixed) || (claim.wildcard && `${fixed}/`.startsWith(`${claim.base}/`)),
      )
    ) {
      outside.push(`${layer.methods.join('|')} ${path}`);
    }
    if (methodsOf(layer).some((method) => method !== 'GET')) {
      layer.stack.unshift(async (ctx, next) => {
        if (ctx.method !== 'GET' && ctx.method !== 'HEAD') assertPermission(ctx.state.user, `${manifest.name}:write`);
        await next();
      });
    }
  }
  if (outside.length > 0) {
    throw new NxfError(
      'NXF_UI_ROUTE_UNCLAIMED',
      `${manifest.name} registered pages outside the paths it claims (${claims.map((c) => c.pattern).join(', ')}): ${outside.join(', ')}`,
      { status: 400, details: outside },
    );
  }
}
