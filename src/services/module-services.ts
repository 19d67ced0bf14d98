import type { Logger } from '../logger.js';
import { capabilityDenied } from './capabilities.js';
import type { CoreServiceSet } from './core-service-set.js';
import { moduleSecretBox } from './crypto/module-secret-box.js';
import type { SecretBox } from './crypto/secret-box.js';
import { createHttpService, type HttpService } from './http/http.service.js';
import { createIpmiService, type IpmiService } from './ipmi/ipmi.service.js';
import type { NotificationSender, NotificationService } from './notifications/notification.service.js';
import { reportScrapes, type ScrapeReport } from './scraping/scrape-reports.js';
import {
  createScrapingService,
  type PageSource,
  type ScrapingConfig,
  type ScrapingService,
} from './scraping/scraping.service.js';
import { createSnmpService, type SnmpService } from './snmp/snmp.service.js';
import type { ModuleStorage, StorageService } from './storage/storage.service.js';

/**
 * `ctx.services` of a module: each getter gives a service only when the module's manifest declares the
 * capability it needs, and throws NXF_CAPABILITY_DENIED (403) naming the capability and the module otherwise.
 */
export interface ModuleServices {
  /** Browser scraping; needs `network:outbound`. Failure screenshots go to the module's storage folder. */
  readonly scraping: ScrapingService;
  /** HTTP client; needs `network:outbound`. */
  readonly http: HttpService;
  /** IPMI over LAN through ipmitool, each run with a hard deadline; needs `network:outbound`. */
  readonly ipmi: IpmiService;
  /** SNMP v2c/v3 gets from agents over UDP; needs `network:outbound`. */
  readonly snmp: SnmpService;
  /** The module's own storage folder; needs `storage:read` (read only) or `storage:write`. */
  readonly storage: ModuleStorage;
  /** Sending notifications, recorded with the module's name as source; needs `notifications:send`. */
  readonly notifications: NotificationSender;
  /**
   * Encryption of the module's secrets at rest (device passwords…), no capability needed. Values are bound to the
   * module: another module cannot open them.
   */
  readonly secrets: SecretBox;
}

/**
 * The parts of the core's service set modules use: the process's `CoreServiceSet`, or in a job's worker thread
 * the same services reached through the main thread.
 */
export type ModuleServicesToolkit = Pick<CoreServiceSet, 'secretBox'> & {
  /** Pages for scraping. */
  browserPool: PageSource;
  /** Module storage folders. */
  storage: Pick<StorageService, 'forModule'>;
  /** Senders recorded under a module's name. */
  notifications: Pick<NotificationService, 'forSource'>;
};

/** What `createModuleServices` needs of the core: its service set and logger (a CoreServices object fits). */
export interface ModuleServicesHost {
  /** The process's core services. */
  toolkit: ModuleServicesToolkit;
  /** Parent of the module's logger. */
  logger: Logger;
  /** Told of every scrape's outcome (the core emits `scraping.failed`; a job records its screenshots). */
  onScrape?(module: string, config: ScrapingConfig, report: ScrapeReport): void;
}

/**
 * The services for module `moduleName` granted `capabilities` (its manifest `permissions`). Each service is
 * built on first use and then kept, so a module that never scrapes costs nothing.
 */
export function createModuleServices(
  core: ModuleServicesHost,
  moduleName: string,
  capabilities: readonly string[],
): ModuleServices {
  const granted = new Set(capabilities);
  const { toolkit } = core;
  const logger = core.logger.child({ module: moduleName });
  const built = new Map<string, unknown>();
  const once = <T>(key: string, build: () => T): T => {
    if (!built.has(key)) built.set(key, build());
    return built.get(key) as T;
  };
  const need = (capability: string, service: string) => {
    if (!granted.has(capability)) throw capabilityDenied(capability, moduleName, `ctx.services.${service}`);
  };
  const storage = () =>
    once('storage', () => toolkit.storage.forModule(moduleName, { writable: granted.has('storage:write') }));

  return {
    get scraping() {
      need('network:outbound', 'scraping');
      return once('scraping', () => {
        const service = createScrapingService({
          pool: toolkit.browserPool,
          logger,
          // Screenshots of failed scrapes are the service's own writes: kept even without storage:write.
          storage: toolkit.storage.forModule(moduleName, { writable: true }),
        });
        const { onScrape } = core;
        return onScrape ? reportScrapes(service, (config, report) => onScrape(moduleName, config, report)) : service;
      });
    },
    get http() {
      need('network:outbound', 'http');
      return once('http', () => createHttpService(logger));
    },
    get ipmi() {
      need('network:outbound', 'ipmi');
      return once('ipmi', () => createIpmiService(logger));
    },
    get snmp() {
      need('network:outbound', 'snmp');
      return once('snmp', () => createSnmpService(logger));
    },
    get storage() {
      if (!granted.has('storage:read') && !granted.has('storage:write')) {
        throw capabilityDenied('storage:read', moduleName, 'ctx.services.storage');
      }
      return storage();
    },
    get notifications() {
      need('notifications:send', 'notifications');
      return once('notifications', () => toolkit.notifications.forSource(moduleName));
    },
    get secrets() {
      return once('secrets', () => moduleSecretBox(toolkit.secretBox, moduleName));
    },
  };
}
