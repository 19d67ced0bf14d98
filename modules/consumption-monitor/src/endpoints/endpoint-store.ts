import { SELECT } from '../db.js';
import { randomUUID } from 'node:crypto';
import type { Sequelize } from 'sequelize';
import type { ModuleServices, SessionCookie } from 'nxforge/module';
import type { Endpoint, EndpointSecrets, EndpointSettings } from './endpoint.js';

/** A row of cm_endpoint as PostgreSQL returns it. */
interface EndpointRow {
  id: string;
  name: string;
  source: Endpoint['source'];
  url: string | null;
  selector: string | null;
  json_path: string | null;
  sensor: string | null;
  unit: Endpoint['unit'];
  kind: Endpoint['kind'];
  locale: string;
  poll_interval_minutes: number;
  timeout_seconds: number;
  rated_power_kw: number | null;
  alert_threshold_kwh: number | null;
  enabled: boolean;
  customer: string | null;
  rack: string | null;
  auth: Endpoint['auth'];
  snmp: Endpoint['snmp'];
  secrets: string | null;
  session: string | null;
  demo: boolean;
  failing_since: Date | null;
  stale_since: Date | null;
  last_attempt_at: Date | null;
  created_at: Date;
  updated_at: Date;
  read_fingerprint: string;
}

/**
 * A hash of what a reading depends on: how the endpoint is read (source, address, selector or path, auth and
 * sealed secrets) and how its value is judged and counted (unit, kind, locale, poll interval, rated power). Names,
 * labels, thresholds, the timeout and `enabled` are not in it: editing them does not change what a read means.
 */
export const readFingerprintSql = `md5(row(source, url, selector, json_path, sensor, unit, kind, locale,
  poll_interval_minutes, rated_power_kw, auth, snmp, secrets)::text)`;

const columns = `id, name, source, url, selector, json_path, sensor, unit, kind, locale, poll_interval_minutes,
  timeout_seconds, rated_power_kw, alert_threshold_kwh, enabled, customer, rack, auth, snmp, secrets, session, demo,
  failing_since, stale_since, last_attempt_at, created_at, updated_at, ${readFingerprintSql} AS read_fingerprint`;

/** The secrets are bound to the endpoint's row: sealed for one endpoint, they cannot be opened for another. */
const secretContext = (id: string) => `endpoint:${id}`;
const sessionContext = (id: string) => `endpoint-session:${id}`;

/** cm_endpoint: endpoints with their secrets sealed at rest and their device session. */
export class EndpointStore {
  constructor(
    private readonly db: Sequelize,
    private readonly secrets: ModuleServices['secrets'],
  ) {}

  async list(): Promise<Endpoint[]> {
    const rows = await this.db.query<EndpointRow>(`SELECT ${columns} FROM cm_endpoint ORDER BY lower(name)`, {
      type: SELECT,
    });
    return rows.map(toEndpoint);
  }

  async get(id: string): Promise<Endpoint | undefined> {
    if (!isUuid(id)) return undefined;
    const [row] = await this.db.query<EndpointRow>(`SELECT ${columns} FROM cm_endpoint WHERE id = $1`, {
      bind: [id],
      type: SELECT,
    });
    return row ? toEndpoint(row) : undefined;
  }

  /** True when another endpoint already has this name (names are unique regardless of case). */
  async nameTaken(name: string, exceptId?: string): Promise<boolean> {
    const rows = await this.db.query(
      `SELECT 1 FROM cm_endpoint WHERE lower(name) = lower($1) AND id IS DISTINCT FROM $2`,
      {
        bind: [name, exceptId ?? null],
        type: SELECT,
      },
    );
    return rows.length > 0;
  }

