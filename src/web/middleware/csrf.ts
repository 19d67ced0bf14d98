import { randomToken } from '../../hash.js';
import type { Keyring } from '../../keyring.js';
import { NxfError } from '../../errors.js';
import type { AppContext, AppMiddleware } from '../../http/app-context.js';
import { isApiRequest } from './error-handler.js';
import { isHtmxMade, sessionEnded } from './guards.js';

const anonymousCookie = 'nxf_csrf';
const safeMethods = new Set(['GET', 'HEAD', 'OPTIONS']);

/** Where the CSRF check may find the token in the query string. */
export interface CsrfOptions {
  /**
   * Whether a path is a multipart upload route whose plain forms carry the token in their action URL
   * (`?_csrf=…`): the core's module upload, and modules' pages, whose multipart bodies the core does not read.
   */
  acceptsQueryToken?: (path: string) => boolean;
}

/**
 * CSRF protection with synchronizer tokens: the token is an HMAC of the session (or, before login, of a random
 * cookie), so it cannot be guessed from another origin and needs no storage. Forms send it as `_csrf` (the upload
 * form, in its action URL); htmx sends it as `X-CSRF-Token` from the layout's meta tag. Requests authenticated by a
 * Bearer token carry no ambient credentials and are exempt. Must run after authentication and body parsing.
 */
export function csrfProtection(keyring: Keyring, options: CsrfOptions = {}): AppMiddleware {
  const acceptsQueryToken = options.acceptsQueryToken ?? (() => false);
  // Tokens of recent sessions, so a page view costs a map lookup rather than an HMAC.
  const recent = new Map<string, string>();
  const tokenFor = (binding: string): string => {
    let token = recent.get(binding);
    if (token === undefined) {
      token = keyring.sign('csrf', binding);
      if (recent.size >= 10_000) recent.clear();
      recent.set(binding, token);
    }
    return token;
  };
  return async (ctx, next) => {
    // Bearer tokens carry no ambient credentials; a kiosk display may only GET (src/web/kiosk/kiosk-access.ts).
    if (ctx.state.authMethod === 'token' || ctx.state.kiosk) {
      ctx.state.csrfToken = '';
      return next();
    }
    const binding = csrfBinding(ctx);
    ctx.state.csrfToken = tokenFor(binding);
    if (!safeMethods.has(ctx.method)) {
      const sent = ctx.get('X-CSRF-Token') || bodyField(ctx, '_csrf') || uploadQueryToken(ctx, acceptsQueryToken);
      if (!sent || !keyring.verify('csrf', binding, sent)) {
        // The page's token was bound to a session that has since ended: that is a lost session, not a forgery.
        if (!ctx.state.user && isHtmxMade(ctx) && !isApiRequest(ctx)) return sessionEnded(ctx);
        throw new NxfError(
          'NXF_CSRF',
          'This form has expired or did not come from NxForge. Reload the page and try again.',
          { status: 403 },
        );
      }
    }
    await next();
  };
}

/** Binds the token to the session when there is one, else to a random cookie set for the visitor. */
function csrfBinding(ctx: AppContext): string {
  if (ctx.state.sessionToken) return `session:${ctx.state.sessionToken}`;
  let anonymous = ctx.cookies.get(anonymousCookie);
  if (!anonymous || anonymous.length < 20) {
    anonymous = randomToken();
    ctx.cookies.set(anonymousCookie, anonymous, { httpOnly: true, sameSite: 'lax', secure: ctx.secure, path: '/' });
  }
  return `anonymous:${anonymous}`;
}

/**
 * A multipart upload is parsed by its own route, after this check, so a plain (non-htmx) upload form carries
 * its token in the form's action URL instead: `?_csrf=…`. Only multipart requests to those routes may do so: a
 * token in a URL can leak (logs, history), and elsewhere nothing needs it.
 */
function uploadQueryToken(ctx: AppContext, accepts: (path: string) => boolean): string | undefined {
  const token = ctx.query._csrf;
  return ctx.is('multipart') && accepts(ctx.path) && typeof token === 'string' ? token : undefined;
}

function bodyField(ctx: AppContext, name: string): string | undefined {
  const body = (ctx.request as { body?: unknown }).body;
  if (body && typeof body === 'object' && name in body) {
    const value = (body as Record<string, unknown>)[name];
    return typeof value === 'string' ? value : undefined;
  }
  return undefined;
}
