import { rolePermissions } from '../../../auth/permissions.js';
import type { AppRouter, AppState } from '../../../http/app-context.js';
import { createRouter } from '../../../http/router.js';
import { requireLogin } from '../../middleware/guards.js';

/** `GET /api/v1/me`: who the caller is — the simplest check that a token works. */
export function meApiRoutes(): AppRouter {
  const router = createRouter({ prefix: '/api/v1' });
  router.get('/me', requireLogin(), (ctx) => {
    const user = ctx.state.user as NonNullable<AppState['user']>;
    ctx.body = {
      user: { id: user.id, username: user.username, role: user.role, permissions: rolePermissions[user.role] },
      authMethod: ctx.state.authMethod,
    };
  });
  return router;
}
