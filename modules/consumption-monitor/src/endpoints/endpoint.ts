/** The four ways PDUs and meters expose energy. */
export const sources = ['browser', 'http', 'snmp', 'redfish'] as const;
/** Where an endpoint's value comes from. */
export type Source = (typeof sources)[number];
/** `counter`: cumulative energy; `power`: instantaneous draw. */
export type Kind = 'counter' | 'power';
/** Units a device reports in: energy for counters, power for power endpoints. */
export type Unit = 'Wh' | 'kWh' | 'W' | 'kW';
/** How the device signs people in. */
export type AuthType = 'none' | 'basic' | 'form' | 'cookie' | 'header';
/** The live state of an endpoint. */
export type EndpointState = 'new' | 'ok' | 'stale' | 'error' | 'disabled';

/** The auth settings that may be shown back (every secret removed). */
export interface AuthSettings {
  type: AuthType;
  username?: string;
  loginUrl?: string | null;
  usernameSelector?: string;
  passwordSelector?: string;
  submitSelector?: string | null;
  headerName?: string;
}

/** SNMP settings that may be shown back. */
export interface SnmpSettings {
  host: string;
  port: number;
  version: '2c' | '3';
  user?: string | null;
  authProtocol?: string | null;
  privProtocol?: string | null;
  oid: string;
  scale: number;
}

/** The secrets of an endpoint, sealed together at rest and never shown back. */
export interface EndpointSecrets {
  password?: string;
  /** Cookie auth: `name=value; name2=value2`. */
  cookies?: string;
  headerValue?: string;
  community?: string;
  authKey?: string;
  privKey?: string;
}

/** An endpoint as the module works with it (secrets opened). */
export interface Endpoint {
  id: string;
  name: string;
  source: Source;
  url: string | null;
  selector: string | null;
  jsonPath: string | null;
  sensor: string | null;
  unit: Unit;
  kind: Kind;
  locale: string;
  pollIntervalMinutes: number;
  timeoutSeconds: number;
  ratedPowerKw: number | null;
  alertThresholdKwh: number | null;
  enabled: boolean;
  customer: string | null;
  rack: string | null;
  auth: AuthSettings | null;
  snmp: SnmpSettings | null;
  demo: boolean;
  failingSince: Date | null;
  staleSince: Date | null;
  lastAttemptAt: Date | null;
  updatedAt: Date;
  createdAt: Date;
  /** A hash of the settings a reading depends on (see `readFingerprintSql`), as they were when listed. */
  readFingerprint: string;
  /** The secrets and the device session as stored, sealed (opened only when the endpoint is read). */
  sealed: { secrets: string | null; session: string | null };
}

/** The settings a client sends to create or replace an endpoint, validated into this. */
export type EndpointSettings = Omit<
  Endpoint,
  | 'id'
  | 'demo'
  | 'failingSince'
  | 'staleSince'
  | 'lastAttemptAt'
  | 'updatedAt'
  | 'createdAt'
  | 'sealed'
  | 'readFingerprint'
>;

/** Names of the secret fields, as the API spells them (under `auth` or `snmp`). */
export const secretFields = ['password', 'cookies', 'headerValue', 'community', 'authKey', 'privKey'] as const;
