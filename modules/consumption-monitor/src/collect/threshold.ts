import type { Endpoint } from '../endpoints/endpoint.js';
import { kwhFromMilliwattHours } from '../energy/index.js';
import { monthOf, rangeTallies } from '../ledger/month-energy.js';
import { numberSetting, type Runtime } from '../runtime.js';
import { SELECT } from '../db.js';

/**
 * After an ok reading: when the endpoint's month-to-date kWh passes its threshold (its own, else the
 * `alertThreshold` setting), emits `consumption-monitor.threshold_exceeded` — once per endpoint and month.
 */
export async function checkThreshold(runtime: Runtime, endpoint: Endpoint, at: Date): Promise<boolean> {
  const threshold = endpoint.alertThresholdKwh ?? numberSetting(runtime, 'alertThreshold', 1000);
  const month = monthOf(runtime, at);
  const tally = (await rangeTallies(runtime, month, [endpoint.id])).get(endpoint.id);
  const kwh = kwhFromMilliwattHours(tally?.milliwattHours ?? 0);
  if (kwh <= threshold) return false;
  const [first] = await runtime.db.query(
    `INSERT INTO cm_threshold_alert (endpoint_id, month, kwh) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING RETURNING month`,
    { bind: [endpoint.id, month.month, kwh], type: SELECT },
  );
  if (!first) return false;
  await runtime.emit(
    'threshold_exceeded',
    { subject: endpoint.name, endpointId: endpoint.id, month: month.month, timezone: month.timeZone, kwh, thresholdKwh: threshold },
    { severity: 'warning' },
  );
  return true;
}
