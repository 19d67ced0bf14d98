import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { ThrottlePolicy } from '../../src/auth/login-throttle.js';
import { loadConfig, type Config } from '../../src/config.js';
import { createLogger } from '../../src/logger.js';
import { startNxforge, type RunningNxforge, type StartOptions } from '../../src/nxforge.js';
import { createTestDatabase, type TestDatabase } from './postgres.js';

export const testAdminPassword = 'admin-password-for-tests';
export const testSecret = 'test-secret-0123456789abcdef0123456789abcdef';

/** A NxForge server for a test, on loopback, with its own database and data folder. */
export interface TestServer extends RunningNxforge {
  database: TestDatabase;
  dataDir: string;
  config: Config;
  /** Stops the server, then drops its database and removes its data folder (unless `keep`). */
  close(options?: { keep?: boolean }): Promise<void>;
}

export interface TestServerOptions {
  /** Reuse a database (e.g. to restart a server on the same data); a new one is created otherwise. */
  database?: TestDatabase;
  dataDir?: string;
  env?: Record<string, string>;
  throttlePolicy?: ThrottlePolicy;
  /** Bundled modules to find at start; none by default, so suites see only the modules they install. */
  bundledModulesDir?: string;
  moduleLimits?: StartOptions['moduleLimits'];
  /** Core services tuning (e.g. short retry backoff); tests default to a 20 ms first retry and one browser. */
  services?: StartOptions['services'];
  /** Job timings; tests default to short retries and grace periods (`testJobTuning`). */
  jobs?: StartOptions['jobs'];
  /** How long a module's setup may take (default 30 s). */
  moduleSetupTimeoutMs?: number;
  /** Where the server logs (default: silent, or NXF_TEST_LOG's level). */
  logger?: import('../../src/logger.js').Logger;
  /** NxForge's own timings and limits: none of the test tuning above is applied (only what is given). */
  defaults?: boolean;
}

/** Job timings for tests: retries after 50 ms, short grace periods, a small worker heap. */
export const testJobTuning = {
  retryBaseMs: 50,
  abortGraceMs: 300,
  unmountGraceMs: 2000,
  shutdownGraceMs: 1000,
  workerHeapMb: 128,
} as const;

/** Starts NxForge on 127.0.0.1 and an ephemeral port. Set NXF_TEST_LOG=debug to see its logs. */
export async function startTestServer(options: TestServerOptions = {}): Promise<TestServer> {
  const database = options.database ?? (await createTestDatabase());
  const dataDir = options.dataDir ?? (await mkdtemp(path.join(os.tmpdir(), 'nxf-test-data-')));
  const config = loadConfig({
    PORT: '0',
    NXFORGE_HOST: '127.0.0.1',
    NXFORGE_DATA_DIR: dataDir,
    DATABASE_URL: database.url,
    NXFORGE_ADMIN_PASSWORD: testAdminPassword,
    NXFORGE_SECRET: testSecret,
    ...options.env,
  });
  const logger = options.logger ?? createLogger((process.env.NXF_TEST_LOG as 'debug') ?? 'silent');
  const running = await startNxforge(config, {
    logger,
    throttlePolicy: options.throttlePolicy,
    bundledModulesDir: options.bundledModulesDir ?? path.join(dataDir, 'no-bundled-modules'),
    moduleLimits: options.moduleLimits,
    ...(options.defaults
      ? { services: options.services, jobs: options.jobs }
      : {
          shutdownGraceMs: 2000,
          services: options.services ?? { retry: { minDelayMs: 20 }, browserPool: { maxBrowsers: 1 } },
          jobs: { ...testJobTuning, ...options.jobs },
        }),
    moduleSetupTimeoutMs: options.moduleSetupTimeoutMs,
  });
  return {
    ...running,
    database,
    dataDir,
    config,
    close: async ({ keep = false } = {}) => {
      await running.stop();
      if (!keep) {
        if (!options.database) await database.drop();
        if (!options.dataDir) await rm(dataDir, { recursive: true, force: true });
      }
    },
  };
}
