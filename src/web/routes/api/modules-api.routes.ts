import { corePermissions } from '../../../auth/permissions.js';
import { audited as auditedAction } from '../../audited.js';

import type { Actor } from '../../../modules/module-manager.js';
import type { AppContext, AppRouter } from '../../../http/app-context.js';
import { createRouter } from '../../../http/router.js';
import type { CoreServices } from '../../../core-services.js';
import { requirePermission } from '../../middleware/guards.js';
import { queryPaging } from '../../query.js';
import { moduleUpload, uploadedFile } from '../../middleware/module-upload.js';
import { logEntryJson, moduleJson } from './module-json.js';

/** Whether a query or form flag is set: `true`, `1`, `on`, `yes`. */
export function flagSet(value: unknown): boolean {
  return typeof value === 'string' && ['true', '1', 'on', 'yes'].includes(value.toLowerCase());
}

/**
 * The module lifecycle as a JSON API for administrators (session or Bearer token), in the shapes docs/modules.md documents.
 * Errors are `{"error": {"code", "message"}}`: 400 invalid, 404 unknown, 409 conflict, 413 too large.
 */
export function modulesApiRoutes(services: CoreServices): AppRouter {
  const { modules, installer, audit } = services;
  const router = createRouter({ prefix: '/api/v1/modules' });
  router.use(requirePermission(corePermissions.modulesManage));
  const actor = (ctx: AppContext): Actor => ({ name: ctx.state.user?.username ?? 'unknown', reason: 'API' });

  const audited = <T>(ctx: AppContext, action: string, target: string, work: () => Promise<T>) =>
    auditedAction(audit, ctx, action, target, work);

  router.get('/', async (ctx) => {
    const list = await modules.list();
    ctx.body = { modules: list.filter((m) => m.record.status !== 'REMOVED').map(moduleJson) };
  });

  router.post('/install', moduleUpload(services), async (ctx) => {
    const file = uploadedFile(ctx);
    const force = flagSet(ctx.query.force) || flagSet((ctx.request.body as Record<string, unknown> | undefined)?.force);
    const outcome = await audited(ctx, 'module.install', file.originalFilename ?? 'upload', () =>
      installer.installZip(file.filepath, { actor: actor(ctx), force }),
    );
    ctx.status = 201;
    ctx.body = {
      moduleId: outcome.record.id,
      name: outcome.record.name,
      version: outcome.record.version,
      status: outcome.upgradedFrom ? outcome.record.status : 'INSTALLED',
      upgradedFrom: outcome.upgradedFrom ?? null,
    };
  });

  router.get('/:name', async (ctx) => {
    const info = await modules.get(ctx.params.name as string);
    ctx.body = { module: moduleJson(info), manifest: info.record.manifest };
  });

  router.post('/:name/enable', async (ctx) => {
    const name = ctx.params.name as string;
    const record = await audited(ctx, 'module.enable', name, () => modules.enable(name, actor(ctx)));
    ctx.body = { status: record.status };
  });

  router.post('/:name/disable', async (ctx) => {
    const name = ctx.params.name as string;
    const record = await audited(ctx, 'module.disable', name, () => modules.disable(name, actor(ctx)));
    ctx.body = { status: record.status };
  });

  router.delete('/:name', async (ctx) => {
    const name = ctx.params.name as string;
    const purge = flagSet(ctx.query.purge);
    await audited(ctx, purge ? 'module.uninstall_purge' : 'module.uninstall', name, () =>
      installer.uninstall(name, actor(ctx), { purge }),
    );
    ctx.body = { status: 'UNINSTALLED', purged: purge };
  });

  router.get('/:name/logs', async (ctx) => {
    const name = ctx.params.name as string;
    await modules.get(name);
    const { limit, offset } = queryPaging(ctx, { defaultLimit: 50, maxLimit: 500 });
    const logs = await modules.logs.list(name, { limit, offset });
    ctx.body = { logs: logs.map(logEntryJson), limit, offset };
  });

  return router;
}
