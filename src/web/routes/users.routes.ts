import { generatePassword } from '../../auth/passwords.js';
import { corePermissions, isRole, roleNames } from '../../auth/permissions.js';
import type { User } from '../../auth/users.js';
import { isNxfError, NxfError } from '../../errors.js';
import type { AppContext, AppRouter } from '../../http/app-context.js';
import { createRouter } from '../../http/router.js';
import type { CoreServices } from '../../core-services.js';
import type { FlashMessage } from '../render/flash.js';
import { formString } from '../forms.js';
import { requirePermission } from '../middleware/guards.js';
import { setFlash } from '../render/flash.js';
import { isHtmxRequest } from '../render/htmx.js';

/** The administrators' Users page: list, create, change role, disable / enable, reset password. */
export function usersRoutes(services: CoreServices): AppRouter {
  const { users, sessions, apiTokens, audit, views } = services;
  const router = createRouter({ prefix: '/admin/users' });
  router.use(requirePermission(corePermissions.usersManage));

  const showList = async (ctx: AppContext, extra: Record<string, unknown> = {}) =>
    views.respond(
      ctx,
      { page: 'pages/users/index', fragment: 'pages/users/_create-form' },
      { title: 'Users', users: await users.list(), roles: roleNames, values: {}, errors: {}, ...extra },
    );

  /**
   * Reports a change: htmx gets `fragment` with the message in the flash area; a plain form post is redirected
   * to the list with the message — unless it holds a secret (a generated password), which must not sit in a
   * cookie, so the list is rendered directly.
   */
  const done = async (
    ctx: AppContext,
    message: FlashMessage,
    fragment: { template: string; data: Record<string, unknown> },
    options: { secret?: boolean } = {},
  ) => {
    ctx.state.flash.push(message);
    if (isHtmxRequest(ctx)) return views.fragment(ctx, fragment.template, { roles: roleNames, ...fragment.data });
    if (options.secret) return showList(ctx);
    ctx.state.flash.pop();
    setFlash(ctx, message.kind, message.text);
    ctx.status = 303;
    ctx.redirect('/admin/users');
  };

  const row = (u: User) => ({ template: 'pages/users/_row', data: { u } });

  const loadTarget = async (ctx: AppContext): Promise<User> => {
    const id = String(ctx.params.id);
    const target = /^[0-9a-f-]{36}$/i.test(id) ? await users.findById(id) : undefined;
    if (!target) throw new NxfError('NXF_NOT_FOUND', 'No such user.', { status: 404 });
    return target;
  };

  const record = (ctx: AppContext, action: string, target: string, details?: Record<string, unknown>) =>
    audit.record({ action, outcome: 'success', actor: ctx.state.user, target, sourceIp: ctx.ip, details });

  /** An admin may not lock the last enabled admin (possibly themselves) out. */
  const assertNotLastAdmin = async (target: User, change: string) => {
    if (target.role === 'admin' && !target.disabled && (await users.countOtherActiveAdmins(target.id)) === 0) {
      throw new NxfError('NXF_LAST_ADMIN', `Cannot ${change}: ${target.username} is the last enabled administrator.`, {
        status: 409,
      });
    }
  };

  router.get('/', (ctx) => showList(ctx));

  router.post('/', async (ctx) => {
    const values = { username: formString(ctx, 'username').trim(), role: formString(ctx, 'role') };
    const typed = formString(ctx, 'password');
    const generated = typed === '' ? generatePassword() : undefined;
    let created: User;
    try {
      created = await users.create({ ...values, password: generated ?? typed });
    } catch (error) {
      if (!isNxfError(error) || error.status >= 500) throw error;
      await audit.record({
        action: 'user.create',
        outcome: 'failure',
        actor: ctx.state.user,
        target: values.username,
        sourceIp: ctx.ip,
        details: { error: error.message },
      });
      return showList(ctx, { status: 422, values, errors: (error.details as Record<string, string>) ?? {} });
    }
    await record(ctx, 'user.create', created.username, { role: created.role });
    const text = generated
      ? `Created ${created.username}. Their password is ${generated} — it is shown only once.`
      : `Created ${created.username}.`;
    await done(
      ctx,
      { kind: 'success', text },
      { template: 'pages/users/_create-form', data: { values: {}, errors: {}, created } },
      { secret: generated !== undefined },
    );
  });

  router.post('/:id/role', async (ctx) => {
    const target = await loadTarget(ctx);
    const role = formString(ctx, 'role');
    if (!isRole(role)) {
      throw new NxfError('NXF_VALIDATION', 'Choose admin, operator or viewer.', { status: 422 });
    }
    if (role !== 'admin') await assertNotLastAdmin(target, 'change the role');
    await users.setRole(target.id, role);
    await record(ctx, 'user.role_change', target.username, { from: target.role, to: role });
    await done(ctx, { kind: 'success', text: `${target.username} is now ${role}.` }, row({ ...target, role }));
  });

  for (const disabled of [true, false]) {
    router.post(`/:id/${disabled ? 'disable' : 'enable'}`, async (ctx) => {
      const target = await loadTarget(ctx);
      if (disabled) await assertNotLastAdmin(target, 'disable the account');
      await users.setDisabled(target.id, disabled);
      // A disabled user is signed out everywhere at once, not when their session would have expired.
      if (disabled) await sessions.destroyForUser(target.id);
      await record(ctx, disabled ? 'user.disable' : 'user.enable', target.username);
      const text = `${target.username} is ${disabled ? 'disabled and signed out' : 'enabled'}.`;
      await done(ctx, { kind: 'success', text }, row({ ...target, disabled }));
    });
  }

  router.post('/:id/password', async (ctx) => {
    const target = await loadTarget(ctx);
    const password = generatePassword();
    await users.setPassword(target.id, password);
    // A reset is what an administrator does when the account may be in other hands: nothing it gave out stays valid.
    await sessions.destroyForUser(target.id);
    const tokensRevoked = await apiTokens.revokeAllForUser(target.id);
    await record(ctx, 'user.password_reset', target.username, { tokensRevoked });
    const revokedText =
      tokensRevoked > 0 ? ` and ${tokensRevoked} API token${tokensRevoked > 1 ? 's' : ''} revoked` : '';
    const text =
      `New password for ${target.username}: ${password} — it is shown only once. ` +
      `They were signed out${revokedText}.`;
    await done(ctx, { kind: 'success', text }, row(target), { secret: true });
  });

  return router;
}
