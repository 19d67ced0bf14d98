import { send } from '@koa/send';
import type { AppContext, AppMiddleware } from '../../http/app-context.js';
import { assetFingerprint, coreAssetFile } from '../static-assets.js';

const oneYearMs = 365 * 24 * 3600 * 1000;

/**
 * Serves the core's `/static/*` files (static-assets.ts says from where). Pages link them with their content
 * fingerprint (`?h=…`, `nx.asset`): such a request is cached for a year as immutable; any other must revalidate,
 * so an old or guessed fingerprint never pins a file in a cache.
 */
export function staticFiles(): AppMiddleware {
  const serve = async (ctx: AppContext, next: () => Promise<unknown>) => {
    const { root, file } = coreAssetFile(ctx.path) as { root: string; file: string };
    const fingerprinted = typeof ctx.query.h === 'string' && ctx.query.h === assetFingerprint(ctx.path);
    const cacheControl = fingerprinted ? `public, max-age=${oneYearMs / 1000}, immutable` : 'no-cache';
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
