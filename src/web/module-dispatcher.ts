import { send } from '@koa/send';
import path from 'node:path';
import { NxfError } from '../errors.js';
import type { AppContext, AppMiddleware } from '../http/app-context.js';
import type { LoadedModule } from '../modules/loaded-module.js';
import type { ModuleRegistry } from '../modules/module-registry.js';
import { assertPermission, requireLogin } from './middleware/guards.js';
import { staticCacheControl } from './static-assets.js';

const apiPrefix = '/api/v1/m/';
const assetPrefix = '/static/modules/';

/**
 * Routes requests to modules by consulting the registry on every request, so enabling a module takes effect on
 * the next request and disabling it makes its pages and API answer 403 (404 once it is uninstalled):
 * - `/api/v1/m/<name>/…` to the module's API router;
 * - a path inside a module's claims to its page router, after sign-in and `<module>:read` — or, for a kiosk
 *   display, after kiosk-access.ts allowed it the page;
 * - `/static/modules/<name>/…` to the module's `public/` folder, immutable when linked with its fingerprint.
 * A request keeps the module it started with, so requests in flight when a module is disabled complete.
 */
export function moduleDispatcher(registry: ModuleRegistry): AppMiddleware {
  const login = requireLogin();
  return async (ctx, next) => {
    const { path: requestPath } = ctx;
    if (requestPath.startsWith(apiPrefix)) {
      const name = requestPath.slice(apiPrefix.length).split('/')[0] ?? '';
      const module = registry.get(name);
      if (!module) throw unavailable(registry.isDormant(name), name);
      return login(ctx, () => serve(module, ctx, module.api));
    }
    if (requestPath.startsWith(assetPrefix)) return serveAsset(registry, ctx, next);
    const owner = registry.ownerOf(requestPath);
    if (owner) {
      if (ctx.state.kiosk) return serveModulePage(owner, ctx);
      return login(ctx, () => {
        assertPermission(ctx, `${owner.name}:read`);
        return serveModulePage(owner, ctx);
      });
    }
    const dormant = registry.dormantOwnerOf(requestPath);
    if (dormant) throw unavailable(true, dormant);
    return next();
  };
}

/** Runs a module's page router for the request (its access already checked), counting it in flight. */
export function serveModulePage(module: LoadedModule, ctx: AppContext): Promise<void> {
  return serve(module, ctx, module.ui);
}

/** Runs a module's router for the request, counting it in flight. */
async function serve(module: LoadedModule, ctx: AppContext, router: LoadedModule['ui']): Promise<void> {
  module.inFlight += 1;
  try {
    await router(ctx, async () => {});
  } finally {
    module.inFlight -= 1;
  }
}

async function serveAsset(registry: ModuleRegistry, ctx: AppContext, next: () => Promise<unknown>): Promise<unknown> {
  const [name = '', ...rest] = ctx.path.slice(assetPrefix.length).split('/');
  const module = registry.get(name);
  if (!module || (ctx.method !== 'GET' && ctx.method !== 'HEAD')) return next();
  const root = path.join(module.directory, 'public');
  const file = rest.join('/');
  const cacheControl = file.split('/').includes('..') ? 'no-cache' : staticCacheControl(ctx.query.h, path.join(root, file));
  try {
    await send(ctx, file, { root, index: false, setHeaders: (res) => res.setHeader('Cache-Control', cacheControl) });
  } catch (error) {
    if ((error as { status?: number }).status === 404) return next();
    throw error;
  }
  return undefined;
}

function unavailable(known: boolean, name: string): NxfError {
  return known
    ? new NxfError('NXF_MODULE_DISABLED', `The module ${name} is disabled.`, { status: 403 })
    : new NxfError('NXF_MODULE_NOT_FOUND', `There is no module ${name}.`, { status: 404 });
}
