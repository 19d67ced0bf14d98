import type { CoreServices } from '../../core-services.js';
import type { Display, DisplayLookup } from '../../displays/display-store.js';
import { NxfError } from '../../errors.js';
import type { AppContext, AppMiddleware } from '../../http/app-context.js';
import { isHtmxRequest } from '../render/htmx.js';
import { holdsOtherPages, kioskPageState, pageOf } from './kiosk-pages.js';

/** The header a display's pages send with every htmx request: the token of its URL (public/js/nxforge.js). */
export const displayTokenHeader = 'X-Display-Token';
/** Set on the answer to a display whose token was revoked or rotated, so its script stops asking. */
export const displayRevokedHeader = 'X-Display-Revoked';

/** `/kiosk/<token>`: a display's URL. */
export const kioskPathPattern = /^\/kiosk\/([^/]+)$/;

const displays = new WeakMap<AppContext, Display>();

/** The display a kiosk request comes from (set by `kioskAccess`). */
export function displayOf(ctx: AppContext): Display {
  const display = displays.get(ctx);
  if (!display) throw new Error('displayOf: not a kiosk request');
  return display;
}

/**
 * Kiosk sessions. A request is a display's when it opens the display's URL (`/kiosk/<token>`) or carries the token
 * in `X-Display-Token` (its pages' refreshes). Such a request has no user — a session cookie in the same browser
 * is ignored — and may only GET the display's URL and its pages (with the fragments under them) while their
 * modules offer them: anything else, the API and every form post included, is 403 `NXF_KIOSK_FORBIDDEN`, never a
 * login page. A token that never was one is a plain 404; a rotated or revoked one says "display revoked" (410).
 * Every request is noted as the display's last contact, which the Displays page shows.
 */
export function kioskAccess(services: CoreServices): AppMiddleware {
  const { displays: store, logger } = services;
  return async (ctx, next) => {
    const token = kioskPathPattern.exec(ctx.path)?.[1] ?? ctx.get(displayTokenHeader);
    if (!token) return next();
    // The token is in the URL: no request from a display's page may tell another site (or even ours) what it is.
    ctx.res.setHeader('Referrer-Policy', 'no-referrer');
    const found = await store.lookup(token);
    if (!found) throw new NxfError('NXF_NOT_FOUND', 'Nothing here.', { status: 404 });
    if (found.state !== 'live') return answerRevoked(services, ctx, found);
    const { display } = found;
    ctx.state.user = undefined;
    ctx.state.authMethod = undefined;
    ctx.state.sessionToken = undefined;
    ctx.state.kiosk = {
      display: { id: display.id, name: display.name },
      filter: { ...display.filter },
      theme: display.theme,
    };
    displays.set(ctx, display);
    let status = 500;
    try {
      assertDisplayMayRead(ctx, display, services);
      await next();
      status = ctx.status;
    } catch (error) {
      status = (error as { status?: number }).status ?? 500;
      throw error;
    } finally {
      const contact = { status, browser: ctx.get('User-Agent'), address: ctx.ip };
      await store.recordContact(display.id, contact).catch((error: unknown) => {
        logger.warn({ err: error, display: display.id }, 'display contact not recorded');
      });
    }
  };
}

/** @throws NxfError NXF_KIOSK_FORBIDDEN unless the request reads the display's URL or one of its pages. */
function assertDisplayMayRead(ctx: AppContext, display: Display, services: CoreServices): void {
  const refuse = (message: string) => new NxfError('NXF_KIOSK_FORBIDDEN', message, { status: 403 });
  if (ctx.method !== 'GET' && ctx.method !== 'HEAD')
    throw refuse('A display only shows pages: it cannot change anything.');
  if (kioskPathPattern.test(ctx.path)) return;
  const page = pageOf(display.pages, ctx.path, (path) => holdsOtherPages(services.modules.registry, path));
  if (!page) throw refuse(`A display may only show its own pages; ${ctx.path} is not one of them.`);
  const state = kioskPageState(services.modules.registry, page);
  // A disabled module's page is answered by the dispatcher (403, the module is disabled), like everyone's.
  if (!state.available && services.modules.registry.ownerOf(page))
    throw refuse(`This page cannot be shown: ${state.reason}.`);
}

/** "Display revoked": a page of its own, or for a refresh the same text with a header that stops the display's script. */
function answerRevoked(
  services: CoreServices,
  ctx: AppContext,
  found: Exclude<DisplayLookup, { state: 'live' }>,
): void {
  const data = { name: found.name, theme: found.theme, reason: found.state, code: 'NXF_DISPLAY_REVOKED' };
  ctx.status = 410;
  ctx.type = 'html';
  if (isHtmxRequest(ctx)) {
    ctx.set(displayRevokedHeader, 'true');
    ctx.body = services.views.render('kiosk/revoked', { ...data, fragment: true });
  } else {
    ctx.body = services.views.render('kiosk/revoked', { ...data, fragment: false });
  }
}
