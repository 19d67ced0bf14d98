import type { Endpoint } from '../endpoints/endpoint.js';
import type { Runtime } from '../runtime.js';

/** A scheduled run that fires a little early still reads what is due at its time. */
const slackMs = 60_000;

/**
 * The endpoints a run reads: those named in `endpointIds`, else every enabled one (a manual run), or the
 * enabled ones due by their own interval (a scheduled run).
 */
export async function endpointsToRead(
  runtime: Runtime,
  request: { scheduled: boolean; endpointIds?: unknown; now: Date },
): Promise<Endpoint[]> {
  const all = await runtime.endpoints.list();
  if (Array.isArray(request.endpointIds)) {
    const wanted = new Set(request.endpointIds.map(String));
    return all.filter((endpoint) => wanted.has(endpoint.id));
  }
  const enabled = all.filter((endpoint) => endpoint.enabled);
  if (!request.scheduled) return enabled;
  return enabled.filter(
    (endpoint) =>
      !endpoint.lastAttemptAt ||
      request.now.getTime() - new Date(endpoint.lastAttemptAt).getTime() >=
        endpoint.pollIntervalMinutes * 60_000 - slackMs,
  );
}
