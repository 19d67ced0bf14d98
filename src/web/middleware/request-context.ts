import { randomUUID } from 'node:crypto';
import type { Logger } from '../../logger.js';
import type { AppMiddleware } from '../app-context.js';
import { RequestState } from '../request-state.js';

const acceptableRequestId = /^[A-Za-z0-9._-]{1,64}$/;

/**
 * Gives each request its state and an id (the caller's X-Request-Id when it is sane, so ids follow a request
 * through a proxy), and writes one log line when the response is sent.
 */
export function requestContext(logger: Logger): AppMiddleware {
  return async (ctx, next) => {
    const incoming = ctx.get('X-Request-Id');
    const requestId = acceptableRequestId.test(incoming) ? incoming : randomUUID();
    ctx.state = new RequestState(requestId, logger);
    ctx.set('X-Request-Id', requestId);
    const started = performance.now();
    try {
      await next();
    } finally {
      const fields = {
        requestId,
        method: ctx.method,
        path: ctx.path,
        status: ctx.status,
        durationMs: Math.round((performance.now() - started) * 10) / 10,
        userId: ctx.state.user?.id,
        ip: ctx.ip,
      };
      if (ctx.status >= 500) logger.error(fields, 'request');
      else logger.info(fields, 'request');
    }
  };
}
