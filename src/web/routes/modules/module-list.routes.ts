import { corePermissions } from '../../../auth/permissions.js';
import { isNxfError, NxfError } from '../../../errors.js';
import type { Actor } from '../../../modules/module-manager.js';
import type { AppContext, AppRouter } from '../../../http/app-context.js';
import { createRouter } from '../../../http/router.js';
import type { CoreServices } from '../../../core-services.js';
import { audited } from '../../audited.js';
import { formFlag } from '../../forms.js';
import { requirePermission } from '../../middleware/guards.js';
import { moduleUpload, uploadedFile } from '../../middleware/module-upload.js';
import { setFlash } from '../../render/flash.js';
import { isHtmxRequest } from '../../render/htmx.js';

/** Who acts in a module action, as the module's log records it. */
export const moduleActor = (ctx: AppContext): Actor => ({
  name: ctx.state.user?.username ?? 'unknown',
  reason: 'Modules page',
});

/**
 * The Modules list: every module with its status, enable/disable swapped in place with htmx, and the upload
 * form (validation errors shown inline). Administrators only.
 */
export function moduleListRoutes(services: CoreServices): AppRouter {
  const { modules, installer, audit, views } = services;
  const router = createRouter({ prefix: '/admin/modules' });
  router.use(requirePermission(corePermissions.modulesManage));

  const listData = async () => ({
    modules: (await modules.list()).filter((m) => m.record.status !== 'REMOVED' || m.record.source === 'bundled'),
  });

  /** After an action: htmx gets `fragment`, a plain form is sent back to the list with the messages. */
  const finish = async (ctx: AppContext, fragment: () => Promise<void>) => {
    if (isHtmxRequest(ctx)) return fragment();
    for (const message of ctx.state.flash.splice(0)) setFlash(ctx, message.kind, message.text, message.link);
    ctx.status = 303;
    ctx.redirect('/admin/modules');
  };

  /**
   * Runs a lifecycle action. A refusal (409, 404…) or a module that fails to load becomes a message saying
   * why, with its log one click away; anything else stays an error. A load failure is the module's fault, not
   * the server's, so it is answered 422 rather than 5xx.
   */
  const attempt = async (ctx: AppContext, action: string, name: string, work: () => Promise<unknown>, done: string) => {
    try {
      await audited(audit, ctx, action, name, work);
      ctx.state.flash.push({ kind: 'success', text: done });
    } catch (error) {
      if (!isNxfError(error)) throw error;
      const verb = action.replace(/^module\./, '');
      ctx.state.flash.push({
        kind: 'error',
        text: `${name} could not be ${verb === 'install' ? 'installed' : `${verb}d`}: ${error.message}`,
        link: { href: `/admin/modules/${encodeURIComponent(name)}#log-heading`, label: `Open the log of ${name}` },
      });
      ctx.status = error.status < 500 ? error.status : 422;
    }
  };

  const row = (ctx: AppContext, name: string) => async () => {
    const info = (await modules.list()).find((m) => m.record.name === name);
    views.fragment(ctx, 'pages/modules/_row', { m: info });
  };

  router.get('/', async (ctx) => {
    views.page(ctx, 'pages/modules/index', { title: 'Modules', ...(await listData()), uploadErrors: [] });
  });

  for (const action of ['enable', 'disable'] as const) {
    router.post(`/:name/${action}`, async (ctx) => {
      const name = String(ctx.params.name);
      await attempt(
        ctx,
        `module.${action}`,
        name,
        () => modules[action](name, moduleActor(ctx)),
        `${name} is ${action}d.`,
      );
      await finish(ctx, row(ctx, name));
    });
  }

  router.post('/:name/reinstall', async (ctx) => {
    const name = String(ctx.params.name);
    const record = await modules.store.get(name);
    if (!record || record.source !== 'bundled' || record.status !== 'REMOVED') {
      throw new NxfError('NXF_MODULE_STATE', `${name} is not an uninstalled bundled module.`, { status: 409 });
    }
    await attempt(
      ctx,
      'module.install',
      name,
      () => modules.installFromDirectory(record.directory, 'bundled', moduleActor(ctx)),
      `${name} is installed again.`,
    );
    await finish(ctx, row(ctx, name));
  });

  router.post('/upload', moduleUpload(services), async (ctx) => {
    const file = uploadedFile(ctx);
    let uploadErrors: Array<{ field: string; message: string }> = [];
    try {
      const outcome = await audited(audit, ctx, 'module.install', file.originalFilename ?? 'upload', () =>
        installer.installZip(file.filepath, { actor: moduleActor(ctx), force: formFlag(ctx, 'force') }),
      );
      const { name, version } = outcome.record;
      ctx.state.flash.push({
        kind: 'success',
        text: outcome.upgradedFrom
          ? `${name} upgraded from ${outcome.upgradedFrom} to ${version}.`
          : `${name} ${version} is installed. Enable it to use it.`,
      });
    } catch (error) {
      if (!isNxfError(error) || error.status >= 500) throw error;
      ctx.status = error.status;
      uploadErrors = Array.isArray(error.details)
        ? (error.details as typeof uploadErrors)
        : [{ field: error.code, message: error.message }];
      ctx.state.flash.push({ kind: 'error', text: error.message.split(': ')[0] ?? error.message });
    }
    if (isHtmxRequest(ctx))
      return views.fragment(ctx, 'pages/modules/_upload', { ...(await listData()), uploadErrors, refreshRows: true });
    if (uploadErrors.length > 0)
      return views.page(ctx, 'pages/modules/index', {
        title: 'Modules',
        ...(await listData()),
        uploadErrors,
        status: ctx.status,
      });
    await finish(ctx, async () => {});
  });

  return router;
}
