import type { Endpoint } from '../endpoints/endpoint.js';
import { kwhFromMilliwattHours } from '../energy/index.js';
import { monthOf, rangeTallies } from '../ledger/month-energy.js';
import type { Runtime } from '../runtime.js';

/** Month-to-date kWh per endpoint, from the energy ledger (the month in the module's `timezone`). */
export async function monthToDate(runtime: Runtime, endpoints: Endpoint[], now: Date): Promise<Map<string, number>> {
  if (endpoints.length === 0) return new Map();
  const month = monthOf(runtime, now);
  const tallies = await rangeTallies(runtime, month);
  return new Map(
    endpoints.map((endpoint) => [endpoint.id, kwhFromMilliwattHours(tallies.get(endpoint.id)?.milliwattHours ?? 0)]),
  );
}
