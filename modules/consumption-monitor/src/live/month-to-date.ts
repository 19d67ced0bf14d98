import type { Endpoint } from '../endpoints/endpoint.js';
import type { Runtime } from '../runtime.js';

/**
 * Month-to-date kWh per endpoint. The figure comes from the energy ledger, which the billing rule fills;
 * until an endpoint has ledger entries it has no figure (null), never an estimate.
 */
export async function monthToDate(_runtime: Runtime, _endpoints: Endpoint[], _now: Date): Promise<Map<string, number>> {
  return new Map();
}
