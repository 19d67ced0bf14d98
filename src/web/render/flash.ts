import type Koa from 'koa';
import type { FlashMessage } from '../../http/request-state.js';
import { isHtmxRequest } from './htmx.js';

export type { FlashMessage };

const cookieName = 'nxf_flash';

/**
 * Queues a message for the next page the browser shows (after a redirect). Kept in a signed cookie, so it works
 * for signed-out visitors too and costs no database write.
 */
export function setFlash(
  ctx: Koa.Context | Koa.ParameterizedContext,
  kind: FlashMessage['kind'],
  text: string,
  link?: FlashMessage['link'],
): void {
  const queued = readFlashCookie(ctx);
  queued.push(link ? { kind, text, link } : { kind, text });
  ctx.cookies.set(cookieName, Buffer.from(JSON.stringify(queued.slice(-5))).toString('base64url'), {
    signed: true,
    httpOnly: true,
    sameSite: 'lax',
    maxAge: 60_000,
    secure: ctx.secure,
  });
}

/** Reads and clears the queued messages. */
export function takeFlash(ctx: Koa.Context | Koa.ParameterizedContext): FlashMessage[] {
  const queued = readFlashCookie(ctx);
  if (queued.length > 0) ctx.cookies.set(cookieName, null, { signed: true });
  return queued;
}

function readFlashCookie(ctx: Koa.Context | Koa.ParameterizedContext): FlashMessage[] {
  const raw = ctx.cookies.get(cookieName, { signed: true });
  if (!raw) return [];
  try {
    const parsed = JSON.parse(Buffer.from(raw, 'base64url').toString('utf8')) as unknown;
    return Array.isArray(parsed) ? (parsed as FlashMessage[]).filter((m) => typeof m?.text === 'string') : [];
  } catch {
    return [];
  }
}

/**
 * After a change made from a form: a success message, then the page at `path` — htmx is told to go there
 * (`HX-Redirect`), a plain form post is redirected (303).
 */
export function redirectWithFlash(ctx: Koa.Context | Koa.ParameterizedContext, path: string, text: string): void {
  setFlash(ctx, 'success', text);
  if (isHtmxRequest(ctx)) {
    ctx.set('HX-Redirect', path);
    ctx.status = 204;
    return;
  }
  ctx.status = 303;
  ctx.redirect(path);
}
