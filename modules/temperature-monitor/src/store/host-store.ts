import type { HostMemory } from '../alerts/host-machine.js';
import type { SourceKind } from '../sources/source-types.js';
import type { Sql } from './sql.js';

/** Options of a Redfish host. */
export interface RedfishOptions {
  /** `basic` sends the credentials with every request; `session` signs in once and reuses the session. */
  auth: 'basic' | 'session';
  /** Refuse an HTTPS certificate that is not trusted (off for a BMC's self-signed one). */
  verifyTls: boolean;
}

/** Options of an IPMI host. */
export interface IpmiOptions {
  interface: 'lanplus' | 'lan';
  /** ipmitool's `-C`; null for its default. */
  cipherSuite: number | null;
}

/** Options of a scraped host: the page and a selector per sensor. */
export interface ScrapeOptions {
  url: string;
  sensors: Array<{ name: string; selector: string }>;
}

/** A host as stored, with its password still sealed. */
export interface HostRow {
  id: number;
  name: string;
  address: string;
  source: SourceKind;
  username: string;
  password_sealed: string | null;
  poll_interval_seconds: number | null;
  enabled: boolean;
  rack: string;
  room: string;
  options: { redfish?: RedfishOptions; ipmi?: IpmiOptions; scrape?: ScrapeOptions };
  state: 'ok' | 'unreachable' | 'error';
  error_code: string | null;
  error_message: string | null;
  last_polled_at: Date | null;
  alert_memory: Partial<HostMemory>;
  session_sealed: string | null;
}

/** What is written for a host; the password already sealed (or undefined to keep it). */
export interface HostWrite {
  name: string;
  address: string;
  source: SourceKind;
  username: string;
  pollIntervalSeconds: number | null;
  enabled: boolean;
  rack: string;
  room: string;
  options: HostRow['options'];
}

const columns = `id, name, address, source, username, password_sealed, poll_interval_seconds, enabled, rack, room,
  options, state, error_code, error_message, last_polled_at, alert_memory, session_sealed`;

/** The hosts table. */
export function createHostStore(sql: Sql) {
  return {
    list: () => sql.select<HostRow>(`SELECT ${columns} FROM tm_host ORDER BY room, rack, lower(name), id`),

    get: (id: number) => sql.one<HostRow>(`SELECT ${columns} FROM tm_host WHERE id = $1`, [id]),

    /** Enabled hosts whose interval has passed since their last poll (all enabled ones with `all`). */
    due: (defaultIntervalSeconds: number, all: boolean) =>
      sql.select<HostRow>(
        `SELECT ${columns} FROM tm_host WHERE enabled AND ($2 OR last_polled_at IS NULL
           OR last_polled_at + make_interval(secs => coalesce(poll_interval_seconds, $1)) <= now() + interval '5 seconds')
         ORDER BY id`,
        [defaultIntervalSeconds, all],
      ),

    /** Inserts a host; `seal` seals the password once the id (which the sealed value is bound to) is known. */
    create: (host: HostWrite, seal: (id: number) => string | null) =>
      sql.transaction(async (tx) => {
        const row = await tx.one<{ id: number }>(
          `INSERT INTO tm_host (name, address, source, username, poll_interval_seconds, enabled, rack, room, options)
           VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) RETURNING id`,
          writeBind(host),
        );
        const id = (row as { id: number }).id;
        await tx.execute('UPDATE tm_host SET password_sealed = $2 WHERE id = $1', [id, seal(id)]);
        return id;
      }),

    /** Changes a host; a `sealedPassword` of undefined keeps the stored one. Clears a session of other credentials. */
    update: (id: number, host: HostWrite, sealedPassword: string | null | undefined) =>
      sql.execute(
        `UPDATE tm_host SET name = $2, address = $3, source = $4, username = $5, poll_interval_seconds = $6, enabled = $7,
           rack = $8, room = $9, options = $10,
           password_sealed = CASE WHEN $11 THEN $12 ELSE password_sealed END,
           updated_at = now()
         WHERE id = $1`,
        [id, ...writeBind(host), sealedPassword !== undefined, sealedPassword ?? null],
      ),

    remove: (id: number) => sql.execute('DELETE FROM tm_host WHERE id = $1', [id]),

    /** Records a poll's outcome and the host alert machine's memory. */
    recordPoll: (
      id: number,
      outcome: {
        state: HostRow['state'];
        errorCode: string | null;
        errorMessage: string | null;
        memory: HostMemory;
        at: Date;
      },
    ) =>
      sql.execute(
        `UPDATE tm_host SET state = $2, error_code = $3, error_message = $4, alert_memory = $5, last_polled_at = $6
         WHERE id = $1`,
        [id, outcome.state, outcome.errorCode, outcome.errorMessage, JSON.stringify(outcome.memory), outcome.at],
      ),
  };
}

/** The host store's methods. */
export type HostStore = ReturnType<typeof createHostStore>;

function writeBind(host: HostWrite): unknown[] {
  return [
    host.name,
    host.address,
    host.source,
    host.username,
    host.pollIntervalSeconds,
    host.enabled,
    host.rack,
    host.room,
    JSON.stringify(host.options),
  ];
}
