import Koa from 'koa';
import { koaBody } from 'koa-body';
import type { AppState } from '../http/app-context.js';
import type { CoreServices } from '../core-services.js';
import { authenticate } from './middleware/authenticate.js';
import { csrfProtection } from './middleware/csrf.js';
import { errorHandler } from './middleware/error-handler.js';
import { healthCheck } from './middleware/health-check.js';
import { requestContext } from './middleware/request-context.js';
import { securityHeaders } from './middleware/security-headers.js';
import { staticFiles } from './middleware/static-files.js';
import { auditRoutes } from './routes/audit.routes.js';
import { authRoutes } from './routes/auth.routes.js';
import { dashboardRoutes } from './routes/dashboard.routes.js';
import { notificationSettingsRoutes } from './routes/notification-settings.routes.js';
import { notificationRulesRoutes } from './routes/notification-rules.routes.js';
import { eventsRoutes } from './routes/events.routes.js';
import { executionsRoutes } from './routes/jobs/executions.routes.js';
import { jobsRoutes } from './routes/jobs/jobs.routes.js';
import { executionsApiRoutes } from './routes/api/executions-api.routes.js';
import { jobsApiRoutes } from './routes/api/jobs-api.routes.js';
import { profileRoutes } from './routes/profile.routes.js';
import { usersRoutes } from './routes/users.routes.js';
import { moduleDetailRoutes } from './routes/modules/module-detail.routes.js';
import { moduleListRoutes } from './routes/modules/module-list.routes.js';
import { moduleSettingsRoutes } from './routes/modules/module-settings.routes.js';
import { meApiRoutes } from './routes/api/me.routes.js';
import { modulesApiRoutes } from './routes/api/modules-api.routes.js';
import type { AppRouter } from '../http/app-context.js';
import { routeBySegment } from './route-by-segment.js';

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
  const app = new Koa<AppState>({ proxy: services.config.trustProxy, asyncLocalStorage: services.requests });
  app.keys = [services.keyring.derive('cookies').toString('base64url')];
  // Errors are answered and logged by errorHandler; Koa's default handler would print them a second time.
  app.silent = true;

  app.use(securityHeaders());
  app.use(requestContext(services.logger));
  app.use(errorHandler(services.views));
  app.use(staticFiles());
  app.use(healthCheck(services.db));
  app.use(authenticate(services.sessions, services.apiTokens));
  app.use(bodyParser());
  app.use(csrfProtection(services.keyring));
  for (const middleware of extensions.middleware ?? []) app.use(middleware);

  app.use(
    routeBySegment([
      authRoutes(services),
      dashboardRoutes(services),
      usersRoutes(services),
      profileRoutes(services),
      auditRoutes(services),
      moduleListRoutes(services),
      moduleSettingsRoutes(services),
      moduleDetailRoutes(services),
      notificationSettingsRoutes(services),
      notificationRulesRoutes(services),
      jobsRoutes(services),
      executionsRoutes(services),
      eventsRoutes(services),
      meApiRoutes(),
      modulesApiRoutes(services),
      jobsApiRoutes(services),
      executionsApiRoutes(services),
      ...(extensions.routers ?? []),
    ]),
  );
  return app;
}

/** Form and JSON bodies, parsed only for methods that carry one. */
function bodyParser(): Koa.Middleware<AppState> {
  const parse = koaBody({
    json: true,
    urlencoded: true,
    multipart: false,
    jsonLimit: '1mb',
    formLimit: '256kb',
    text: false,
  });
  return (ctx, next) => (bodyMethods.has(ctx.method) ? parse(ctx, next) : next());
}
const bodyMethods = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);
