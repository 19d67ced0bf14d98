import type { Endpoint } from '../endpoints/endpoint.js';
import type { SessionCookie } from 'nxforge/module';
import { readBrowser } from './browser-source.js';
import { readHttp } from './http-source.js';
import { readRedfish } from './redfish-source.js';
import { readSnmp } from './snmp-source.js';
import type { SourceContext, SourceReader } from './source.js';

/** One read of an endpoint, success or not (the shape `POST /endpoints/:id/test` answers with). */
export interface ReadOutcome {
  success: boolean;
  /** kWh for counters, kW for power endpoints. */
  value: number | null;
  raw: string | null;
  durationMs: number;
  errorCode: string | null;
  error: string | null;
  /** Path of the failure screenshot in the module's storage (browser reads). */
  screenshot: string | null;
  /** Browser reads: the device session to keep for the next read. */
  cookies?: SessionCookie[];
}

const readers: Record<Endpoint['source'], SourceReader> = {
  browser: readBrowser,
  http: readHttp,
  snmp: readSnmp,
  redfish: readRedfish,
};

/** Reads an endpoint once; never throws for the device's fault: the outcome says what went wrong. */
export async function readEndpoint(endpoint: Endpoint, context: SourceContext): Promise<ReadOutcome> {
  const started = Date.now();
  try {
    const read = await readers[endpoint.source](endpoint, context);
    return {
      success: true,
      value: toStoredUnit(read.number, endpoint.unit),
      raw: read.raw,
      durationMs: Date.now() - started,
      errorCode: null,
      error: null,
      screenshot: null,
      cookies: read.cookies,
    };
  } catch (thrown) {
    const error = thrown as { code?: string; message?: string; extra?: { raw?: string; screenshot?: string } };
    return {
      success: false,
      value: null,
      raw: error.extra?.raw ?? null,
      durationMs: Date.now() - started,
      errorCode: typeof error.code === 'string' ? error.code : 'CM_READ_FAILED',
      error: error.message ?? String(thrown),
      screenshot: error.extra?.screenshot ?? null,
    };
  }
}

/** Counters are stored in kWh, power in kW. */
export function toStoredUnit(number: number, unit: Endpoint['unit']): number {
  return unit === 'Wh' || unit === 'W' ? number / 1000 : number;
}
