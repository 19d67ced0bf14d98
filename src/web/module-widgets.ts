import { errorMessage } from '../errors.js';
import type { AppContext } from '../http/app-context.js';
import type { LoadedModule } from '../modules/loaded-module.js';
import type { WidgetDefinition } from '../modules/manifest/manifest-types.js';
import type { ViewRenderer } from './render/views.js';

/** A widget ready for the dashboard: its definition, its module and its rendered content. */
export interface RenderedWidget {
  module: string;
  definition: WidgetDefinition;
  html: string;
  failed: boolean;
}

/**
 * Renders one module widget for the request: its loader's data through its view. A widget that fails renders
 * a short error in its card instead of breaking the dashboard; the failure goes to the module's log.
 */
export async function renderWidget(
  module: LoadedModule,
  definition: WidgetDefinition,
  ctx: AppContext,
  views: ViewRenderer,
): Promise<RenderedWidget> {
  try {
    const load = module.widgets.get(definition.id);
    const data = load ? await load(ctx) : {};
    const html = module.eta.render(definition.view, { ...views.common(ctx), module: { name: module.name }, ...data });
    return { module: module.name, definition, html, failed: false };
  } catch (error) {
    module.context.logger.error(`widget ${definition.id} failed: ${errorMessage(error)}`);
    return { module: module.name, definition, html: '', failed: true };
  }
}
