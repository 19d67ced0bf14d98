import { DeviceCookies } from '../../auth/device-cookies.js';
import { verifyDecoy, verifyPassword } from '../../auth/passwords.js';
import type { AppContext, AppRouter } from '../../http/app-context.js';
import { createRouter } from '../../http/router.js';
import type { CoreServices } from '../../core-services.js';
import { clearSessionCookie, deviceCookie, setDeviceCookie, setSessionCookie } from '../middleware/authenticate.js';
import { setFlash } from '../render/flash.js';
import { formString } from '../forms.js';

/** Only paths on this server: `/x` but not `//host` or `/\host`, which browsers treat as other origins. */
export function safeNextPath(next: unknown): string {
  return typeof next === 'string' && /^\/(?![/\\])/.test(next) ? next : '/';
}

/** Sign-in and sign-out. */
export function authRoutes(services: CoreServices): AppRouter {
  const { users, sessions, throttle, audit, views } = services;
  const devices = new DeviceCookies(services.keyring);
  const router = createRouter();

  const showLogin = (ctx: AppContext, status: number, error?: string, username = '') =>
    views.page(ctx, 'pages/login', {
      title: 'Sign in',
      status,
      error,
      username,
      next: safeNextPath(ctx.query.next ?? formString(ctx, 'next')),
    });

  router.get('/login', (ctx) => {
    if (ctx.state.user) return ctx.redirect(safeNextPath(ctx.query.next));
    showLogin(ctx, 200);
  });

  router.post('/login', async (ctx) => {
    const username = formString(ctx, 'username').trim().slice(0, 200);
    const password = formString(ctx, 'password').slice(0, 1024);
    const sourceIp = ctx.ip;
    const failed = async (reason: string, status: number, message: string) => {
      await audit.record({
        action: 'auth.login',
        outcome: 'failure',
        actorName: username,
        sourceIp,
        details: { reason },
      });
      showLogin(ctx, status, message, username);
    };

    if (username === '' || password === '') return failed('empty', 400, 'Enter your username and password.');
    const found = await users.findForLogin(username);
    const deviceId = found && devices.deviceId(ctx.cookies.get(deviceCookie), found.user.id);
    const attempt = await throttle.begin({ username, address: sourceIp, deviceId });
    if (attempt.lockedUntil) {
      const minutes = Math.max(1, Math.ceil((attempt.lockedUntil.getTime() - Date.now()) / 60_000));
      ctx.set('Retry-After', String(minutes * 60));
      return failed(
        'locked',
        429,
        `Too many failed sign-in attempts. Try again in ${minutes} minute${minutes > 1 ? 's' : ''}.`,
      );
    }
    if (attempt.delayMs > 0) await new Promise((resolve) => setTimeout(resolve, attempt.delayMs));

    const passwordOk = found
      ? await verifyPassword(found.passwordHash, password)
      : (await verifyDecoy(password), false);
    if (!found || !passwordOk) return failed('bad-credentials', 401, 'Incorrect username or password.');
    await attempt.succeeded();
    if (found.user.disabled) return failed('disabled', 403, 'This account is disabled. Ask an administrator.');

    setDeviceCookie(ctx, devices.issue(found.user.id));
    const token = await sessions.create(found.user.id, { sourceIp, userAgent: ctx.get('User-Agent') });
    setSessionCookie(ctx, token);
    await users.recordLogin(found.user.id);
    await audit.record({ action: 'auth.login', outcome: 'success', actor: found.user, sourceIp });
    ctx.status = 303;
    ctx.redirect(safeNextPath(formString(ctx, 'next')));
  });

  router.post('/logout', async (ctx) => {
    const { user, sessionToken } = ctx.state;
    if (sessionToken) await sessions.destroy(sessionToken);
    clearSessionCookie(ctx);
    if (user) await audit.record({ action: 'auth.logout', outcome: 'success', actor: user, sourceIp: ctx.ip });
    setFlash(ctx, 'info', 'You have signed out.');
    ctx.status = 303;
    ctx.redirect('/login');
  });

  return router;
}
