import { corePermissions } from '../../../auth/permissions.js';
import { isNxfError } from '../../../errors.js';
import { authoredManifest } from '../../../modules/manifest/authored-manifest.js';
import { uninstallImpact } from '../../../modules/uninstall-impact.js';
import type { AppContext, AppRouter } from '../../../http/app-context.js';
import { createRouter } from '../../../http/router.js';
import type { CoreServices } from '../../../core-services.js';
import { audited } from '../../audited.js';
import { formFlag } from '../../forms.js';
import { requirePermission } from '../../middleware/guards.js';
import { setFlash } from '../../render/flash.js';
import { moduleActor } from './module-list.routes.js';

/** A module's page: what its manifest declares, its log (refreshed live), and uninstalling with its impact. */
export function moduleDetailRoutes(services: CoreServices): AppRouter {
  const { modules, installer, audit, views, db, toolkit } = services;
  const router = createRouter({ prefix: '/admin/modules/:name' });
  router.use(requirePermission(corePermissions.modulesManage));
  const logPage = 50;

  const logs = (name: string) => modules.logs.list(name, { limit: logPage });

  router.get('/', async (ctx) => {
    const info = await modules.get(String(ctx.params.name));
    views.page(ctx, 'pages/modules/detail', {
      title: info.record.manifest?.displayName ?? info.record.name,
      m: info,
      manifest: await authoredManifest(modules.registry, info.record),
      logs: await logs(info.record.name),
    });
  });

  router.get('/log', async (ctx) => {
    const { record } = await modules.get(String(ctx.params.name));
    views.fragment(ctx, 'pages/modules/_log', { logs: await logs(record.name) });
  });

  const showUninstall = async (ctx: AppContext, extra: Record<string, unknown> = {}) => {
    const info = await modules.get(String(ctx.params.name));
    const impact = await uninstallImpact(info.record, db, modules.store, toolkit.storage.root);
    views.page(ctx, 'pages/modules/uninstall', { title: `Uninstall ${info.record.name}`, m: info, impact, ...extra });
  };

  router.get('/uninstall', (ctx) => showUninstall(ctx));

  router.post('/uninstall', async (ctx) => {
    const name = String(ctx.params.name);
    const purge = formFlag(ctx, 'purge');
    try {
      await audited(audit, ctx, purge ? 'module.uninstall_purge' : 'module.uninstall', name, () =>
        installer.uninstall(name, moduleActor(ctx), { purge }),
      );
    } catch (error) {
      if (!isNxfError(error) || error.status >= 500) throw error;
      ctx.state.flash.push({ kind: 'error', text: error.message });
      return showUninstall(ctx, { status: error.status });
    }
    setFlash(
      ctx,
      'success',
      purge ? `${name} is uninstalled and its data deleted.` : `${name} is uninstalled; its data is kept.`,
    );
    ctx.status = 303;
    ctx.redirect('/admin/modules');
  });

  return router;
}
