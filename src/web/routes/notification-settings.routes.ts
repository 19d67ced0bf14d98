import { corePermissions } from '../../auth/permissions.js';
import { isNxfError, NxfError } from '../../errors.js';
import type { ChannelStore, StoredChannel } from '../../services/notifications/channel-store.js';
import { channelDriver, channelDrivers } from '../../services/notifications/channels/index.js';
import type { ChannelDriver } from '../../services/notifications/channels/channel-driver.js';
import type { DeliveryResult } from '../../services/notifications/notification.service.js';
import type { AppContext, AppRouter } from '../../http/app-context.js';
import { createRouter } from '../../http/router.js';
import type { CoreServices } from '../../core-services.js';
import { formFlag, formString } from '../forms.js';
import { requirePermission } from '../middleware/guards.js';
import { redirectWithFlash, setFlash } from '../render/flash.js';
import { isHtmxRequest } from '../render/htmx.js';

const base = '/settings/notifications';

/** A channel as the list shows it: where it delivers, without secrets. */
function listed(channel: StoredChannel) {
  return {
    ...channel,
    label: channelDriver(channel.type).label,
    target: channelDriver(channel.type).describe(channel.settings),
  };
}

/** The form's values: name, enabled and the type's fields (prefixed `cfg_` so they never clash with ours). */
function readForm(ctx: AppContext, driver: ChannelDriver) {
  const values: Record<string, string> = {};
  for (const field of driver.fields) values[field.name] = formString(ctx, `cfg_${field.name}`);
  return { name: formString(ctx, 'name'), enabled: formFlag(ctx, 'enabled'), values };
}

