import { settleLimit } from '../map-limit.js';
import { createHostStore } from '../store/host-store.js';
import { pollHost, type HostPollOutcome, type PollDeps } from './poll-host.js';

/** What a poll run did, kept with the job's execution. */
export interface PollSummary {
  hosts: number;
  ok: number;
  unreachable: number;
  error: number;
  readings: number;
  events: number;
  /** Hosts whose poll failed inside NxForge (not the device): a bug, logged with its stack. */
  crashed: number;
}

/**
 * Polls the enabled hosts that are due (every enabled host with `all`, as "Run now" does), `concurrency` at a
 * time. A host that fails is recorded as such and never stops the others.
 */
export async function pollHosts(
  deps: PollDeps,
  options: { all: boolean; concurrency: number; hostId?: number },
): Promise<PollSummary> {
  const hosts = createHostStore(deps.sql);
  const due =
    options.hostId !== undefined
      ? [await hosts.get(options.hostId)].filter((h) => h !== undefined && h.enabled)
      : await hosts.due(deps.settings.pollIntervalSeconds, options.all);
  const outcomes = await settleLimit(due, options.concurrency, async (host) => {
    if (deps.signal?.aborted) throw new Error('poll cancelled');
    return pollHost(deps, host!);
  });
  const done = outcomes.flatMap((o) => (o.status === 'fulfilled' ? [o.value] : []));
  outcomes.forEach((o, index) => {
    if (o.status === 'rejected')
      deps.logger.error(`polling ${due[index]?.name} failed: ${String((o.reason as Error)?.stack ?? o.reason)}`);
  });
  const count = (state: HostPollOutcome['state']) => done.filter((o) => o.state === state).length;
  return {
    hosts: due.length,
    ok: count('ok'),
    unreachable: count('unreachable'),
    error: count('error'),
    readings: done.reduce((sum, o) => sum + o.read, 0),
    events: done.reduce((sum, o) => sum + o.events, 0),
    crashed: outcomes.length - done.length,
  };
}
