import { corePermissions } from '../../auth/permissions.js';
import { isNxfError, NxfError } from '../../errors.js';
import { severities, type Severity } from '../../events/event-bus.js';
import { formatDuration, parseDuration } from '../../events/rules/durations.js';
import { verifyRule, type NotificationRule, type RuleInput } from '../../events/rules/rule-store.js';
import type { AppContext, AppRouter } from '../../http/app-context.js';
import { createRouter } from '../../http/router.js';
import type { CoreServices } from '../../core-services.js';
import { audited } from '../audited.js';
import { formFlag, formString } from '../forms.js';
import { requirePermission } from '../middleware/guards.js';
import { redirectWithFlash } from '../render/flash.js';

const base = '/settings/notification-rules';

/** The form's fields as a rule (the quiet period written as `15m`), plus the text to show the form again. */
function readForm(ctx: AppContext): { input: RuleInput; values: Record<string, unknown> } {
  const body = ((ctx.request as { body?: Record<string, unknown> }).body ?? {}) as Record<string, unknown>;
  const channels = ([] as unknown[]).concat(body.channel ?? []).filter((c): c is string => typeof c === 'string');
  const quiet = formString(ctx, 'quiet');
  const input: RuleInput = {
    name: formString(ctx, 'name').trim(),
    eventPattern: formString(ctx, 'eventPattern').trim(),
    minSeverity: formString(ctx, 'minSeverity') as Severity,
    quietSeconds: quiet.trim() === '' ? 0 : parseDuration(quiet),
    enabled: formFlag(ctx, 'enabled'),
    channelIds: channels,
  };
  return { input, values: { ...input, quiet, channelIds: channels } };
}

/** A rule's values for its form. */
const formValues = (rule: NotificationRule) => ({ ...rule, quiet: formatDuration(rule.quietSeconds) });

/**
 * Settings → Notification rules for administrators (`settings:manage`): which events (name pattern and minimum
 * severity) go to which channels, with a quiet period per rule and subject. Errors are shown inline (422).
 */
export function notificationRulesRoutes(services: CoreServices): AppRouter {
  const { audit, views, rules } = services;
  const channels = services.toolkit.notifications.channels;
  const router = createRouter({ prefix: base });
  router.use(requirePermission(corePermissions.settingsManage));

  const formData = async (values: Record<string, unknown>, errors: Record<string, string> = {}) => ({
    values,
    errors,
    channels: await channels.list(),
    severities,
  });

  const showForm = async (
    ctx: AppContext,
    rule: NotificationRule | undefined,
    values: Record<string, unknown>,
    errors = {},
  ) =>
    views.respond(
      ctx,
      { page: 'pages/settings/rules/form', fragment: 'pages/settings/rules/_rule-form' },
      {
        title: rule ? `Edit ${rule.name}` : 'New notification rule',
        status: Object.keys(errors).length > 0 ? 422 : 200,
        rule,
        ...(await formData(values, errors)),
      },
    );

  const loadRule = async (ctx: AppContext) => {
    const rule = await rules.store.get(String(ctx.params.id));
    if (!rule) throw new NxfError('NXF_NOT_FOUND', 'No such notification rule.', { status: 404 });
    return rule;
  };

  /** After a change: back to the list with a message (htmx follows the redirect itself). */
  const backToList = (ctx: AppContext, text: string) => {
    rules.engine.invalidate();
    redirectWithFlash(ctx, base, text);
  };

  const submit = async (ctx: AppContext, rule: NotificationRule | undefined) => {
    const { input, values } = readForm(ctx);
    try {
      verifyRule(
        input,
        (await channels.list()).map((c) => c.id),
      );
      const action = rule ? 'settings.rule_update' : 'settings.rule_create';
      const saved = await audited(audit, ctx, action, input.name, () =>
        rule ? rules.store.update(rule.id, input) : rules.store.create(input),
      );
      backToList(ctx, `${rule ? 'Saved' : 'Created'} the rule "${saved.name}".`);
    } catch (error) {
      if (!isNxfError(error, 'NXF_RULE_INVALID')) throw error;
      await showForm(ctx, rule, values, error.details as Record<string, string>);
    }
  };

  router.get('/', async (ctx) => {
    const [list, quiet, allChannels] = await Promise.all([
      rules.store.list(),
      rules.firings.quietNow(),
      channels.list(),
    ]);
    const names = new Map(allChannels.map((c) => [c.id, c.name]));
    views.page(ctx, 'pages/settings/rules/index', {
      title: 'Notification rules',
      rules: list.map((rule) => ({
        ...rule,
        quiet: formatDuration(rule.quietSeconds),
        channelNames: rule.channelIds.map((id) => names.get(id) ?? 'a deleted channel'),
        quietNow: quiet.get(rule.id),
      })),
      ...(await formData({ minSeverity: 'error', quiet: '1h', enabled: true, channelIds: [] })),
    });
  });

  router.get('/new', (ctx) =>
    showForm(ctx, undefined, { minSeverity: 'error', quiet: '1h', enabled: true, channelIds: [] }),
  );
  router.post('/', (ctx) => submit(ctx, undefined));
  router.get('/:id/edit', async (ctx) => {
    const rule = await loadRule(ctx);
    await showForm(ctx, rule, formValues(rule));
  });
  router.post('/:id', async (ctx) => submit(ctx, await loadRule(ctx)));

  router.post('/:id/delete', async (ctx) => {
    const rule = await loadRule(ctx);
    await audited(audit, ctx, 'settings.rule_delete', rule.name, () => rules.store.delete(rule.id));
    backToList(ctx, `Deleted the rule "${rule.name}".`);
  });

  return router;
}
