import Router from '@koa/router';
import { corePermissions } from '../../auth/permissions.js';
import { isNxfError } from '../../errors.js';
import type { Actor } from '../../modules/module-manager.js';
import { parseSettingsForm } from '../../modules/settings/setting-values.js';
import type { AppContext, AppState, CoreServices } from '../app-context.js';
import { formString } from '../forms.js';
import { requirePermission } from '../middleware/guards.js';
import { setFlash } from '../render/flash.js';
import { isHtmxRequest } from '../render/htmx.js';

/** The administrators' Modules pages: the list with enable/disable, and each module's settings page. */
export function modulesRoutes(services: CoreServices): Router<AppState> {
  const { modules, audit, views } = services;
  const router = new Router<AppState>({ prefix: '/admin/modules' });
  const actor = (ctx: AppContext): Actor => ({
    name: ctx.state.user?.username ?? 'unknown',
    reason: formString(ctx, 'reason') || undefined,
  });

  router.get('/', requirePermission(corePermissions.modulesManage), async (ctx) => {
    views.page(ctx, 'pages/modules/index', { title: 'Modules', modules: await modules.list() });
  });

  for (const action of ['enable', 'disable'] as const) {
    router.post(`/:name/${action}`, requirePermission(corePermissions.modulesManage), async (ctx) => {
      const name = String(ctx.params.name);
      try {
        await modules[action](name, actor(ctx));
        await audit.record({
          action: `module.${action}`,
          outcome: 'success',
          actor: ctx.state.user,
          target: name,
          sourceIp: ctx.ip,
        });
        ctx.state.flash.push({ kind: 'success', text: `${name} is ${action}d.` });
      } catch (error) {
        if (!isNxfError(error) || (error.status >= 500 && error.code === 'NXF_INTERNAL')) throw error;
        await audit.record({
          action: `module.${action}`,
          outcome: 'failure',
          actor: ctx.state.user,
          target: name,
          sourceIp: ctx.ip,
          details: { error: error.message },
        });
        ctx.state.flash.push({ kind: 'error', text: error.message });
        ctx.status = error.status;
      }
      if (isHtmxRequest(ctx)) {
        const info = (await modules.list()).find((m) => m.record.name === name);
        return views.fragment(ctx, 'pages/modules/_row', { m: info });
      }
      for (const message of ctx.state.flash.splice(0)) setFlash(ctx, message.kind, message.text);
      ctx.status = 303;
      ctx.redirect('/admin/modules');
    });
  }

  const showSettings = async (ctx: AppContext, extra: Record<string, unknown> = {}) => {
    const { record } = await modules.get(String(ctx.params.name));
    views.respond(
      ctx,
      { page: 'pages/modules/settings', fragment: 'pages/modules/_settings-form' },
      {
        title: `${record.manifest?.displayName ?? record.name} settings`,
        module: record,
        definitions: record.manifest?.settings ?? {},
        values: await modules.settingsOf(record.name),
        errors: {},
        ...extra,
      },
    );
  };

  router.get('/:name/settings', requirePermission(corePermissions.settingsManage), (ctx) => showSettings(ctx));

  router.post('/:name/settings', requirePermission(corePermissions.settingsManage), async (ctx) => {
    const { record } = await modules.get(String(ctx.params.name));
    const form = (ctx.request as { body?: Record<string, unknown> }).body ?? {};
    const { values, errors } = parseSettingsForm(record.manifest?.settings ?? {}, form);
    if (Object.keys(errors).length > 0) return showSettings(ctx, { status: 422, values: form, errors });
    await modules.saveSettings(record.name, values, actor(ctx));
    await audit.record({
      action: 'settings.module',
      outcome: 'success',
      actor: ctx.state.user,
      target: record.name,
      sourceIp: ctx.ip,
      details: { keys: Object.keys(values) },
    });
    ctx.state.flash.push({ kind: 'success', text: 'Settings saved.' });
    await showSettings(ctx);
  });

  return router;
}
