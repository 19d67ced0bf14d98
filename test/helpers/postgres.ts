import { chmod, mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { migrateCore } from '../../src/db/core-migrations.js';
import { connectDatabase } from '../../src/db/database.js';
import { ensureDatabase, startEmbeddedPostgres, type EmbeddedDatabaseServer } from '../../src/db/embedded-postgres.js';
import { createLogger } from '../../src/logger.js';

/**
 * One real PostgreSQL for the whole test run (embedded, in a temporary folder), and a fresh database per suite
 * cloned from a template that already has the core migrations.
 */
const adminUrlVariable = 'NXF_TEST_PG_ADMIN_URL';
const templateName = 'nxf_template';

let server: EmbeddedDatabaseServer | undefined;
let dataRoot: string | undefined;
let counter = 0;

/** Starts the run's PostgreSQL and prepares the template database (mocha global setup). */
export async function startTestPostgres(): Promise<void> {
  dataRoot = await mkdtemp(path.join(os.tmpdir(), 'nxf-test-pg-'));
  // As root the cluster runs as the "postgres" system user, which must be able to enter this folder.
  await chmod(dataRoot, 0o755);
  server = await startEmbeddedPostgres(path.join(dataRoot, 'cluster'), createLogger('silent'), {
    database: templateName,
    persistent: false,
  });
  process.env[adminUrlVariable] = server.adminUrl;
  const db = await connectDatabase(server.url);
  await migrateCore(db);
  await db.close();
}

export async function stopTestPostgres(): Promise<void> {
  await server?.stop();
  if (dataRoot) await rm(dataRoot, { recursive: true, force: true });
}

function adminUrl(): string {
  const url = process.env[adminUrlVariable];
  if (!url) throw new Error('the test PostgreSQL is not running (is test/helpers/global-setup loaded?)');
  return url;
}

/** A database of its own for one suite. */
export interface TestDatabase {
  name: string;
  url: string;
  drop(): Promise<void>;
}

/**
 * Creates a database for a suite: a copy of the migrated template, or an empty one with `migrated: false` (for
 * testing the migrations themselves).
 */
export async function createTestDatabase(options: { migrated?: boolean } = {}): Promise<TestDatabase> {
  counter += 1;
  const name = `nxf_test_${process.pid}_${counter}`;
  const client = new pg.Client({ connectionString: adminUrl() });
  await client.connect();
  try {
    const template = options.migrated === false ? 'template0' : templateName;
    await client.query(`CREATE DATABASE ${name} TEMPLATE ${template}`);
  } finally {
    await client.end();
  }
  const url = new URL(adminUrl());
  url.pathname = `/${name}`;
  return {
    name,
    url: url.toString(),
    drop: async () => {
      const admin = new pg.Client({ connectionString: adminUrl() });
      await admin.connect();
      try {
        await admin.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      } finally {
        await admin.end();
      }
    },
  };
}

export { ensureDatabase };
