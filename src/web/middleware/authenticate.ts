import type { ApiTokenStore } from '../../auth/api-tokens.js';
import type { SessionStore } from '../../auth/sessions.js';
import { sessionMaxDays } from '../../auth/sessions.js';
import { NxfError } from '../../errors.js';
import type { AppContext, AppMiddleware } from '../app-context.js';
import { isApiRequest } from './error-handler.js';

export const sessionCookie = 'nxf_session';

/**
 * Finds out who is asking. `/api/` requests may carry `Authorization: Bearer <personal API token>`; a bad or
 * revoked token is a 401 rather than a silent fallback to anonymous. Otherwise the session cookie is looked up;
 * a cookie that names no live session (expired, tampered, logged out) is cleared and the visitor is anonymous.
 */
export function authenticate(sessions: SessionStore, apiTokens: ApiTokenStore): AppMiddleware {
  return async (ctx, next) => {
    const bearer = /^Bearer\s+(\S+)$/i.exec(ctx.get('Authorization'))?.[1];
    if (bearer && isApiRequest(ctx)) {
      const user = await apiTokens.authenticate(bearer);
      if (!user) throw new NxfError('NXF_TOKEN_INVALID', 'The API token is unknown or revoked.', { status: 401 });
      ctx.state.user = user;
      ctx.state.authMethod = 'token';
      return next();
    }
    const token = ctx.cookies.get(sessionCookie);
    if (token) {
      const user = await sessions.resolve(token);
      if (user) {
        ctx.state.user = user;
        ctx.state.authMethod = 'session';
        ctx.state.sessionToken = token;
      } else {
        clearSessionCookie(ctx);
      }
    }
    return next();
  };
}

export function setSessionCookie(ctx: AppContext, token: string): void {
  ctx.cookies.set(sessionCookie, token, {
    httpOnly: true,
    sameSite: 'lax',
    secure: ctx.secure,
    path: '/',
    maxAge: sessionMaxDays * 24 * 3600 * 1000,
    overwrite: true,
  });
}

export function clearSessionCookie(ctx: AppContext): void {
  ctx.cookies.set(sessionCookie, null, { httpOnly: true, sameSite: 'lax', path: '/', overwrite: true });
}