  /** The stored secrets, opened; {} when there are none. */
  async secretsOf(id: string): Promise<EndpointSecrets> {
    const [row] = await this.db.query<{ secrets: string | null }>('SELECT secrets FROM cm_endpoint WHERE id = $1', {
      bind: [id],
      type: SELECT,
    });
    return row?.secrets ? (JSON.parse(this.secrets.open(row.secrets, secretContext(id))) as EndpointSecrets) : {};
  }

  async create(
    settings: EndpointSettings,
    secrets: EndpointSecrets,
    options: { demo?: boolean } = {},
  ): Promise<Endpoint> {
    const id = randomUUID();
    await this.db.query(
      `INSERT INTO cm_endpoint (id, ${settingColumns.join(', ')}, secrets, demo)
       VALUES ($1, ${settingColumns.map((_, i) => `$${i + 2}`).join(', ')}, $${settingColumns.length + 2}, $${settingColumns.length + 3})`,
      { bind: [id, ...settingValues(settings), this.seal(id, secrets), options.demo ?? false] },
    );
    return (await this.get(id))!;
  }

  /**
   * Replaces an endpoint's settings; secrets not given are kept, those the new auth no longer uses dropped.
   * The device session is forgotten when the address or credentials change.
   */
  async update(id: string, settings: EndpointSettings, secrets: EndpointSecrets): Promise<Endpoint | undefined> {
    const before = await this.get(id);
    if (!before) return undefined;
    const stored = this.openSecrets(before); // sealed in the row just read: no second query
    const merged = relevantSecrets(settings, { ...stored, ...secrets });
    // Unchanged secrets keep their sealed text (sealing again gives another), so an edit of a name or a label
    // leaves the read fingerprint alone and a read under way is stored.
    const sealed =
      JSON.stringify(present(merged)) === JSON.stringify(present(stored))
        ? before.sealed.secrets
        : this.seal(id, merged);
    const sameDevice = before.url === settings.url && JSON.stringify(before.auth) === JSON.stringify(settings.auth);
    const forgetSession = !sameDevice || Object.keys(secrets).length > 0;
    await this.db.query(
      `UPDATE cm_endpoint SET ${settingColumns.map((c, i) => `${c} = $${i + 2}`).join(', ')},
         secrets = $${settingColumns.length + 2}, updated_at = clock_timestamp()
         ${forgetSession ? ', session = NULL' : ''}
       WHERE id = $1`,
      { bind: [id, ...settingValues(settings), sealed] },
    );
    return this.get(id);
  }

  async delete(id: string): Promise<boolean> {
    if (!isUuid(id)) return false;
    const [, result] = (await this.db.query('DELETE FROM cm_endpoint WHERE id = $1', { bind: [id] })) as [
      unknown,
      { rowCount?: number },
    ];
    return (result?.rowCount ?? 0) > 0;
  }

  /** The secrets of an endpoint as listed, opened (no query); throws when they cannot be opened. */
  openSecrets(endpoint: Endpoint): EndpointSecrets {
    const sealed = endpoint.sealed.secrets;
    return sealed ? (JSON.parse(this.secrets.open(sealed, secretContext(endpoint.id))) as EndpointSecrets) : {};
  }

  /** The device session's cookies kept from the last read ([] when there is none or it cannot be opened). */
  openSession(endpoint: Endpoint): SessionCookie[] {
    if (!endpoint.sealed.session) return [];
    try {
      return JSON.parse(this.secrets.open(endpoint.sealed.session, sessionContext(endpoint.id))) as SessionCookie[];
    } catch {
      return []; // sealed under another NXFORGE_SECRET: the device is simply signed in to again
    }
  }

  /**
   * Keeps the session's cookies for the next read (sealed like the other secrets) — unless how the endpoint is
   * read changed since the read began (`readFingerprint`, as listed then): a login made with credentials or at an
   * address replaced meanwhile is not the endpoint's session any more.
   */
  async saveSession(id: string, cookies: SessionCookie[], readFingerprint: string): Promise<void> {
    const sealed = cookies.length > 0 ? this.secrets.seal(JSON.stringify(cookies), sessionContext(id)) : null;
    await this.db.query(`UPDATE cm_endpoint SET session = $2 WHERE id = $1 AND ${readFingerprintSql} = $3`, {
      bind: [id, sealed, readFingerprint],
    });
  }

