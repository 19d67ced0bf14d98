import type { Endpoint } from '../endpoints/endpoint.js';
import { kwhFromMilliwattHours, type CalendarMonth } from '../energy/index.js';
import { monthOf, rangeTallies } from '../ledger/month-energy.js';
import { numberSetting, type Runtime } from '../runtime.js';
import { SELECT } from '../db.js';

/** The threshold check for every endpoint a collection counted a reading of, with one ledger query. */
export async function checkThresholds(runtime: Runtime, endpoints: Endpoint[], at: Date): Promise<number> {
  if (endpoints.length === 0) return 0;
  const month = monthOf(runtime, at);
  const tallies = await rangeTallies(
    runtime,
    month,
    endpoints.map((endpoint) => endpoint.id),
  );
  let alerts = 0;
  for (const endpoint of endpoints) {
    const kwh = kwhFromMilliwattHours(tallies.get(endpoint.id)?.milliwattHours ?? 0);
    if (await alertOnce(runtime, endpoint, month, kwh)) alerts += 1;
  }
  return alerts;
}

/**
 * After an ok reading: when the endpoint's month-to-date kWh passes its threshold (its own, else the
 * `alertThreshold` setting), emits `consumption-monitor.threshold_exceeded` — once per endpoint and month.
 */
export async function checkThreshold(runtime: Runtime, endpoint: Endpoint, at: Date): Promise<boolean> {
  const month = monthOf(runtime, at);
  const tally = (await rangeTallies(runtime, month, [endpoint.id])).get(endpoint.id);
  return alertOnce(runtime, endpoint, month, kwhFromMilliwattHours(tally?.milliwattHours ?? 0));
}

/** Emits the endpoint's alert for `month` if `kwh` passes its threshold and none was sent yet. */
async function alertOnce(runtime: Runtime, endpoint: Endpoint, month: CalendarMonth, kwh: number): Promise<boolean> {
  const threshold = endpoint.alertThresholdKwh ?? numberSetting(runtime, 'alertThreshold', 1000);
  if (kwh <= threshold) return false;
  const [first] = await runtime.db.query(
    `INSERT INTO cm_threshold_alert (endpoint_id, month, kwh) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING RETURNING month`,
    { bind: [endpoint.id, month.month, kwh], type: SELECT },
  );
  if (!first) return false;
  await runtime.emit(
    'threshold_exceeded',
    {
      subject: endpoint.name,
      endpointId: endpoint.id,
      month: month.month,
      timezone: month.timeZone,
      kwh,
      thresholdKwh: threshold,
    },
    { severity: 'warning' },
  );
  return true;
}
