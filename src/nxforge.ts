import { mkdir } from 'node:fs/promises';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import type { Config } from './config.js';
import { createCoreServices, type CoreServiceOptions } from './core-services.js';
import type { DatabaseNotifications } from './db/notifications.js';
import { migrateCore } from './db/core-migrations.js';
import { connectDatabase, type Database } from './db/database.js';
import { startEmbeddedPostgres, type EmbeddedDatabaseServer } from './db/embedded-postgres.js';
import type { RestartPolicy } from './db/postmaster-keeper.js';
import type { NxfError } from './errors.js';
import { Keyring, resolveSecret } from './keyring.js';
import { createLogger, type Logger } from './logger.js';
import type { AppRouter } from './http/app-context.js';
import type { CoreServices } from './core-services.js';
import { createApp } from './web/app.js';
import { answerClientError } from './web/client-errors.js';
import { moduleDispatcher } from './web/module-dispatcher.js';

/** Knobs for tests and embedding; production uses the defaults. */
export interface StartOptions extends CoreServiceOptions {
  logger?: Logger;
  /** Extra core routes, for embedding NxForge and for benchmarks. */
  routers?: AppRouter[];
  /** Milliseconds to let in-flight requests finish at shutdown before closing their connections. */
  shutdownGraceMs?: number;
  /** How the embedded PostgreSQL is started again after it died. */
  databaseRestart?: RestartPolicy;
}

/** How long requests in flight may finish at shutdown before their connections are closed. */
export const defaultShutdownGraceMs = 10_000;

/** A running NxForge: its address, its parts, and how to stop it cleanly. */
export interface RunningNxforge {
  url: string;
  services: CoreServices;
  server: http.Server;
  /** Settles when the embedded PostgreSQL died and could not be restarted: stop, and exit non-zero. */
  failed: Promise<NxfError>;
  /** Stops accepting, lets in-flight requests finish, closes the pool, stops embedded PostgreSQL. */
  stop(): Promise<void>;
}

/** Opens the configured database, or starts the embedded one when there is no DATABASE_URL. */
export async function openDatabase(
  config: Config,
  logger: Logger,
  restart?: RestartPolicy,
): Promise<{ db: Database; embedded?: EmbeddedDatabaseServer }> {
  if (config.databaseUrl) return { db: await connectDatabase(config.databaseUrl) };
  const embedded = await startEmbeddedPostgres(path.join(config.dataDir, 'postgres'), logger, { restart });
  try {
    return { db: await connectDatabase(embedded.url), embedded };
  } catch (error) {
    await embedded.stop();
    throw error;
  }
}

/** Starts NxForge: database, core migrations, first admin, services, web server. */
export async function startNxforge(config: Config, options: StartOptions = {}): Promise<RunningNxforge> {
  const logger = options.logger ?? createLogger(config.logLevel);
  await mkdir(config.dataDir, { recursive: true });
  const keyring = new Keyring(await resolveSecret(config.dataDir, config.secret));
  const { db, embedded } = await openDatabase(config, logger, options.databaseRestart);
  let notifications: DatabaseNotifications | undefined;
  let scheduler: CoreServices['scheduler'] | undefined;
  const stopDatabase = async () => {
    await scheduler?.stop();
    await notifications?.stop();
    await db.close();
    await embedded?.stop();
  };

  try {
    const applied = await migrateCore(db, logger);
    if (applied.length > 0) logger.info({ migrations: applied }, 'applied core migrations');
    const services = await createCoreServices(config, db, logger, keyring, options);
    notifications = services.notifications;
    scheduler = services.scheduler;
    const app = createApp(services, {
      middleware: [moduleDispatcher(services.modules.registry)],
      routers: options.routers,
    });
    await services.scheduler.start();
    await services.modules.start();
    const server = http.createServer(app.callback());
    server.on('clientError', answerClientError);
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(config.port, config.host, () => resolve());
    });
    const url = serverUrl(config.host, (server.address() as AddressInfo).port);
    logger.info({ url }, `NxForge is listening on ${url}`);

    return {
      url,
      services,
      server,
      failed: embedded?.failed ?? new Promise<never>(() => {}),
      stop: async () => {
        logger.info('shutting down');
        await closeServer(server, options.shutdownGraceMs ?? defaultShutdownGraceMs);
        // Jobs first: their runs may still use the modules' files and the browsers.
        await services.scheduler.stop();
        await services.modules.stop();
        await services.rules.engine.idle();
        await services.toolkit.stop();
        await stopDatabase();

        logger.info('stopped');
      },
    };
  } catch (error) {
    await stopDatabase();
    throw error;
  }
}

/** The address to print for a server bound to `host` and `port` (all interfaces → localhost). */
export function serverUrl(host: string, port: number): string {
  return `http://${host === '0.0.0.0' || host === '::' ? 'localhost' : host}:${port}`;
}

/** Stops accepting connections and waits for in-flight requests, closing idle keep-alive connections at once. */

async function closeServer(server: http.Server, graceMs: number): Promise<void> {
  const closed = new Promise<void>((resolve) => server.close(() => resolve()));
  server.closeIdleConnections();
  const timer = setTimeout(() => server.closeAllConnections(), graceMs);
  await closed;
  clearTimeout(timer);
}
