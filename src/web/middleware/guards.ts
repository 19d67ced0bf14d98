import { assertPermission as assertUserPermission } from '../../auth/assert-permission.js';
import { NxfError } from '../../errors.js';
import type { AppContext, AppMiddleware } from '../../http/app-context.js';
import { isHtmxRequest } from '../render/htmx.js';
import { isApiRequest } from './error-handler.js';

/** Where a signed-out browser is sent, remembering the page it asked for. */
export function loginRedirectPath(ctx: AppContext): string {
  return ctx.method === 'GET' && ctx.path !== '/' ? `/login?next=${encodeURIComponent(ctx.originalUrl)}` : '/login';
}

/**
 * Refuses signed-out requests: API calls get 401, htmx requests are told to load the login page, page loads are
 * redirected to it.
 */
export function requireLogin(): AppMiddleware {
  return async (ctx, next) => {
    if (ctx.state.user) return next();
    if (isApiRequest(ctx)) {
      throw new NxfError('NXF_UNAUTHENTICATED', 'Sign in or send an API token.', { status: 401 });
    }
    if (isHtmxRequest(ctx)) {
      ctx.status = 401;
      ctx.set('HX-Redirect', loginRedirectPath(ctx));
      ctx.body = '';
      return;
    }
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

/** Throws 403 NXF_FORBIDDEN unless the signed-in user holds `permission`. */
export function assertPermission(ctx: AppContext, permission: string): void {
  assertUserPermission(ctx.state.user, permission);
}
