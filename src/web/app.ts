import Koa from 'koa';
import { koaBody } from 'koa-body';
import type { AppState, CoreServices } from './app-context.js';
import { authenticate } from './middleware/authenticate.js';
import { csrfProtection } from './middleware/csrf.js';
import { errorHandler } from './middleware/error-handler.js';
import { requestContext } from './middleware/request-context.js';
import { securityHeaders } from './middleware/security-headers.js';
import { staticFiles } from './middleware/static-files.js';
import { authRoutes } from './routes/auth.routes.js';
import { dashboardRoutes } from './routes/dashboard.routes.js';
import { healthRoutes } from './routes/health.routes.js';
import { profileRoutes } from './routes/profile.routes.js';
import { usersRoutes } from './routes/users.routes.js';
import { meApiRoutes } from './routes/api/me.routes.js';
import type { AppRouter } from './app-context.js';

/** Extra routers mounted after the core's (the module dispatcher, the API). */
export interface AppExtensions {
  routers?: AppRouter[];
  middleware?: Koa.Middleware<AppState>[];
}

/**
 * Builds the Koa application. Order matters: headers and error handling wrap everything; static files and the
 * health check need no session; then who is asking, their form body, CSRF, and the routes.
 */
export function createApp(services: CoreServices, extensions: AppExtensions = {}): Koa<AppState> {
  const app = new Koa<AppState>({ proxy: services.config.trustProxy });
  app.keys = [services.keyring.derive('cookies').toString('base64url')];
  // Errors are answered and logged by errorHandler; Koa's default handler would print them a second time.
  app.silent = true;

  app.use(securityHeaders());
  app.use(requestContext(services.logger));
  app.use(errorHandler(services.views));
  app.use(staticFiles());
  const health = healthRoutes(services.db);
  app.use(health.routes());
  app.use(authenticate(services.sessions, services.apiTokens));
  app.use(koaBody({ json: true, urlencoded: true, multipart: false, jsonLimit: '1mb', formLimit: '256kb', text: false }));
  app.use(csrfProtection(services.keyring));
  for (const middleware of extensions.middleware ?? []) app.use(middleware);

  const routers = [
    authRoutes(services),
    dashboardRoutes(services),
    usersRoutes(services),
    profileRoutes(services),
    meApiRoutes(),
    ...(extensions.routers ?? []),
  ];
  for (const router of routers) {
    app.use(router.routes());
    app.use(router.allowedMethods());
  }
  return app;
}
