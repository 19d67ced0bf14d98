import { corePermissions } from '../../../auth/permissions.js';
import { authoredManifest } from '../../../modules/manifest/authored-manifest.js';
import { parseSettingsForm } from '../../../settings/setting-values.js';
import type { AppContext, AppRouter } from '../../../http/app-context.js';
import { createRouter } from '../../../http/router.js';
import type { CoreServices } from '../../../core-services.js';
import { audited } from '../../audited.js';
import { requirePermission } from '../../middleware/guards.js';
import { moduleActor } from './module-list.routes.js';

/** A module's settings page, generated from its manifest's `settings`; administrators only. */
export function moduleSettingsRoutes(services: CoreServices): AppRouter {
  const { modules, audit, views } = services;
  const router = createRouter({ prefix: '/admin/modules/:name/settings' });
  router.use(requirePermission(corePermissions.settingsManage));

  const show = async (ctx: AppContext, extra: Record<string, unknown> = {}) => {
    const { record } = await modules.get(String(ctx.params.name));
    const manifest = await authoredManifest(modules.registry, record);
    views.respond(
      ctx,
      { page: 'pages/modules/settings', fragment: 'pages/modules/_settings-form' },
      {
        title: `${record.manifest?.displayName ?? record.name} settings`,
        module: record,
        definitions: manifest?.settings ?? {},
        values: await modules.settingsOf(record.name),
        errors: {},
        ...extra,
      },
    );
  };

  router.get('/', (ctx) => show(ctx));

  router.post('/', async (ctx) => {
    const { record } = await modules.get(String(ctx.params.name));
    const form = (ctx.request as { body?: Record<string, unknown> }).body ?? {};
    const { values, errors } = parseSettingsForm(record.manifest?.settings ?? {}, form);
    if (Object.keys(errors).length > 0) return show(ctx, { status: 422, values: form, errors });
    await audited(audit, ctx, 'settings.module', record.name, () =>
      modules.saveSettings(record.name, values, moduleActor(ctx)),
    );
    ctx.state.flash.push({ kind: 'success', text: 'Settings saved.' });
    await show(ctx);
  });

  return router;
}