/** Settings → Notifications for administrators: channels (list, create, edit, delete, send test) and deliveries. */
export function notificationSettingsRoutes(services: CoreServices): AppRouter {
  const { audit, views } = services;
  const { notifications } = services.toolkit;
  const channels: ChannelStore = notifications.channels;
  const router = createRouter({ prefix: base });
  router.use(requirePermission(corePermissions.settingsManage));

  const record = (
    ctx: AppContext,
    action: string,
    channel: { name: string; type: string },
    extra: Record<string, unknown> = {},
    outcome: 'success' | 'failure' = 'success',
  ) =>
    audit.record({
      action,
      outcome,
      actor: ctx.state.user,
      target: channel.name,
      sourceIp: ctx.ip,
      details: { type: channel.type, ...extra },
    });

  const loadChannel = async (ctx: AppContext) => {
    const channel = await channels.get(String(ctx.params.id));
    if (!channel) throw new NxfError('NXF_NOT_FOUND', 'No such notification channel.', { status: 404 });
    return channel;
  };

  const showForm = (
    ctx: AppContext,
    form: {
      driver: ChannelDriver;
      channel?: StoredChannel;
      values: Record<string, unknown>;
      errors?: Record<string, string>;
      status?: number;
    },
  ) =>
    views.respond(
      ctx,
      { page: 'pages/settings/notifications/form', fragment: 'pages/settings/notifications/_channel-form' },
      {
        title: form.channel ? `Edit ${form.channel.name}` : `New ${form.driver.label} channel`,
        status: form.status,
        driver: form.driver,
        channel: form.channel,
        values: form.values,
        errors: form.errors ?? {},
      },
    );

  /** After a change: back to the list with a message (htmx follows the redirect itself). */
  const backToList = (ctx: AppContext, text: string) => redirectWithFlash(ctx, base, text);

  /** Saves through `save`; a validation failure re-renders the form with the errors inline (422). */
  const submit = async (
    ctx: AppContext,
    driver: ChannelDriver,
    channel: StoredChannel | undefined,
    save: (form: ReturnType<typeof readForm>) => Promise<StoredChannel>,
  ) => {
    const form = readForm(ctx, driver);
    try {
      const saved = await save(form);
      await record(ctx, channel ? 'settings.channel_update' : 'settings.channel_create', saved, {
        enabled: saved.enabled,
      });
      backToList(ctx, `${channel ? 'Saved' : 'Created'} the channel "${saved.name}".`);
    } catch (error) {
      if (!isNxfError(error, 'NXF_CHANNEL_CONFIG')) throw error;
      showForm(ctx, {
        driver,
        channel,
        values: { ...form.values, name: form.name, enabled: form.enabled },
        errors: error.details as Record<string, string>,
        status: 422,
      });
    }
  };

  router.get('/', async (ctx) => {
    const lastTests = await notifications.deliveries.lastTests();
    views.page(ctx, 'pages/settings/notifications/index', {
      title: 'Notifications',
      channels: (await channels.list()).map((channel) => ({ ...listed(channel), lastTest: lastTests.get(channel.id) })),
      deliveries: await notifications.deliveries.recent({ limit: 20 }),
      drivers: Object.values(channelDrivers),
    });
  });

  router.get('/new/:type', (ctx) => {
    if (!Object.hasOwn(channelDrivers, String(ctx.params.type))) {
      throw new NxfError('NXF_NOT_FOUND', 'There is no such channel type (email, webhook, slack).', { status: 404 });
    }
    const driver = channelDriver(String(ctx.params.type));
    const values = Object.fromEntries(driver.fields.map((field) => [field.name, field.default]));
    showForm(ctx, { driver, values: { ...values, enabled: true } });
  });

  router.post('/', async (ctx) => {
    const driver = channelDriver(formString(ctx, 'type'));
    await submit(ctx, driver, undefined, (form) => channels.create({ ...form, type: driver.type }));
  });

  router.get('/:id/edit', async (ctx) => {
    const channel = await loadChannel(ctx);
    showForm(ctx, {
      driver: channelDriver(channel.type),
      channel,
      values: { ...channel.settings, name: channel.name, enabled: channel.enabled },
    });
  });

  router.post('/:id', async (ctx) => {
    const channel = await loadChannel(ctx);
    await submit(ctx, channelDriver(channel.type), channel, (form) => channels.update(channel.id, form));
  });

  router.post('/:id/delete', async (ctx) => {
    const channel = await loadChannel(ctx);
    await channels.delete(channel.id);
    await record(ctx, 'settings.channel_delete', channel);
    if (!isHtmxRequest(ctx)) return backToList(ctx, `Deleted the channel "${channel.name}".`);
    ctx.state.flash.push({ kind: 'success', text: `Deleted the channel "${channel.name}".` });
    views.send(ctx, '', { title: 'Notifications' });
  });

  router.post('/:id/test', async (ctx) => {
    const channel = await loadChannel(ctx);
    const result = await notifications.sendTest(channel.id, ctx.state.user?.username ?? 'an administrator');
    await record(
      ctx,
      'settings.channel_test',
      channel,
      { attempts: result.attempts, error: result.error },
      result.success ? 'success' : 'failure',
    );
    if (!isHtmxRequest(ctx)) {
      setFlash(ctx, result.success ? 'success' : 'error', describeTest(channel, result));
      ctx.status = 303;
      ctx.redirect(base);
      return;
    }
    views.fragment(ctx, 'pages/settings/notifications/_test-result', {
      result,
      text: describeTest(channel, result),
      summary: summariseTest(result),
      deliveries: await notifications.deliveries.recent({ limit: 20 }),
    });
  });

  return router;
}

/** How a test went, short enough for a table cell: "answer 200 · 1 attempt", or the error. */
function summariseTest(result: DeliveryResult): string {
  const parts = [
    result.responseStatus ? `answer ${result.responseStatus}` : '',
    `${result.attempts} attempt${result.attempts === 1 ? '' : 's'}`,
  ];
  const summary = parts.filter(Boolean).join(' · ');
  return result.success ? summary : `${summary}: ${result.error}`;
}

/** One sentence on how a test went. */
function describeTest(channel: StoredChannel, result: DeliveryResult): string {
  const tries = `${result.attempts} attempt${result.attempts === 1 ? '' : 's'}`;
  const answer = result.responseStatus ? ` (answer ${result.responseStatus})` : '';
  return result.success
    ? `Test message delivered to "${channel.name}"${answer} after ${tries}.`
    : `Test message to "${channel.name}" failed after ${tries}${answer}: ${result.error} (${result.errorCode})`;
}
