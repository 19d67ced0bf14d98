import Router, { type RouterOptions } from '@koa/router';
import type { AppRouter, AppState } from './app-context.js';

/** A route as it was registered: its methods (`ALL` for `router.all`) and its path, without the router's prefix. */
export interface RecordedRoute {
  methods: readonly string[];
  path: string | RegExp;
}

/** The router's methods that register a route (`del` and `redirect` go through `delete` and `all`). */
const routeMethods: Record<string, readonly string[]> = {
  get: ['GET', 'HEAD'],
  post: ['POST'],
  put: ['PUT'],
  patch: ['PATCH'],
  delete: ['DELETE'],
  head: ['HEAD'],
  options: ['OPTIONS'],
  all: ['ALL'],
};

interface Recording {
  prefix: string;
  routes: RecordedRoute[];
}

const recordings = new WeakMap<AppRouter, Recording>();

/**
 * A router that remembers the routes registered on it through its documented methods (`get`, `post`, …, `all`),
 * so the core can list them (to route by path segment, to check a module's routes against its manifest) without
 * reading @koa/router's internals. Registering works exactly as on any router.
 */
export function createRouter(options: RouterOptions = {}): AppRouter {
  const router = new Router<AppState>(options);
  const recording: Recording = { prefix: options.prefix ?? '', routes: [] };
  recordings.set(router, recording);
  for (const [name, methods] of Object.entries(routeMethods)) {
    const register = (router[name as keyof AppRouter] as (...args: unknown[]) => AppRouter).bind(router);
    Object.defineProperty(router, name, {
      configurable: true,
      writable: true,
      value: (...args: unknown[]) => {
        for (const path of routePaths(args)) recording.routes.push({ methods, path });
        register(...args);
        return router;
      },
    });
  }
  return router;
}

/** The routes registered on a router made by `createRouter`, with its prefix; undefined for any other router. */
export function recordedRoutes(router: AppRouter): Readonly<Recording> | undefined {
  return recordings.get(router);
}

/** The paths of a route registration: `(path, ...middleware)` or `(name, path, ...middleware)`, as the router reads them. */
function routePaths(args: unknown[]): Array<string | RegExp> {
  const named = args.length >= 2 && (typeof args[1] === 'string' || args[1] instanceof RegExp);
  const path = named ? args[1] : args[0];
  if (Array.isArray(path))
    return path.filter((p): p is string | RegExp => typeof p === 'string' || p instanceof RegExp);
  return typeof path === 'string' || path instanceof RegExp ? [path] : [];
}
