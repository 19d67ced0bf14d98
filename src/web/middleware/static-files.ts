import { send } from '@koa/send';
import type { AppContext, AppMiddleware } from '../../http/app-context.js';
import { coreAsset, coreAssetFile, staticCacheControl } from '../static-assets.js';

/**
 * Serves the core's `/static/*` files (static-assets.ts says from where). Pages link them with their content
 * fingerprint (`?h=…`, `nx.asset`): such a request is cached for a year as immutable; any other must revalidate.
 */
export function staticFiles(): AppMiddleware {
  const serve = async (ctx: AppContext, next: () => Promise<unknown>) => {
    const { root, file } = coreAssetFile(ctx.path) as { root: string; file: string };
    const asset = coreAsset(ctx.path);
    const cacheControl = asset ? staticCacheControl(ctx.query.h, asset) : 'no-cache';
    try {
      await send(ctx, file, {
        root,
        index: false,
        hidden: false,
        setHeaders: (res) => res.setHeader('Cache-Control', cacheControl),
      });
    } catch (error) {
      if ((error as { status?: number }).status === 404) return next();
      throw error;
    }
  };
  return (ctx, next) =>
    (ctx.method === 'GET' || ctx.method === 'HEAD') && ctx.path.startsWith('/static/') ? serve(ctx, next) : next();
}
