import { corePermissions } from '../../auth/permissions.js';
import type { CoreServices } from '../../core-services.js';
import {
  checkFilters,
  displayLimits,
  parseDisplayForm,
  type DisplayForm,
  type DisplaySettings,
} from '../../displays/display-input.js';
import type { Display } from '../../displays/display-store.js';
import { displayThemes } from '../../displays/display-theme.js';
import { isNxfError, NxfError } from '../../errors.js';
import type { AppContext, AppRouter } from '../../http/app-context.js';
import { createRouter } from '../../http/router.js';
import { browserLabel } from '../kiosk/browser-label.js';
import { displayHealth } from '../kiosk/display-health.js';
import { kioskPageState, offeredKioskPages } from '../kiosk/kiosk-pages.js';
import { requirePermission } from '../middleware/guards.js';
import { setFlash } from '../render/flash.js';

const themeLabels: Record<string, string> = { light: 'Light', dark: 'Dark', contrast: 'High contrast' };
const newDisplayDefaults = { rotateSeconds: '30', refreshSeconds: '30', theme: 'dark' };

/**
 * Administration → Displays: kiosk displays with their pages, refresh, theme and filter; a display's URL is shown
 * once, when it is made or rotated (only its hash is kept); revoking makes the display say "display revoked". The
 * list's last-contact column is polled, so a display that stopped asking shows at a glance.
 */
export function displaysRoutes(services: CoreServices): AppRouter {
  const { displays, audit, views } = services;
  const registry = services.modules.registry;
  const router = createRouter({ prefix: '/admin/displays' });
  router.use(requirePermission(corePermissions.displaysManage));

  const rows = async () => (await displays.list()).map((display) => describeDisplay(services, display));
  const offered = () => offeredKioskPages(registry);
  /** The form read and checked against the pages offered now (`kept`: pages the display has already). */
  const settingsOf = (form: DisplayForm, kept: readonly string[] = []): DisplaySettings => {
    const pages = offered();
    const settings = parseDisplayForm(form, new Set(pages.map((page) => page.path)), kept);
    checkFilters(settings, (path) => pages.find((page) => page.path === path)?.filters);
    return settings;
  };
  const record = (ctx: AppContext, action: string, target: string, details?: Record<string, unknown>) =>
    audit.record({ action, outcome: 'success', actor: ctx.state.user, target, sourceIp: ctx.ip, details });

  const showList = async (ctx: AppContext, extra: Record<string, unknown> = {}) =>
    views.page(ctx, 'pages/displays/index', {
      title: 'Displays',
      displays: await rows(),
      offered: offered(),
      themes: themeOptions,
      limits: displayLimits,
      values: newDisplayDefaults,
      errors: {},
      ...extra,
    });

  /** The display's URL, shown once: the token is not kept. */
  const revealUrl = (ctx: AppContext, display: Display, token: string) => ({
    name: display.name,
    url: `${ctx.origin}/kiosk/${token}`,
  });

  router.get('/', (ctx) => showList(ctx));
  router.get('/rows', async (ctx) => views.fragment(ctx, 'pages/displays/_rows', { displays: await rows() }));

  router.post('/', async (ctx) => {
    const form = ctx.request.body as DisplayForm;
    let created: { display: Display; token: string };
    try {
      created = await displays.create(settingsOf(form));
    } catch (error) {
      if (!isNxfError(error) || error.status >= 500) throw error;
      return showList(ctx, { status: 422, values: form, errors: error.details ?? {} });
    }
    await record(ctx, 'display.create', created.display.name, { pages: created.display.pages });
    ctx.status = 201;
    await showList(ctx, { revealed: revealUrl(ctx, created.display, created.token) });
  });

  const loadDisplay = async (ctx: AppContext): Promise<Display> => {
    const display = await displays.get(String(ctx.params.id));
    if (!display) throw new NxfError('NXF_NOT_FOUND', 'No such display.', { status: 404 });
    return display;
  };

  const showEdit = (ctx: AppContext, display: Display, extra: Record<string, unknown> = {}) =>
    views.page(ctx, 'pages/displays/edit', {
      title: `Display ${display.name}`,
      display: describeDisplay(services, display),
      offered: offered(),
      themes: themeOptions,
      limits: displayLimits,
      values: formValues(display),
      errors: {},
      ...extra,
    });

  router.get('/:id', async (ctx) => showEdit(ctx, await loadDisplay(ctx)));

  router.post('/:id', async (ctx) => {
    const display = await loadDisplay(ctx);
    const form = ctx.request.body as DisplayForm;
    let saved: Display | undefined;
    try {
      saved = await displays.update(display.id, settingsOf(form, display.pages));
    } catch (error) {
      if (!isNxfError(error) || error.status >= 500) throw error;
      return showEdit(ctx, display, { status: 422, values: form, errors: error.details ?? {} });
    }
    if (!saved) throw new NxfError('NXF_NOT_FOUND', 'No such display.', { status: 404 });
    await record(ctx, 'display.update', saved.name, { pages: saved.pages });
    setFlash(ctx, 'success', `Saved ${saved.name}. It shows the change at its next refresh of a page.`);
    ctx.status = 303;
    ctx.redirect('/admin/displays');
  });

  router.post('/:id/rotate', async (ctx) => {
    const display = await loadDisplay(ctx);
    const rotated = await displays.rotate(display.id);
    if (!rotated) throw new NxfError('NXF_NOT_FOUND', 'No such display.', { status: 404 });
    await record(ctx, 'display.rotate', display.name);
    await showList(ctx, { revealed: revealUrl(ctx, rotated.display, rotated.token), rotated: true });
  });

  router.post('/:id/revoke', async (ctx) => {
    const display = await loadDisplay(ctx);
    const revoked = await displays.revoke(display.id);
    if (!revoked) throw new NxfError('NXF_CONFLICT', `${display.name} is revoked already.`, { status: 409 });
    await record(ctx, 'display.revoke', display.name);
    setFlash(ctx, 'success', `Revoked ${display.name}: it shows "display revoked" at its next refresh.`);
    ctx.status = 303;
    ctx.redirect('/admin/displays');
  });

  return router;
}

const themeOptions = displayThemes.map((theme) => ({ value: theme, label: themeLabels[theme] }));

/** A display as its row and edit page show it: its pages by name, its health and its last contact in words. */
function describeDisplay(services: CoreServices, display: Display) {
  const pages = display.pages.map((path) => {
    const state = kioskPageState(services.modules.registry, path);
    return state.available
      ? { path, label: `${state.page.moduleLabel} › ${state.page.label}`, problem: '' }
      : { path, label: path, problem: state.reason };
  });
  const contact = display.lastContact;
  return {
    ...display,
    pageList: pages,
    themeLabel: themeLabels[display.theme],
    health: displayHealth(display),
    browser: contact ? browserLabel(contact.browser) : '',
  };
}

/** A display's settings as its form shows them. */
function formValues(display: Display): Record<string, unknown> {
  return {
    name: display.name,
    pages: display.pages,
    rotateSeconds: String(display.rotateSeconds),
    refreshSeconds: String(display.refreshMs / 1000),
    theme: display.theme,
    rack: display.filter.rack ?? '',
    customer: display.filter.customer ?? '',
  };
}
