import type { AppMiddleware } from '../../http/app-context.js';

/**
 * No inline script, no eval, nothing from other origins; htmx and our own script are files under /static.
 * htmx's indicator CSS is switched off in the layout's htmx-config and lives in our stylesheet instead.
 */
export const contentSecurityPolicy = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data:",
  "connect-src 'self'",
  "font-src 'self'",
  "object-src 'none'",
  "base-uri 'self'",
  "form-action 'self'",
  "frame-ancestors 'none'",
].join('; ');

const headers = Object.entries({
  'Content-Security-Policy': contentSecurityPolicy,
  'X-Content-Type-Options': 'nosniff',
  'Referrer-Policy': 'same-origin',
  'X-Frame-Options': 'DENY',
  'Cross-Origin-Opener-Policy': 'same-origin',
  'Permissions-Policy': 'camera=(), microphone=(), geolocation=()',
});

/** The same headers as lines of a raw HTTP response, for answers Node writes to the socket itself. */
export const securityHeaderLines = headers.map(([name, value]) => `${name}: ${value}`).join('\r\n');

/**
 * Security headers on every response, errors and static files included. Set on the Node response directly:
 * they are constants, so Koa's per-call checks buy nothing on a path every request takes.
 *
 * Nothing is cached unless it says so: a response that set no `Cache-Control` of its own (only static files do)
 * gets `no-store` on its way out, so no page, fragment, API answer or error — a new API token, a generated
 * password — is kept by a browser or a proxy.
 */
export function securityHeaders(): AppMiddleware {
  return async (ctx, next) => {
    for (const [name, value] of headers) ctx.res.setHeader(name, value);
    try {
      await next();
    } finally {
      if (!ctx.res.headersSent && !ctx.res.hasHeader('Cache-Control')) ctx.res.setHeader('Cache-Control', 'no-store');
    }
  };
}