  private seal(id: string, secrets: EndpointSecrets): string | null {
    const kept = present(secrets);
    return Object.keys(kept).length > 0 ? this.secrets.seal(JSON.stringify(kept), secretContext(id)) : null;
  }
}

/** The secrets that have a value, the ones sealed. */
function present(secrets: EndpointSecrets): EndpointSecrets {
  return Object.fromEntries(Object.entries(secrets).filter(([, value]) => value));
}

const settingColumns = [
  'name',
  'source',
  'url',
  'selector',
  'json_path',
  'sensor',
  'unit',
  'kind',
  'locale',
  'poll_interval_minutes',
  'timeout_seconds',
  'rated_power_kw',
  'alert_threshold_kwh',
  'enabled',
  'customer',
  'rack',
  'auth',
  'snmp',
];

function settingValues(s: EndpointSettings): unknown[] {
  return [
    s.name,
    s.source,
    s.url,
    s.selector,
    s.jsonPath,
    s.sensor,
    s.unit,
    s.kind,
    s.locale,
    s.pollIntervalMinutes,
    s.timeoutSeconds,
    s.ratedPowerKw,
    s.alertThresholdKwh,
    s.enabled,
    s.customer,
    s.rack,
    s.auth ? JSON.stringify(s.auth) : null,
    s.snmp ? JSON.stringify(s.snmp) : null,
  ];
}

/** The secrets the endpoint's auth still uses. */
function relevantSecrets(settings: EndpointSettings, secrets: EndpointSecrets): EndpointSecrets {
  if (settings.source === 'snmp') {
    const v3 = settings.snmp?.version === '3';
    return {
      community: v3 ? undefined : secrets.community,
      authKey: v3 && settings.snmp?.authProtocol ? secrets.authKey : undefined,
      privKey: v3 && settings.snmp?.privProtocol ? secrets.privKey : undefined,
    };
  }
  const type = settings.auth?.type ?? 'none';
  return {
    password: type === 'basic' || type === 'form' ? secrets.password : undefined,
    cookies: type === 'cookie' ? secrets.cookies : undefined,
    headerValue: type === 'header' ? secrets.headerValue : undefined,
  };
}

/** Ids are UUIDs; anything else names no endpoint (rather than a database error). */
export function isUuid(id: string): boolean {
  return /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(id);
}

function toEndpoint(row: EndpointRow): Endpoint {
  return {
    id: row.id,
    name: row.name,
    source: row.source,
    url: row.url,
    selector: row.selector,
    jsonPath: row.json_path,
    sensor: row.sensor,
    unit: row.unit,
    kind: row.kind,
    locale: row.locale,
    pollIntervalMinutes: row.poll_interval_minutes,
    timeoutSeconds: row.timeout_seconds,
    ratedPowerKw: row.rated_power_kw,
    alertThresholdKwh: row.alert_threshold_kwh,
    enabled: row.enabled,
    customer: row.customer,
    rack: row.rack,
    auth: row.auth,
    snmp: row.snmp,
    demo: row.demo,
    failingSince: row.failing_since,
    staleSince: row.stale_since,
    lastAttemptAt: row.last_attempt_at,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
    readFingerprint: row.read_fingerprint,
    sealed: { secrets: row.secrets, session: row.session },
  };
}

/** Which secrets an endpoint has stored (names only), for "unchanged" in forms and `secrets` in the API. */
export function storedSecretNames(store: EndpointStore, endpoint: Endpoint): string[] {
  try {
    return Object.keys(store.openSecrets(endpoint));
  } catch {
    return []; // sealed under another NXFORGE_SECRET: nothing usable is stored
  }
}
