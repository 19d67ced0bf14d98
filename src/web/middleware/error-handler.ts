import { isDatabaseUnavailable } from '../../db/database.js';
import { errorMessage, NxfError } from '../../errors.js';
import type { AppContext, AppMiddleware } from '../../http/app-context.js';
import { isHtmxRequest } from '../render/htmx.js';
import type { ViewRenderer } from '../render/views.js';

/** True for the JSON API, whose errors are JSON; everything else gets HTML. */
export function isApiRequest(ctx: AppContext): boolean {
  return ctx.path === '/api' || ctx.path.startsWith('/api/');
}

/**
 * Answers with an error in the form the client reads: JSON for the API (`details` included when there are some,
 * e.g. a message per invalid field), an HTML page or fragment otherwise.
 */
export function sendError(
  ctx: AppContext,
  views: ViewRenderer,
  status: number,
  code: string,
  message: string,
  details?: unknown,
): void {
  if (isApiRequest(ctx)) {
    ctx.status = status;
    ctx.body = { error: { code, message, ...(details === undefined ? {} : { details }) } };
    return;
  }
  if (isHtmxRequest(ctx)) {
    // A failed swap must not replace the part of the page it aimed at: show the error in the flash area instead.
    ctx.status = status;
    ctx.type = 'html';
    ctx.set({ 'HX-Retarget': '#flash', 'HX-Reswap': 'innerHTML' });
    ctx.body = views.render('partials/flash', { messages: [{ kind: 'error', text: `${message} (${code})` }] });
    return;
  }
  const title = codeTitles[code] ?? errorTitles[status] ?? 'Error';
  views.page(ctx, 'pages/error', { title, status, code, message });
}

const errorTitles: Record<number, string> = { 403: 'Not allowed', 404: 'Not found' };
const codeTitles: Record<string, string> = { NXF_DATABASE_DOWN: 'Database unavailable' };

/** What a request that needed the database is told while it cannot be reached. */
const databaseDown = {
  status: 503,
  code: 'NXF_DATABASE_DOWN',
  message: 'The database is unavailable right now. NxForge is reconnecting; try again in a moment.',
};

const bodilessStatuses: Record<number, [string, string]> = {
  404: ['NXF_NOT_FOUND', 'Not found.'],
  405: ['NXF_METHOD_NOT_ALLOWED', 'This address does not accept that method.'],
  501: ['NXF_NOT_IMPLEMENTED', 'This method is not supported.'],
};

/**
 * Turns anything thrown into a coded error response, logs unexpected ones with their stack, and gives unmatched
 * routes a proper 404 in the client's format. Internal details never reach the client.
 */
export function errorHandler(views: ViewRenderer): AppMiddleware {
  return async (ctx, next) => {
    try {
      await next();
      // A status without a body (no route matched, a method the route lacks): answer it in the client's format.
      if (ctx.status >= 400 && (ctx.body === undefined || ctx.body === null)) {
        const [code, message] = bodilessStatuses[ctx.status] ?? ['NXF_BAD_REQUEST', 'Bad request.'];
        sendError(ctx, views, ctx.status, code, ctx.status === 404 ? `Nothing at ${ctx.path}.` : message);
      }
    } catch (error) {
      const { status, code, message, details } = describe(error);
      // One line per request while the database is down, not a stack each: the outage is logged where it happens.
      if (code === databaseDown.code) {
        ctx.set('Retry-After', '5');
        ctx.state.log.warn({ code, error: errorMessage(error) }, 'database unavailable');
      } else if (status >= 500) ctx.state.log.error({ err: error }, 'request failed');
      else ctx.state.log.debug({ err: error }, 'request refused');
      try {
        sendError(ctx, views, status, code, message, details);
      } catch (renderError) {
        ctx.state.log.error({ err: renderError }, 'error page failed to render');
        ctx.status = status;
        ctx.type = 'text';
        ctx.body = `${code}: ${message}`;
      }
    }
  };
}

function describe(error: unknown): { status: number; code: string; message: string; details?: unknown } {
  if (error instanceof NxfError) {
    // Details of a client error help fix the request; those of a server error stay in the log.
    const details = error.status < 500 ? error.details : undefined;
    return { status: error.status, code: error.code, message: error.message, details };
  }
  if (isDatabaseUnavailable(error)) return databaseDown;
  const httpError = error as { status?: number; expose?: boolean; message?: string };
  if (typeof httpError.status === 'number' && httpError.status >= 400 && httpError.status < 500) {
    // Koa / body-parser client errors (malformed JSON, body too large…).
    const code = httpError.status === 413 ? 'NXF_TOO_LARGE' : 'NXF_BAD_REQUEST';
    return { status: httpError.status, code, message: httpError.expose ? String(httpError.message) : 'Bad request.' };
  }
  return { status: 500, code: 'NXF_INTERNAL', message: 'Something went wrong on the server; it has been logged.' };
}
