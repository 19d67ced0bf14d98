import type { Execution } from '../../src/jobs/execution-store.js';
import type { ModuleManifest } from '../../src/modules/manifest/manifest-types.js';
import { copyModuleFixture, installAndEnable } from './modules.js';
import { startTestServer, type TestServer, type TestServerOptions } from './server.js';

const finalStatuses = new Set(['succeeded', 'failed', 'timed_out', 'cancelled']);

/** Polls until `check` holds (the test's own timeout bounds the wait; nothing here asserts on time). */
export async function eventually<T>(check: () => Promise<T | undefined | false> | T | undefined | false): Promise<T> {
  for (;;) {
    const value = await check();
    if (value) return value;
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

/** The execution once it has ended (succeeded, failed, timed out or cancelled). */
export function finished(server: TestServer, id: string): Promise<Execution> {
  return eventually(async () => {
    const execution = await server.services.executions.getExecution(id);
    return execution && finalStatuses.has(execution.status) ? execution : undefined;
  });
}

/** Runs a job now (as "Run now" does) and waits for the execution to end. */
export async function runJob(server: TestServer, module: string, job: string, data?: unknown): Promise<Execution> {
  const queued = await server.services.scheduler.executeJob(module, job, { data, actor: 'test' });
  return finished(server, queued.id);
}

/** Every execution of a job, oldest first. */
export async function executionsOf(server: TestServer, module: string, job: string): Promise<Execution[]> {
  return (await server.services.executions.getExecutions({ module, job, limit: 500 })).reverse();
}

/**
 * In a `describe`: a server with the lab module (test/fixtures/lab-module) installed and enabled for the whole
 * suite, optionally with its manifest changed or the server's options given. Read `server` from the returned
 * object inside the tests.
 */
export function withLabServer(
  options: { manifest?: (manifest: ModuleManifest) => void; server?: TestServerOptions } = {},
): { server: TestServer } {
  const suite = {} as { server: TestServer };
  let lab: Awaited<ReturnType<typeof copyModuleFixture>> | undefined;
  before(async () => {
    suite.server = await startTestServer(options.server);
    lab = await copyModuleFixture({ fixture: 'lab-module', manifest: options.manifest });
    await installAndEnable(suite.server, lab.dir);
  });
  after(async () => {
    await suite.server?.close();
    await lab?.remove();
  });
  return suite;
}
