import { AsyncLocalStorage } from 'node:async_hooks';
import path from 'node:path';
import { AuditLog } from './audit/audit-log.js';
import { ApiTokenStore } from './auth/api-tokens.js';
import { bootstrapAdmin } from './auth/bootstrap-admin.js';
import { LoginThrottle, type ThrottlePolicy } from './auth/login-throttle.js';
import { SessionStore } from './auth/sessions.js';
import { UserStore } from './auth/users.js';
import type { Config } from './config.js';
import type { Database } from './db/database.js';
import { ModuleRoles } from './db/module-roles.js';
import { DatabaseNotifications } from './db/notifications.js';
import { DisplayStore } from './displays/display-store.js';
import { EventBus } from './events/event-bus.js';
import { EventStore } from './events/event-store.js';
import { RuleEngine } from './events/rules/rule-engine.js';
import { RuleFiringStore } from './events/rules/rule-firings.js';
import { RuleStore } from './events/rules/rule-store.js';
import { emitNotificationFailure } from './events/notification-events.js';
import { emitScrapeFailure } from './events/scrape-events.js';
import { ExecutionTracker } from './jobs/execution-tracker.js';
import { Scheduler, type SchedulerTuning } from './jobs/scheduler.js';
import type { Keyring } from './keyring.js';
import type { Logger } from './logger.js';
import { schedulerHooks } from './modules/job-hooks.js';
import { ModuleInstaller } from './modules/install/module-installer.js';
import { defaultZipLimits, type ZipLimits } from './modules/install/zip-archive.js';
import { ModuleManager } from './modules/module-manager.js';
import { createCoreServiceSet, type CoreServiceSet, type CoreServiceSetOptions } from './services/core-service-set.js';
import { createModuleServices } from './services/module-services.js';
import type { AppContext } from './http/app-context.js';
import { corePaths } from './paths.js';
import { coreNavigation } from './web/core-navigation.js';
import { addModulesToNavigation } from './web/module-navigation.js';
import { NavigationRegistry } from './web/navigation.js';
import { createEta } from './web/render/eta.js';
import { moduleAssetResolver } from './web/static-assets.js';
import { ViewRenderer } from './web/render/views.js';

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
  /** Kiosk displays and their URL tokens. */
  displays: DisplayStore;
  views: ViewRenderer;
  navigation: NavigationRegistry;
  /** The request being served: the web app runs every request in it (Koa's `asyncLocalStorage`). */
  requests: AsyncLocalStorage<AppContext>;
  events: EventBus;
  modules: ModuleManager;
  /** Each module's PostgreSQL role (or none, when NxForge's database user may not create roles). */
  moduleRoles: ModuleRoles;
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

/** Knobs for tests and embedding; production uses the defaults. */
export interface CoreServiceOptions {
  throttlePolicy?: ThrottlePolicy;
  /** Where bundled modules are found (default `modules/`). */
  bundledModulesDir?: string;
  /** Browser pool limits and retry backoff of the core services. */
  services?: CoreServiceSetOptions;
  /** Limits on uploaded module archives (defaults: 50 MB upload, 5000 entries, 200 MB unpacked). */
  moduleLimits?: Partial<ZipLimits> & { maxUploadBytes?: number };
  /** Job timings (retry backoff, grace periods, worker heap limit). */
  jobs?: SchedulerTuning;
  /** How long a module's `setup` may take (default 30 s). */
  moduleSetupTimeoutMs?: number;
}

/** Largest module archive accepted for upload. */
export const defaultUploadLimitBytes = 50 * 1024 * 1024;

/**
 * Builds the core's parts on an open, migrated database: auth stores, navigation and views, the event bus (every
 * event stored, notification rules applied), the scheduler and the module manager, whose modules' jobs the
 * scheduler follows. Creates the first administrator on first boot. Nothing runs yet: `scheduler.start()` and
 * `modules.start()` do that once the web app can serve.
 */
export async function createCoreServices(
  config: Config,
  db: Database,
  logger: Logger,
  keyring: Keyring,
  options: CoreServiceOptions = {},
): Promise<CoreServices> {
  const notifications = new DatabaseNotifications(db, logger);
  await notifications.start();
  const sessions = new SessionStore(db, notifications);
  await sessions.listenForEvictions();
  const users = new UserStore(db, (userId) => sessions.forgetUser(userId));
  await bootstrapAdmin(users, logger, config.adminPassword);

  const navigation = new NavigationRegistry();
  navigation.add(...coreNavigation);
  const views = new ViewRenderer(createEta(corePaths.views), navigation);
  const requests = new AsyncLocalStorage<AppContext>();
  const events = new EventBus(logger);
  const eventStore = new EventStore(db);
  events.addRecorder((event) => eventStore.record(event));
  const toolkit = createCoreServiceSet(
    {
      config,
      logger,
      db,
      keyring,
      onNotificationFailure: (result, notification) => void emitNotificationFailure(events, result, notification),
    },
    options.services,
  );
  const rules = { store: new RuleStore(db), firings: new RuleFiringStore(db) };
  const ruleEngine = new RuleEngine(rules.store, rules.firings, toolkit.notifications, logger);
  events.addRecorder((event) => ruleEngine.handle(event));
  const moduleRoles = await ModuleRoles.open(db, logger);
  const audit = new AuditLog(db);
  const modules = new ModuleManager({
    db,
    roles: moduleRoles,
    logger,
    events,
    notifications,
    loader: {
      events,
      views,
      servicesFor: (module, capabilities) =>
        createModuleServices(
          { toolkit, logger, onScrape: (name, config, report) => void emitScrapeFailure(events, name, config, report) },
          module,
          capabilities,
        ),
      viewEngine: (viewsDir, module) =>
        createEta(viewsDir, { assets: moduleAssetResolver(module.name, module.publicDir) }),
      currentRequest: () => requests.getStore(),
      audit,
      setupTimeoutMs: options.moduleSetupTimeoutMs,
    },
    bundledDir: options.bundledModulesDir ?? corePaths.bundledModules,
  });
  const installer = new ModuleInstaller(modules, path.join(config.dataDir, 'modules'), {
    ...defaultZipLimits,
    ...options.moduleLimits,
  });
  addModulesToNavigation(navigation, modules.registry);
  // A purged module's stored files (screenshots, exports) are part of its data.
  modules.addHooks({ purged: (name) => toolkit.storage.deleteModule(name) });
  const executions = new ExecutionTracker(db, logger);
  const scheduler = new Scheduler({
    db,
    logger,
    events,
    tracker: executions,
    toolkit,
    storageRoot: toolkit.storage.root,
    credentialsKey: keyring.derive('credentials'),
    moduleStatus: async (name) => (await modules.store.get(name))?.status,
    tuning: options.jobs,
  });
  modules.addHooks(schedulerHooks(scheduler));

  return {
    config,
    logger,
    db,
    moduleRoles,
    keyring,
    users,
    sessions,
    notifications,
    apiTokens: new ApiTokenStore(db),
    throttle: new LoginThrottle(db, options.throttlePolicy),
    audit,
    displays: new DisplayStore(db),
    views,
    navigation,
    requests,
    events,
    modules,
    installer,
    uploadLimitBytes: options.moduleLimits?.maxUploadBytes ?? defaultUploadLimitBytes,
    toolkit,
    scheduler,
    executions,
    eventStore,
    rules: { ...rules, engine: ruleEngine },
  };
}
