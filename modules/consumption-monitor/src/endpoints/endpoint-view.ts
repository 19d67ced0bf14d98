import type { Reading } from '../readings/reading.js';
import type { LatestReadings } from '../readings/reading-store.js';
import type { Endpoint, EndpointState } from './endpoint.js';

/** An endpoint's state from its readings: stale after three poll intervals without an ok reading. */
export function stateOf(endpoint: Endpoint, latest: LatestReadings | undefined, now: Date): EndpointState {
  if (!endpoint.enabled) return 'disabled';
  const staleAfterMs = 3 * endpoint.pollIntervalMinutes * 60_000;
  const lastOk = latest?.ok[0];
  const since = lastOk ? Date.parse(lastOk.at) : new Date(endpoint.createdAt).getTime();
  if (!latest?.last) return now.getTime() - since > staleAfterMs ? 'stale' : 'new';
  if (now.getTime() - since > staleAfterMs) return 'stale';
  return latest.last.status === 'error' ? 'error' : 'ok';
}

/** Present draw in kW: the power reading, or the counter's rise between its last two ok readings. */
export function presentKw(endpoint: Endpoint, latest: LatestReadings | undefined): number | null {
  const [last, before] = latest?.ok ?? [];
  if (!last || last.value === null) return null;
  if (endpoint.kind === 'power') return last.value;
  if (!before || before.value === null || last.reset) return null;
  const hours = (Date.parse(last.at) - Date.parse(before.at)) / 3_600_000;
  return hours > 0 ? Number(((last.value - before.value) / hours).toFixed(3)) : null;
}

/** The endpoint as the API returns it: every setting, no secret (their names are in `secrets`). */
export function endpointJson(
  endpoint: Endpoint,
  extra: { latest?: LatestReadings; secrets: string[]; now: Date },
): Record<string, unknown> {
  const last: Reading | null = extra.latest?.last ?? null;
  return {
    id: endpoint.id,
    name: endpoint.name,
    source: endpoint.source,
    url: endpoint.url,
    selector: endpoint.selector,
    jsonPath: endpoint.jsonPath,
    sensor: endpoint.sensor,
    unit: endpoint.unit,
    kind: endpoint.kind,
    locale: endpoint.locale,
    pollIntervalMinutes: endpoint.pollIntervalMinutes,
    timeoutSeconds: endpoint.timeoutSeconds,
    ratedPowerKw: endpoint.ratedPowerKw,
    alertThresholdKwh: endpoint.alertThresholdKwh,
    enabled: endpoint.enabled,
    labels: { customer: endpoint.customer, rack: endpoint.rack },
    auth: endpoint.source === 'snmp' ? null : (endpoint.auth ?? { type: 'none' }),
    snmp: endpoint.snmp,
    secrets: extra.secrets,
    demo: endpoint.demo,
    state: stateOf(endpoint, extra.latest, extra.now),
    lastReading: last,
  };
}
