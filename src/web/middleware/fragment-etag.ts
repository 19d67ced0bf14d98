import { createHash } from 'node:crypto';
import type { AppMiddleware } from '../../http/app-context.js';
import { isHtmxRequest } from '../render/htmx.js';

/**
 * Conditional GETs for htmx fragments, core and module alike: a fragment answered to a GET carries an ETag (a
 * hash of its HTML); when the request names that ETag in `If-None-Match` — nxforge.js sends the last one with
 * every poll — the answer is 304 without a body, and htmx leaves the page as it is. So an unchanged poll costs
 * the browser nothing and moves no focus.
 */
export function fragmentETag(): AppMiddleware {
  return async (ctx, next) => {
    await next();
    if (ctx.method !== 'GET' || ctx.status !== 200 || typeof ctx.body !== 'string' || !isHtmxRequest(ctx)) return;
    const etag = fragmentETagOf(ctx.body);
    ctx.vary('HX-Request');
    ctx.vary('HX-Request-Type');
    // The script keeps the ETag itself: no cache needs the fragment, which may hold what only this user may see.
    ctx.set('Cache-Control', 'no-store');
    ctx.etag = etag;
    if (namesETag(ctx.get('If-None-Match'), etag)) {
      ctx.status = 304;
      ctx.body = null;
    }
  };
}

/** The ETag of a fragment's HTML: a hash of it, so the same HTML always has the same tag. */
export function fragmentETagOf(html: string): string {
  return `W/"${createHash('sha256').update(html).digest('base64url').slice(0, 32)}"`;
}

/**
 * Whether an If-None-Match header names `etag` (weak comparison). Not `ctx.fresh`: a fetch with If-None-Match
 * also sends `Cache-Control: no-cache` (the Fetch standard's no-store mode), which `fresh` takes for a reload.
 */
function namesETag(header: string, etag: string): boolean {
  const opaque = (tag: string) => tag.trim().replace(/^W\//, '');
  return header !== '' && header.split(',').some((tag) => tag.trim() === '*' || opaque(tag) === opaque(etag));
}
