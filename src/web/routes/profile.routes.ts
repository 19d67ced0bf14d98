import { verifyPassword } from '../../auth/passwords.js';
import { validatePassword } from '../../auth/users.js';
import { isNxfError, NxfError } from '../../errors.js';
import type { AppContext, AppRouter, AppState } from '../../http/app-context.js';
import { createRouter } from '../../http/router.js';
import type { CoreServices } from '../../core-services.js';
import { formString } from '../forms.js';
import { setSessionCookie } from '../middleware/authenticate.js';
import { requireLogin } from '../middleware/guards.js';
import { setFlash } from '../render/flash.js';
import { isHtmxRequest } from '../render/htmx.js';

/** Every user's own page: change password, personal API tokens. */
export function profileRoutes(services: CoreServices): AppRouter {
  const { users, sessions, apiTokens, audit, views } = services;
  const router = createRouter({ prefix: '/profile' });
  router.use(requireLogin());

  const me = (ctx: AppContext) => ctx.state.user as NonNullable<AppState['user']>;

  const showProfile = async (ctx: AppContext, extra: Record<string, unknown> = {}) =>
    views.page(ctx, 'pages/profile/index', {
      title: 'Your profile',
      tokens: await apiTokens.listForUser(me(ctx).id),
      passwordErrors: {},
      tokenErrors: {},
      ...extra,
    });

  const showTokens = async (ctx: AppContext, extra: Record<string, unknown> = {}) =>
    views.respond(
      ctx,
      { page: 'pages/profile/index', fragment: 'pages/profile/_tokens' },
      {
        title: 'Your profile',
        tokens: await apiTokens.listForUser(me(ctx).id),
        passwordErrors: {},
        tokenErrors: {},
        ...extra,
      },
    );

  router.get('/', (ctx) => showProfile(ctx));

  router.post('/password', async (ctx) => {
    const user = me(ctx);
    const current = formString(ctx, 'current');
    const next = formString(ctx, 'password');
    const errors: Record<string, string> = {};
    const found = await users.findForLogin(user.username);
    if (!found || !(await verifyPassword(found.passwordHash, current)))
      errors.current = 'This is not your current password.';
    const weak = validatePassword(next);
    if (weak) errors.password = weak;
    if (next !== formString(ctx, 'confirm')) errors.confirm = 'The two new passwords differ.';
    if (Object.keys(errors).length > 0) {
      return views.respond(
        ctx,
        { page: 'pages/profile/index', fragment: 'pages/profile/_password-form' },
        {
          title: 'Your profile',
          status: 422,
          passwordErrors: errors,
          tokenErrors: {},
          tokens: await apiTokens.listForUser(user.id),
        },
      );
    }
    await users.setPassword(user.id, next);
    // Other browsers signed in as this user are signed out; this one gets a fresh session below.
    await sessions.destroyForUser(user.id);
    setSessionCookie(ctx, await sessions.create(user.id, { sourceIp: ctx.ip, userAgent: ctx.get('User-Agent') }));
    await audit.record({
      action: 'user.password_change',
      outcome: 'success',
      actor: user,
      target: user.username,
      sourceIp: ctx.ip,
    });
    setFlash(ctx, 'success', 'Your password has been changed; other sessions were signed out.');
    // The session changed, so the page's CSRF token did too: reload the whole page.
    if (isHtmxRequest(ctx)) {
      ctx.set('HX-Redirect', '/profile');
      ctx.status = 204;
      return;
    }
    ctx.status = 303;
    ctx.redirect('/profile');
  });

  router.post('/tokens', async (ctx) => {
    const user = me(ctx);
    const name = formString(ctx, 'name');
    try {
      const { token, record } = await apiTokens.create(user.id, name);
      await audit.record({
        action: 'token.create',
        outcome: 'success',
        actor: user,
        target: record.name,
        sourceIp: ctx.ip,
      });
      ctx.state.flash.push({
        kind: 'success',
        text: `Token "${record.name}" created. Copy it now: it is shown only once.`,
      });
      await showTokens(ctx, { newToken: token });
    } catch (error) {
      if (!isNxfError(error, 'NXF_VALIDATION')) throw error;
      await showTokens(ctx, { status: 422, tokenErrors: error.details, tokenName: name });
    }
  });

  router.post('/tokens/:id/revoke', async (ctx) => {
    const user = me(ctx);
    const revoked = await apiTokens.revoke(user.id, String(ctx.params.id));
    if (!revoked) throw new NxfError('NXF_NOT_FOUND', 'No such active token.', { status: 404 });
    await audit.record({
      action: 'token.revoke',
      outcome: 'success',
      actor: user,
      target: revoked.name,
      sourceIp: ctx.ip,
    });
    ctx.state.flash.push({ kind: 'success', text: `Token "${revoked.name}" revoked.` });
    await showTokens(ctx);
  });

  return router;
}
