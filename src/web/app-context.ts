import type Koa from 'koa';
import type Router from '@koa/router';
import type { AuditLog } from '../audit/audit-log.js';
import type { ApiTokenStore } from '../auth/api-tokens.js';
import type { LoginThrottle } from '../auth/login-throttle.js';
import type { SessionStore } from '../auth/sessions.js';
import type { UserStore } from '../auth/users.js';
import type { Config } from '../config.js';
import type { Database } from '../db/database.js';
import type { DatabaseNotifications } from '../db/notifications.js';
import type { EventBus } from '../events/event-bus.js';
import type { EventStore } from '../events/event-store.js';
import type { RuleEngine } from '../events/rules/rule-engine.js';
import type { RuleFiringStore } from '../events/rules/rule-firings.js';
import type { RuleStore } from '../events/rules/rule-store.js';
import type { ExecutionTracker } from '../jobs/execution-tracker.js';
import type { Scheduler } from '../jobs/scheduler.js';
import type { Keyring } from '../keyring.js';
import type { Logger } from '../logger.js';
import type { ModuleInstaller } from '../modules/install/module-installer.js';
import type { ModuleManager } from '../modules/module-manager.js';
import type { CoreServiceSet } from '../services/core-service-set.js';
import type { NavigationRegistry } from './navigation.js';
import type { ViewRenderer } from './render/views.js';
import type { RequestState } from './request-state.js';

/** What the middleware chain learns about a request (`ctx.state`). */
export type AppState = RequestState;

export type AppContext = Koa.ParameterizedContext<AppState>;
export type AppMiddleware = Koa.Middleware<AppState>;
export type AppRouter = Router<AppState>;

/** The core's parts, built once at start and handed to the web layer. */
export interface CoreServices {
  config: Config;
  logger: Logger;
  db: Database;
  /** LISTEN/NOTIFY between processes sharing the database. */
  notifications: DatabaseNotifications;
  keyring: Keyring;
  users: UserStore;
  sessions: SessionStore;
  apiTokens: ApiTokenStore;
  throttle: LoginThrottle;
  audit: AuditLog;
  views: ViewRenderer;
  navigation: NavigationRegistry;
  events: EventBus;
  modules: ModuleManager;
  installer: ModuleInstaller;
  /** Largest module archive accepted for upload, in bytes. */
  uploadLimitBytes: number;
  /** Scraping, HTTP, storage and notifications; modules get them through `createModuleServices`. */
  toolkit: CoreServiceSet;
  /** Jobs of modules and of the core, each run in a worker thread. */
  scheduler: Scheduler;
  /** Every run of every job, with its log. */
  executions: ExecutionTracker;
  /** Every event, kept for the retention period. */
  eventStore: EventStore;
  /** Notification rules, their quiet periods, and the engine applying them to events. */
  rules: { store: RuleStore; firings: RuleFiringStore; engine: RuleEngine };
}
