import path from 'node:path';
import { AuditLog } from './audit/audit-log.js';
import { ApiTokenStore } from './auth/api-tokens.js';
import { bootstrapAdmin } from './auth/bootstrap-admin.js';
import { LoginThrottle, type ThrottlePolicy } from './auth/login-throttle.js';
import { SessionStore } from './auth/sessions.js';
import { UserStore } from './auth/users.js';
import type { Config } from './config.js';
import type { Database } from './db/database.js';
import { DatabaseNotifications } from './db/notifications.js';
import { EventBus } from './events/event-bus.js';
import type { Keyring } from './keyring.js';
import type { Logger } from './logger.js';
import { addModulesToNavigation } from './modules/module-navigation.js';
import { ModuleInstaller } from './modules/install/module-installer.js';
import { defaultZipLimits, type ZipLimits } from './modules/install/zip-archive.js';
import { ModuleManager } from './modules/module-manager.js';
import { createCoreServiceSet, type CoreServiceSetOptions } from './services/core-service-set.js';
import { createModuleServices } from './services/module-services.js';
import { corePaths } from './paths.js';
import type { CoreServices } from './web/app-context.js';
import { coreNavigation } from './web/core-navigation.js';
import { NavigationRegistry } from './web/navigation.js';
import { createEta } from './web/render/eta.js';
import { ViewRenderer } from './web/render/views.js';

/** Knobs for tests and embedding; production uses the defaults. */
export interface CoreServiceOptions {
  throttlePolicy?: ThrottlePolicy;
  /** Where bundled modules are found (default `modules/`). */
  bundledModulesDir?: string;
  /** Browser pool limits and retry backoff of the core services. */
  services?: CoreServiceSetOptions;
  /** Limits on uploaded module archives (defaults: 50 MB upload, 5000 entries, 200 MB unpacked). */
  moduleLimits?: Partial<ZipLimits> & { maxUploadBytes?: number };
}

/** Largest module archive accepted for upload. */
export const defaultUploadLimitBytes = 50 * 1024 * 1024;

/**
 * Builds the core's parts on an open, migrated database: auth stores, navigation and views, the event bus and
 * the module manager. Creates the first administrator on first boot. Modules are not mounted yet: `start()`
 * of `modules` does that once the web app can serve them.
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
  const events = new EventBus(logger);
  const toolkit = createCoreServiceSet({ config, logger, db, keyring }, options.services);
  const modules = new ModuleManager({
    db,
    logger,
    events,
    notifications,
    loader: {
      events,
      views,
      servicesFor: (module, capabilities) => createModuleServices({ toolkit, logger }, module, capabilities),
      cacheViews: true,
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

  return {
    config,
    logger,
    db,
    keyring,
    users,
    sessions,
    notifications,
    apiTokens: new ApiTokenStore(db),
    throttle: new LoginThrottle(db, options.throttlePolicy),
    audit: new AuditLog(db),
    views,
    navigation,
    events,
    modules,
    installer,
    uploadLimitBytes: options.moduleLimits?.maxUploadBytes ?? defaultUploadLimitBytes,
    toolkit,
  };
}
