import { startTestPostgres, stopTestPostgres } from './postgres.js';

/** Mocha global fixtures: the run's PostgreSQL starts once before all suites and stops after them. */
export async function mochaGlobalSetup(): Promise<void> {
  await startTestPostgres();
}

export async function mochaGlobalTeardown(): Promise<void> {
  await stopTestPostgres();
}
