import type { ApiTokenStore } from '../../auth/api-tokens.js';
import type { AuthenticatedUser, SessionStore } from '../../auth/sessions.js';
import { sessionMaxDays } from '../../auth/sessions.js';
import { deviceCookieDays } from '../../auth/device-cookies.js';
import { NxfError } from '../../errors.js';
import type { AppContext, AppMiddleware } from '../../http/app-context.js';
import { isApiRequest } from './error-handler.js';

export const sessionCookie = 'nxf_session';

/**
 * Finds out who is asking. `/api/` requests may carry `Authorization: Bearer <personal API token>`; a bad or
 * revoked token is a 401 rather than a silent fallback to anonymous. Otherwise the session cookie is looked up;
 * a cookie that names no live session (expired, tampered, logged out) is cleared and the visitor is anonymous.
 */
export function authenticate(sessions: SessionStore, apiTokens: ApiTokenStore): AppMiddleware {
  const bySession = async (ctx: AppContext, token: string) =>
    signedInBySession(ctx, token, await sessions.resolve(token));
  const byToken = async (ctx: AppContext, token: string) => {
    const user = await apiTokens.authenticate(token);
    if (!user) throw new NxfError('NXF_TOKEN_INVALID', 'The API token is unknown or revoked.', { status: 401 });
    ctx.state.user = user;
    ctx.state.authMethod = 'token';
  };
  return (ctx, next) => {
    const bearer = ctx.get('Authorization') && /^Bearer\s+(\S+)$/i.exec(ctx.get('Authorization'))?.[1];
    if (bearer && isApiRequest(ctx)) return byToken(ctx, bearer).then(next);
    const token = ctx.cookies.get(sessionCookie);
    if (!token) return next();
    // Most requests come with a session looked up moments ago: answer those without waiting on anything.
    const known = sessions.peek(token);
    if (known) {
      signedInBySession(ctx, token, known);
      return next();
    }
    return bySession(ctx, token).then(next);
  };
}

function signedInBySession(ctx: AppContext, token: string, user: AuthenticatedUser | undefined): void {
  if (!user) return clearSessionCookie(ctx);
  ctx.state.user = user;
  ctx.state.authMethod = 'session';
  ctx.state.sessionToken = token;
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

/** The device cookie (src/auth/device-cookies.ts): sent only to the login page, kept across sign-outs. */
export const deviceCookie = 'nxf_device';

export function setDeviceCookie(ctx: AppContext, value: string): void {
  ctx.cookies.set(deviceCookie, value, {
    httpOnly: true,
    sameSite: 'strict',
    secure: ctx.secure,
    path: '/login',
    maxAge: deviceCookieDays * 24 * 3600 * 1000,
    overwrite: true,
  });
}
