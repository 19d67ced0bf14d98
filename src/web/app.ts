import Koa from 'koa';
import { koaBody } from 'koa-body';
import compress from 'koa-compress';
import zlib from 'node:zlib';
import { NxfError } from '../errors.js';
import type { AppState } from '../http/app-context.js';
import type { CoreServices } from '../core-services.js';
import { authenticate } from './middleware/authenticate.js';
import { csrfProtection } from './middleware/csrf.js';
import { errorHandler } from './middleware/error-handler.js';
import { fragmentETag } from './middleware/fragment-etag.js';
import { healthCheck } from './middleware/health-check.js';
import { moduleUploadPath } from './middleware/module-upload.js';
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
import { isJobRunPath, jobsApiRoutes, runDataBody } from './routes/api/jobs-api.routes.js';
import { profileRoutes } from './routes/profile.routes.js';
import { usersRoutes } from './routes/users.routes.js';
import { displaysRoutes } from './routes/displays.routes.js';
import { kioskAccess } from './kiosk/kiosk-access.js';
import { kioskRoutes } from './kiosk/kiosk.routes.js';
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
 * Builds the Koa application. Order matters: headers, compression and error handling wrap everything; static
 * files and the health check need no session; then who is asking (a user, or a kiosk display), their form body,
 * CSRF, and the routes.
 */
export function createApp(services: CoreServices, extensions: AppExtensions = {}): Koa<AppState> {
  const app = new Koa<AppState>({ proxy: services.config.trustProxy, asyncLocalStorage: services.requests });
  app.keys = [services.keyring.derive('cookies').toString('base64url')];
  // Errors are answered and logged by errorHandler; Koa's default handler would print them a second time.
  app.silent = true;

  app.use(securityHeaders());
  app.use(compression());
  app.use(requestContext(services.logger));
  app.use(errorHandler(services.views));
  app.use(staticFiles());
  app.use(healthCheck(services.db));
  app.use(authenticate(services.sessions, services.apiTokens));
  app.use(kioskAccess(services));
  app.use(bodyParser());
  app.use(
    csrfProtection(services.keyring, {
      // Module pages parse their own multipart bodies (an import form), after this check.
      acceptsQueryToken: (path) => path === moduleUploadPath || services.modules.registry.ownerOf(path) !== undefined,
    }),
  );
  app.use(fragmentETag());
  for (const middleware of extensions.middleware ?? []) app.use(middleware);

  app.use(
    routeBySegment([
      authRoutes(services),
      dashboardRoutes(services),
      usersRoutes(services),
      profileRoutes(services),
      auditRoutes(services),
      displaysRoutes(services),
      kioskRoutes(services),
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

/**
 * Text answers (pages, fragments, JSON, CSS, JavaScript, SVG) compressed when the client accepts it and they are
 * worth it (1 KB): brotli at a quality cheap enough to run per request, else gzip. A 304 has no body to compress.
 */
function compression(): Koa.Middleware<AppState> {
  return compress({
    threshold: 1024,
    br: { params: { [zlib.constants.BROTLI_PARAM_QUALITY]: 5 } },
    gzip: { level: 6 },
    deflate: false,
  }) as unknown as Koa.Middleware<AppState>;
}

/** Form and JSON bodies, parsed only for methods that carry one; a job run's data by the jobs API's own rules. */
function bodyParser(): Koa.Middleware<AppState> {
  const parse = koaBody({
    json: true,
    urlencoded: true,
    multipart: false,
    jsonLimit: '1mb',
    formLimit: '256kb',
    text: false,
    onError: refuseUnreadableBody,
  });
  const parseRunData = runDataBody();
  return (ctx, next) => {
    if (!bodyMethods.has(ctx.method)) return next();
    return isJobRunPath(ctx.path) ? parseRunData(ctx, next) : parse(ctx, next);
  };
}

/**
 * A body that cannot be read is the client's fault: over a limit (413) or malformed JSON keep their status; one
 * that is not what its `Content-Encoding` says (a failure of zlib, which carries no status) is a 400 too.
 */
function refuseUnreadableBody(error: Error & { status?: number }, ctx: Koa.Context): never {
  if (typeof error.status === 'number' && error.status >= 400 && error.status < 500) throw error;
  const encoding = ctx.get('Content-Encoding') || 'identity';
  throw new NxfError('NXF_BAD_REQUEST', `The request body could not be read as ${encoding}.`, {
    status: 400,
    cause: error,
  });
}
const bodyMethods = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);
