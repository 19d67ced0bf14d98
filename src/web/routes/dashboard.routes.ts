import { roleHasPermission } from '../../auth/permissions.js';
import { NxfError } from '../../errors.js';
import { renderWidget } from '../module-widgets.js';
import type { AppContext, AppRouter } from '../../http/app-context.js';
import { createRouter } from '../../http/router.js';
import type { CoreServices } from '../../core-services.js';
import { assertPermission, requireLogin } from '../middleware/guards.js';

/** The landing page after sign-in: module states at a glance and the widgets of the modules the user may read. */
export function dashboardRoutes(services: CoreServices): AppRouter {
  const { views, modules } = services;
  const router = createRouter();

  const readableModules = (ctx: AppContext) =>
    modules.registry.mounted().filter((module) => roleHasPermission(ctx.state.user!.role, `${module.name}:read`));

  router.get('/', requireLogin(), async (ctx) => {
    const widgets = await Promise.all(
      readableModules(ctx).flatMap((module) =>
        (module.manifest.ui.widgets ?? []).map((widget) => renderWidget(module, widget, ctx, views)),
      ),
    );
    const states = (await modules.snapshot()).filter((m) => m.record.status !== 'REMOVED');

    views.page(ctx, 'pages/dashboard', { title: 'Dashboard', widgets, modules: states });
  });

  router.get('/dashboard/widgets/:module/:widget', requireLogin(), async (ctx) => {
    const module = modules.registry.get(String(ctx.params.module));
    const definition = module?.manifest.ui.widgets?.find((w) => w.id === ctx.params.widget);
    if (!module || !definition) throw new NxfError('NXF_NOT_FOUND', 'No such widget.', { status: 404 });
    assertPermission(ctx, `${module.name}:read`);
    const widget = await renderWidget(module, definition, ctx, views);
    views.fragment(ctx, 'partials/widget-body', { widget });
  });

  return router;
}
