import { isMainThread, parentPort, workerData } from 'node:worker_threads';
import { pathToFileURL } from 'node:url';
import { errorMessage, NxfError } from '../../errors.js';
import type { JobHandler, JobResult } from '../job-types.js';
import { serializeError, type WorkerMessage, type WorkerRunData } from '../worker-protocol.js';
import { createJobContext, type BuiltJobContext } from './job-context.js';
import { WorkerPort } from './worker-port.js';

/**
 * The entry of every job's worker thread (bree starts it; `workerData.run` says which job and execution).
 * It builds the JobContext, imports the handler, runs it, and posts the result — or the error, with its stack —
 * to the main thread, which records it. Whatever else happens in here (an uncaught exception, a rejected
 * promise nobody awaited, `process.exit`, the heap limit) ends this thread only; the main thread records that too.
 */

/** Wall-clock milliseconds with sub-millisecond precision, comparable across threads. */
const now = () => performance.timeOrigin + performance.now();

async function importHandler(file: string): Promise<JobHandler> {
  const imported = (await import(pathToFileURL(file).href)) as { handler?: unknown; default?: unknown };
  const handler = imported.handler ?? imported.default;
  if (typeof handler !== 'function') {
    throw new NxfError('NXF_JOB_HANDLER', `${file} must export async function handler(context).`);
  }
  return handler as JobHandler;
}

/** The handler's return value as a JobResult of plain JSON, or a clear error. */
function checkResult(value: unknown): JobResult {
  if (!value || typeof value !== 'object' || typeof (value as JobResult).success !== 'boolean') {
    throw new NxfError('NXF_JOB_RESULT_INVALID', 'The handler must return a JobResult: { success: boolean, data? }.');
  }
  const { success, data, error } = value as JobResult;
  let json: unknown;
  try {
    json = data === undefined ? undefined : JSON.parse(JSON.stringify(data));
  } catch (cause) {
    throw new NxfError('NXF_JOB_RESULT_INVALID', `The result's data is not JSON: ${errorMessage(cause)}`);
  }
  return { success, data: json, ...(typeof error === 'string' ? { error } : {}) };
}

async function runJob(run: WorkerRunData, port: WorkerPort): Promise<void> {
  let built: BuiltJobContext | undefined;
  let outcome: WorkerMessage;
  try {
    built = await createJobContext(run, port);
    const handler = await importHandler(run.handlerPath);
    outcome = { type: 'result', result: checkResult(await handler(built.context)), at: now() };
  } catch (error) {
    outcome = { type: 'failure', error: serializeError(error) };
  }
  // The outcome first: the main thread records it while this thread closes the run's connections.
  port.post(outcome);
  try {
    await built?.close();
  } catch (error) {
    built?.context.logger.warn(`closing the job's resources failed: ${errorMessage(error)}`);
  }
  port.post({ type: 'closed' });
}

if (isMainThread || !parentPort) throw new Error('The job worker runs in a worker thread started by the scheduler.');
await runJob((workerData as { run: WorkerRunData }).run, new WorkerPort(parentPort));
