import type Koa from 'koa';

/**
 * The one place that decides whole page or fragment: an htmx request that targets part of the page wants the
 * fragment alone. Boosted navigation and history restores target the body and get the whole page, as does any
 * request without JavaScript.
 */
export function isHtmxRequest(ctx: Koa.Context | Koa.ParameterizedContext): boolean {
  return ctx.get('HX-Request') === 'true' && ctx.get('HX-Request-Type') !== 'full';
}
