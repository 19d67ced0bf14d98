import path from 'node:path';
import type { Config } from '../config.js';
import type { Database } from '../db/database.js';
import type { Keyring } from '../keyring.js';
import type { Logger } from '../logger.js';
import { createSecretBox, type SecretBox } from './crypto/secret-box.js';
import { createHttpService, type HttpService } from './http/http.service.js';
import type { OutgoingNotification } from './notifications/notification.js';
import {
  createNotificationService,
  type DeliveryResult,
  type NotificationService,
} from './notifications/notification.service.js';
import type { RetryPolicy } from './retry.js';
import { BrowserPool, type BrowserPoolOptions } from './scraping/browser-pool.js';
import { createScrapingService, type ScrapingService } from './scraping/scraping.service.js';
import { createStorageService, type StorageService } from './storage/storage.service.js';

/**
 * The shared toolkit (docs/services.md): one of each per process, built at start, stopped at
 * shutdown. Modules never see it whole: `createModuleServices` hands each one the parts its capabilities allow.
 */
export interface CoreServiceSet {
  /** The Chromium processes every scrape shares (and job workers, through `acquireSlot().wsEndpoint`). */
  browserPool: BrowserPool;
  /** Scraping for the core itself (no screenshot storage: modules get their own service). */
  scraping: ScrapingService;
  /** HTTP with retries and request logging. */
  http: HttpService;
  /** Files under `$NXFORGE_DATA_DIR/storage`, a folder per module. */
  storage: StorageService;
  /** Channels, sending and delivery records. */
  notifications: NotificationService;
  /** Encryption of credentials at rest (key: `keyring.derive('credentials')`). */
  secretBox: SecretBox;
  /** Closes the browsers; the database belongs to the caller. */
  stop(): Promise<void>;
}

/** Tuning, for tests and small machines; production uses the defaults. */
export interface CoreServiceSetOptions {
  /** Limits of the shared Chromium pool. */
  browserPool?: BrowserPoolOptions;
  /** Backoff of scrape and notification retries. */
  retry?: RetryPolicy;
  /** Budget of one notification delivery attempt in ms. */
  notificationTimeoutMs?: number;
}

/** Builds the toolkit. Nothing is launched yet: the first scrape starts a browser. */
export function createCoreServiceSet(
  core: {
    config: Config;
    logger: Logger;
    db: Database;
    keyring: Keyring;
    /** Told of every notification that reached none of its channels' recipients (the core emits an event). */
    onNotificationFailure?(result: DeliveryResult, notification: OutgoingNotification): void;
  },
  options: CoreServiceSetOptions = {},
): CoreServiceSet {
  const logger = core.logger.child({ component: 'services' });
  const secretBox = createSecretBox(core.keyring.derive('credentials'));
  const http = createHttpService(logger);
  const browserPool = new BrowserPool(logger, options.browserPool);
  return {
    browserPool,
    scraping: createScrapingService({ pool: browserPool, logger, retry: options.retry }),
    http,
    storage: createStorageService(path.join(core.config.dataDir, 'storage')),
    notifications: createNotificationService({
      db: core.db,
      box: secretBox,
      http,
      logger,
      retry: options.retry,
      timeoutMs: options.notificationTimeoutMs,
      onFailure: (result, notification) => core.onNotificationFailure?.(result, notification),
    }),
    secretBox,
    stop: () => browserPool.close(),
  };
}
