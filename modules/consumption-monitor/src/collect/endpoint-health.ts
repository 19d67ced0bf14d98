import { SELECT } from '../db.js';
import type { Endpoint } from '../endpoints/endpoint.js';
import type { Runtime } from '../runtime.js';
import type { ReadOutcome } from '../sources/read-endpoint.js';

/** The address of an endpoint as events and logs show it. */
export function addressOf(endpoint: Endpoint): string {
  return endpoint.source === 'snmp' && endpoint.snmp
    ? `snmp://${endpoint.snmp.host}:${endpoint.snmp.port}/${endpoint.snmp.oid}`
    : (endpoint.url ?? '');
}

/**
 * A failed read: the first of a streak emits `scraping.failed` (later ones of the same streak do not, so a
 * dead PDU does not page someone every 15 minutes).
 */
export async function noteFailure(runtime: Runtime, endpoint: Endpoint, outcome: ReadOutcome, at: Date): Promise<void> {
  const [row] = await runtime.db.query<{ first: boolean }>(
    `UPDATE cm_endpoint SET failing_since = COALESCE(failing_since, $2) WHERE id = $1
     RETURNING failing_since = $2 AS first`,
    { bind: [endpoint.id, at], type: SELECT },
  );
  if (!row?.first) return;
  runtime.services.scraping.reportFailure({
    name: endpoint.name,
    url: addressOf(endpoint),
    error: outcome.error ?? 'The read failed.',
    errorCode: outcome.errorCode ?? 'CM_READ_FAILED',
    screenshotPath: outcome.screenshot ?? undefined,
  });
}

/** A successful read after a failure streak or staleness emits `consumption-monitor.recovered`. */
export async function noteSuccess(runtime: Runtime, endpoint: Endpoint): Promise<void> {
  const [row] = await runtime.db.query<{ failing_since: Date | null; stale_since: Date | null }>(
    `UPDATE cm_endpoint e SET failing_since = NULL, stale_since = NULL
     FROM (SELECT id, failing_since, stale_since FROM cm_endpoint WHERE id = $1 FOR UPDATE) before
     WHERE e.id = before.id RETURNING before.failing_since, before.stale_since`,
    { bind: [endpoint.id], type: SELECT },
  );
  const since = row?.failing_since ?? row?.stale_since;
  if (!since) return;
  await runtime.emit(
    'recovered',
    { subject: endpoint.name, endpointId: endpoint.id, failingSince: new Date(since).toISOString() },
    { severity: 'info' },
  );
}

/**
 * Marks stale every enabled endpoint whose last ok reading (or creation) is more than three poll intervals old
 * and emits `consumption-monitor.stale` once for each, until it reads again.
 */
export async function noteStale(runtime: Runtime, now: Date): Promise<number> {
  const rows = await runtime.db.query<{
    id: string;
    name: string;
    last_ok: Date | null;
    poll_interval_minutes: number;
  }>(
    `WITH due AS (
       SELECT e.id, e.name, e.poll_interval_minutes, r.recorded_at AS last_ok
       FROM cm_endpoint e
       LEFT JOIN LATERAL (SELECT recorded_at FROM cm_reading WHERE endpoint_id = e.id AND status = 'ok'
                          ORDER BY recorded_at DESC LIMIT 1) r ON true
       WHERE e.enabled AND e.stale_since IS NULL
         AND COALESCE(r.recorded_at, e.created_at) < $1::timestamptz - make_interval(mins => 3 * e.poll_interval_minutes)
     )
     UPDATE cm_endpoint e SET stale_since = $1 FROM due WHERE e.id = due.id
     RETURNING due.id, due.name, due.last_ok, due.poll_interval_minutes`,
    { bind: [now], type: SELECT },
  );
  for (const row of rows) {
    await runtime.emit(
      'stale',
      {
        subject: row.name,
        endpointId: row.id,
        lastReadingAt: row.last_ok ? new Date(row.last_ok).toISOString() : null,
        pollIntervalMinutes: row.poll_interval_minutes,
      },
      { severity: 'warning' },
    );
  }
  return rows.length;
}
