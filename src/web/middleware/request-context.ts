import { randomUUID } from 'node:crypto';
import type { Logger } from '../../logger.js';
import type { AppMiddleware } from '../../http/app-context.js';
import { RequestState } from '../../http/request-state.js';

const acceptableRequestId = /^[A-Za-z0-9._-]{1,64}$/;

/** The path as the request line logs it: a display's URL token is a secret, so only its start is kept. */
function loggedPath(path: string): string {
  return path.startsWith('/kiosk/') ? path.replace(/^(\/kiosk\/[^/]{0,6})[^/]*/, '$1…') : path;
}

/**
 * Gives each request its state and an id (the caller's X-Request-Id when it is sane, so ids follow a request
 * through a proxy), and writes one log line when the response is sent.
 */
export function requestContext(logger: Logger): AppMiddleware {
  // The request line holds only the fields below, none of them secret, so it skips the process logger's
  // redaction, which walks every logged object and would double the cost of the line.
  const accessLog = logger.child({}, { redact: { paths: [] } });
  return async (ctx, next) => {
    const incoming = ctx.get('X-Request-Id');
    const requestId = acceptableRequestId.test(incoming) ? incoming : randomUUID();
    ctx.state = new RequestState(requestId, logger);
    ctx.set('X-Request-Id', requestId);
    const started = performance.now();
    // An error that escapes the chain (errorHandler answers all others) is answered by Koa with its status or 500.
    let escaped: { status?: number } | undefined;
    try {
      await next();
    } catch (error) {
      escaped = error as { status?: number };
      throw error;
    } finally {
      const status = escaped ? (escaped.status ?? 500) : ctx.status;
      const fields = {
        requestId,
        method: ctx.method,
        path: loggedPath(ctx.path),
        status,
        durationMs: Math.round((performance.now() - started) * 10) / 10,
        userId: ctx.state.user?.id,
        ip: ctx.ip,
      };
      if (status >= 500) accessLog.error(fields, 'request');
      else accessLog.info(fields, 'request');
    }
  };
}
