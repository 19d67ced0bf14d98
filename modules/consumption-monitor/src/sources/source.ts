import type { ModuleLogger, ModuleServices, SessionCookie } from 'nxforge/module';
import type { Endpoint, EndpointSecrets } from '../endpoints/endpoint.js';

/** What a read of a device gave: the number in the device's unit and the text it came from. */
export interface SourceValue {
  /** The number as the device stated it (before unit conversion; SNMP: already scaled). */
  number: number;
  /** The text or JSON the number was read from. */
  raw: string;
  /** Browser reads: where the failure screenshot is (none on success). */
  screenshot?: string;
  /** Browser reads: the device session to keep. */
  cookies?: SessionCookie[];
}

/** What a source needs to read one endpoint. */
export interface SourceContext {
  services: ModuleServices;
  logger: ModuleLogger;
  secrets: EndpointSecrets;
  /** Keep a screenshot of a failed browser read. */
  screenshotOnError: boolean;
  /** The device session kept from the last read. */
  session: SessionCookie[];
}

/** Reads an endpoint's number; throws a coded error (NXF_… or CM_…) when it cannot. */
export type SourceReader = (endpoint: Endpoint, context: SourceContext) => Promise<SourceValue>;

/** A coded error of the module, as the core's errors carry a code and a status. */
export class ReadError extends Error {
  constructor(
    readonly code: string,
    message: string,
    readonly extra: { raw?: string; screenshot?: string } = {},
  ) {
    super(message);
    this.name = 'ReadError';
  }
}
