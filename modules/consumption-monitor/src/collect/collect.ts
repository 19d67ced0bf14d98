import type { Endpoint } from '../endpoints/endpoint.js';
import { judge } from '../readings/plausibility.js';
import type { Runtime } from '../runtime.js';
import { readEndpoint, type ReadOutcome } from '../sources/read-endpoint.js';
import { recordInterval } from '../ledger/ledger.js';
import { noteFailure, noteStale, noteSuccess } from './endpoint-health.js';
import { checkThresholds } from './threshold.js';
import type { PreviousReading } from '../readings/plausibility.js';

/** How a collection runs. */
export interface CollectOptions {
  /** Endpoints read at once. */
  batchSize: number;
  /** Keep a screenshot of failed browser reads. */
  screenshotOnError: boolean;
  /** Aborted: no further endpoint is started; reads under way finish and are stored. */
  signal?: AbortSignal;
}

/** What one endpoint's read became. */
export interface CollectedReading {
  endpointId: string;
  name: string;
  status: 'ok' | 'suspect' | 'error' | 'not stored';
  value: number | null;
  errorCode: string | null;
}

/** What a collection did. */
export interface CollectSummary {
  read: number;
  ok: number;
  suspect: number;
  errors: number;
  notStored: number;
  stale: number;
  skipped: number;
  readings: CollectedReading[];
}

/** Reads `endpoints`, `batchSize` at a time, and stores every attempt (see docs/consumption-monitor.md). */
export async function collect(
  runtime: Runtime,
  endpoints: Endpoint[],
  options: CollectOptions,
): Promise<CollectSummary> {
  const queue = [...endpoints];
  const readings: CollectedReading[] = [];
  // Each endpoint's last ok reading, in one query: runs of the job never overlap, so it is still the last when read.
  const lastOk = await runtime.readings.lastOkOf(endpoints.map((endpoint) => endpoint.id));
  const worker = async () => {
    for (let next = queue.shift(); next; next = queue.shift()) {
      if (options.signal?.aborted) return;
      readings.push(await collectOne(runtime, next, options, lastOk.get(next.id) ?? null));
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(options.batchSize, endpoints.length)) }, worker));
  const counted = new Set(readings.filter((reading) => reading.status === 'ok').map((reading) => reading.endpointId));
  await checkThresholds(
    runtime,
    endpoints.filter((endpoint) => counted.has(endpoint.id)),
    new Date(),
  );
  const stale = await noteStale(runtime, new Date());
  const count = (status: CollectedReading['status']) => readings.filter((r) => r.status === status).length;
  return {
    read: readings.length,
    ok: count('ok'),
    suspect: count('suspect'),
    errors: count('error'),
    notStored: count('not stored'),
    stale,
    skipped: endpoints.length - readings.length,
    readings,
  };
}

/** Reads one endpoint, judges the value, stores the reading, keeps the session and notes the health. */
export async function collectOne(
  runtime: Runtime,
  endpoint: Endpoint,
  options: CollectOptions,
  /** Its last ok reading, when the caller knows it (null: none); otherwise it is looked up. */
  knownLastOk?: PreviousReading | null,
): Promise<CollectedReading> {
  const outcome = await readWithStoredState(runtime, endpoint, options.screenshotOnError);
  const at = new Date();
  const previous = !outcome.success
    ? undefined
    : knownLastOk === undefined
      ? await runtime.readings.lastOk(endpoint.id, at)
      : (knownLastOk ?? undefined);
  const judgement = outcome.success
    ? judge(endpoint.kind, outcome.value!, previous, at, endpoint.ratedPowerKw)
    : undefined;
  const status = judgement?.status ?? 'error';
  const id = await runtime.readings.insert(
    {
      endpointId: endpoint.id,
      at,
      value: outcome.value,
      status,
      reason: judgement?.reason ?? null,
      raw: outcome.raw,
      errorCode: outcome.errorCode,
      error: outcome.error,
      screenshot: outcome.screenshot,
      reset: judgement?.reset ?? false,
      durationMs: outcome.durationMs,
    },
    endpoint.readFingerprint,
  );
  const base = { endpointId: endpoint.id, name: endpoint.name, value: outcome.value, errorCode: outcome.errorCode };
  if (!id) {
    runtime.logger.warn(
      `${endpoint.name} was deleted, or how it is read was edited, while it was read; that reading is not stored`,
      {
        endpointId: endpoint.id,
      },
    );
    return { ...base, status: 'not stored' };
  }
  if (status === 'ok') {
    await recordInterval(runtime, endpoint, previous, { at, value: outcome.value! });
  }
  if (!outcome.success) await noteFailure(runtime, endpoint, outcome, at);
  // Only an endpoint that was failing or stale has something to recover from (its state came with the list).
  else if (endpoint.failingSince || endpoint.staleSince) await noteSuccess(runtime, endpoint);
  if (status !== 'ok')
    runtime.logger.warn(`${endpoint.name}: ${outcome.error ?? judgement?.reason}`, { code: outcome.errorCode });
  return { ...base, status };
}

/** Reads with the endpoint's secrets and device session, and keeps the session the read ended with. */
export async function readWithStoredState(
  runtime: Runtime,
  endpoint: Endpoint,
  screenshotOnError: boolean,
): Promise<ReadOutcome> {
  let secrets;
  try {
    secrets = runtime.endpoints.openSecrets(endpoint);
  } catch (error) {
    const message = `The stored credentials cannot be opened (${(error as Error).message}); enter them again.`;
    return {
      success: false,
      value: null,
      raw: null,
      durationMs: 0,
      errorCode: 'CM_SECRET_UNREADABLE',
      error: message,
      screenshot: null,
    };
  }
  const session = endpoint.source === 'browser' ? runtime.endpoints.openSession(endpoint) : [];
  const outcome = await readEndpoint(endpoint, {
    services: runtime.services,
    logger: runtime.logger,
    secrets,
    session,
    screenshotOnError,
  });
  if (outcome.cookies && JSON.stringify(outcome.cookies) !== JSON.stringify(session)) {
    await runtime.endpoints.saveSession(endpoint.id, outcome.cookies, endpoint.readFingerprint);
  }
  return outcome;
}
