import type { ModuleContext } from 'nxforge/module';

/** The Koa context of a module page. */
export type PageRequest = Parameters<Parameters<ModuleContext['ui']['get']>[1]>[0];

/** The submitted form of a page POST. */
export function formOf(request: PageRequest): Record<string, unknown> {
  const body = (request.request as { body?: unknown }).body;
  return body !== null && typeof body === 'object' ? (body as Record<string, unknown>) : {};
}

/** A positive integer route parameter, or a 404. */
export function idParam(ctx: ModuleContext, request: PageRequest, name = 'id'): number {
  const id = Number(request.params[name]);
  return Number.isInteger(id) && id > 0 ? id : ctx.fail(404, 'NXF_NOT_FOUND', `Nothing at ${request.path}.`);
}

/** The module's stylesheet link, placed at the top of every page body. */
export const stylesheet = '/static/modules/temperature-monitor/temperature.css?v=2';
