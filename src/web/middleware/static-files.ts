import { send } from '@koa/send';
import { corePaths } from '../../paths.js';
import type { AppContext, AppMiddleware } from '../../http/app-context.js';

const oneDayMs = 24 * 3600 * 1000;

/**
 * Serves `/static/*` from `public/`, and htmx from the installed package at `/static/vendor/` (no CDN, no copy
 * to keep in sync). Pages link them with `?v=<version>`, so they can be cached for a day.
 */
export function staticFiles(): AppMiddleware {
  const serve = async (ctx: AppContext, next: () => Promise<unknown>) => {
    const relative = ctx.path.slice('/static/'.length);
    const vendor = /^vendor\/(htmx(?:\.min)?\.js(?:\.map)?)$/.exec(relative);
    const root = vendor ? corePaths.htmxDist : corePaths.public;
    const file = vendor ? (vendor[1] as string) : relative;
    try {
      await send(ctx, file, { root, maxage: oneDayMs, index: false, hidden: false });
    } catch (error) {
      if ((error as { status?: number }).status === 404) return next();
      throw error;
    }
  };
  return (ctx, next) =>
    (ctx.method === 'GET' || ctx.method === 'HEAD') && ctx.path.startsWith('/static/') ? serve(ctx, next) : next();
}
