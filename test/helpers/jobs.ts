import type { Execution } from '../../src/jobs/execution-store.js';
import type { TestServer } from './server.js';

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
