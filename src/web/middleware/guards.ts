import { assertPermission as assertUserPermission } from '../../auth/assert-permission.js';
import { NxfError } from '../../errors.js';
import type { AppContext, AppMiddleware } from '../../http/app-context.js';
import { setFlash } from '../render/flash.js';
import { isApiRequest } from './error-handler.js';

/** Where a signed-out browser is sent, remembering the page it asked for. */
export function loginRedirectPath(ctx: AppContext): string {
  return ctx.method === 'GET' && ctx.path !== '/' ? `/login?next=${encodeURIComponent(ctx.originalUrl)}` : '/login';
}

/**
 * The page to come back to after signing in from an htmx request: for boosted navigation the page asked for,
 * otherwise the page the browser shows (`HX-Current-URL`) — never the fragment a poll or an action asked for.
 */
function pageToReturnTo(ctx: AppContext): string {
  if (ctx.get('HX-Request-Type') === 'full' && ctx.method === 'GET') return ctx.originalUrl;
  try {
    const current = new URL(ctx.get('HX-Current-URL'));
    return current.host === ctx.host ? current.pathname + current.search : '/';
  } catch {
    return '/';
  }
}

/**
 * Answers an htmx request that arrived without a live session (it expired, was ended elsewhere, or its CSRF
 * token no longer matches one): 401, and htmx sends the browser to sign in and back to the page it was on, where
 * "Your session ended" is shown.
 */
export function sessionEnded(ctx: AppContext): void {
  const page = pageToReturnTo(ctx);
  setFlash(ctx, 'warning', 'Your session ended — sign in again.');
  ctx.status = 401;
  ctx.set('HX-Redirect', page === '/' ? '/login' : `/login?next=${encodeURIComponent(page)}`);
  ctx.body = '';
}

/** True for any request htmx made: a fragment, a boosted link or form, a history restore. */
export function isHtmxMade(ctx: AppContext): boolean {
  return ctx.get('HX-Request') === 'true';
}

/**
 * Refuses signed-out requests: API calls get 401, htmx requests are sent to sign in and back (see
 * `sessionEnded`), page loads are redirected to the login page.
 */
export function requireLogin(): AppMiddleware {
  return async (ctx, next) => {
    if (ctx.state.user) return next();
    if (isApiRequest(ctx)) {
      throw new NxfError('NXF_UNAUTHENTICATED', 'Sign in or send an API token.', { status: 401 });
    }
    if (isHtmxMade(ctx)) return sessionEnded(ctx);
    ctx.redirect(loginRedirectPath(ctx));
  };
}

/** Signed in and holding `permission`, else 401 / login as `requireLogin`, or 403. */
export function requirePermission(permission: string): AppMiddleware {
  const login = requireLogin();
  return async (ctx, next) =>
    login(ctx, async () => {
      assertPermission(ctx, permission);
      await next();
    });
}

/** Throws 403 NXF_FORBIDDEN, saying who may do it and who can grant it, unless the user holds `permission`. */
export function assertPermission(ctx: AppContext, permission: string): void {
  assertUserPermission(ctx.state.user, permission);
}
