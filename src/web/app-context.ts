import type Koa from 'koa';
import type Router from '@koa/router';
import type { AuditLog } from '../audit/audit-log.js';
import type { ApiTokenStore } from '../auth/api-tokens.js';
import type { LoginThrottle } from '../auth/login-throttle.js';
import type { AuthenticatedUser, SessionStore } from '../auth/sessions.js';
import type { UserStore } from '../auth/users.js';
import type { Config } from '../config.js';
import type { Database } from '../db/database.js';
import type { Keyring } from '../keyring.js';
import type { Logger } from '../logger.js';
import type { NavigationRegistry } from './navigation.js';
import type { FlashMessage } from './render/flash.js';
import type { ViewRenderer } from './render/views.js';

/** What the middleware chain learns about a request, available to every handler as `ctx.state`. */
export interface AppState {
  requestId: string;
  /** Logger carrying the request id. */
  log: Logger;
  /** The signed-in user, when there is one. */
  user?: AuthenticatedUser;
  /** How the user was authenticated: a browser session or a personal API token. */
  authMethod?: 'session' | 'token';
  /** The session cookie's value, for ending the session at logout. */
  sessionToken?: string;
  /** The CSRF token for forms and htmx requests of this client. */
  csrfToken: string;
  /** Messages to show with this response (those queued by a redirect are read from their cookie when rendering). */
  flash: FlashMessage[];
}

export type AppContext = Koa.ParameterizedContext<AppState>;
export type AppMiddleware = Koa.Middleware<AppState>;
export type AppRouter = Router<AppState>;

/** The core's parts, built once at start and handed to the web layer. */
export interface CoreServices {
  config: Config;
  logger: Logger;
  db: Database;
  keyring: Keyring;
  users: UserStore;
  sessions: SessionStore;
  apiTokens: ApiTokenStore;
  throttle: LoginThrottle;
  audit: AuditLog;
  views: ViewRenderer;
  navigation: NavigationRegistry;
}
