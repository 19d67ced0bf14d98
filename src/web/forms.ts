import type { AppContext } from '../http/app-context.js';

/** A string field of the parsed form or JSON body; '' when absent or not a string. */
export function formString(ctx: AppContext, name: string): string {
  const body = (ctx.request as { body?: unknown }).body;
  if (!body || typeof body !== 'object') return '';
  const value = (body as Record<string, unknown>)[name];
  return typeof value === 'string' ? value : '';
}

/** True when a checkbox-like field was sent as on/true/1. */
export function formFlag(ctx: AppContext, name: string): boolean {
  return ['on', 'true', '1'].includes(formString(ctx, name).toLowerCase());
}
