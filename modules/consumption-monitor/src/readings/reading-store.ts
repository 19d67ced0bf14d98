import { SELECT } from '../db.js';
import { readFingerprintSql } from '../endpoints/endpoint-store.js';
import type { Sequelize } from 'sequelize';
import type { PreviousReading } from './plausibility.js';
import { readingColumns, toReading, type Reading, type ReadingRow } from './reading.js';

/** A reading to store: one attempt to read an endpoint. */
export interface NewReading {
  endpointId: string;
  at: Date;
  value: number | null;
  status: Reading['status'];
  reason: string | null;
  raw: string | null;
  errorCode: string | null;
  error: string | null;
  screenshot: string | null;
  reset: boolean;
  durationMs: number;
}

/** Filters of `GET /consumption/readings`. */
export interface ReadingQuery {
  endpointId?: string;
  from?: Date;
  to?: Date;
  status?: Reading['status'];
  limit: number;
  offset: number;
}

/** cm_reading: every attempt to read an endpoint. */
export class ReadingStore {
  constructor(private readonly db: Sequelize) {}

  /**
   * Stores a reading (and notes the endpoint's last attempt) if the endpoint is still read and judged as it was
   * when the read began (`readFingerprint`): a reading taken with an address, credentials or unit edited
   * meanwhile, or of an endpoint deleted meanwhile, is not stored; one whose name or labels were edited is.
   * Returns its id, or undefined when it was not stored (also when a reading of that endpoint and time exists).
   */
  async insert(reading: NewReading, readFingerprint: string): Promise<string | undefined> {
    // One statement: the reading, and the endpoint's last attempt when the reading was stored.
    const rows = await this.db.query<{ id: string }>(
      `WITH stored AS (
         INSERT INTO cm_reading (endpoint_id, recorded_at, value, status, reason, raw, error_code, error_message,
           screenshot_path, reset, duration_ms)
         SELECT $1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11
         WHERE EXISTS (SELECT 1 FROM cm_endpoint WHERE id = $1 AND ${readFingerprintSql} = $12)
         ON CONFLICT (endpoint_id, recorded_at) DO NOTHING
         RETURNING id::text AS id),
       attempted AS (UPDATE cm_endpoint SET last_attempt_at = $2 WHERE id = $1 AND EXISTS (SELECT 1 FROM stored))
       SELECT id FROM stored`,
      {
        bind: [
          reading.endpointId,
          reading.at,
          reading.value,
          reading.status,
          reading.reason,
          reading.raw?.slice(0, 2000) ?? null,
          reading.errorCode,
          reading.error?.slice(0, 2000) ?? null,
          reading.screenshot,
          reading.reset,
          reading.durationMs,
          readFingerprint,
        ],
        type: SELECT,
      },
    );
    return rows[0]?.id;
  }

  /** The endpoint's last ok reading before `before` (what a new value is judged against). */
  async lastOk(endpointId: string, before: Date): Promise<PreviousReading | undefined> {
    const [row] = await this.db.query<{ value: number; recorded_at: Date }>(
      `SELECT value, recorded_at FROM cm_reading WHERE endpoint_id = $1 AND status = 'ok' AND recorded_at < $2
       ORDER BY recorded_at DESC LIMIT 1`,
      { bind: [endpointId, before], type: SELECT },
    );
    return row ? { value: row.value, at: new Date(row.recorded_at) } : undefined;
  }

  /** The last ok reading of each of `endpointIds` (those with none are absent), in one query. */
  async lastOkOf(endpointIds: string[]): Promise<Map<string, PreviousReading>> {
    if (endpointIds.length === 0) return new Map();
    const rows = await this.db.query<{ endpoint_id: string; value: number; recorded_at: Date }>(
      `SELECT e.id AS endpoint_id, r.value, r.recorded_at FROM unnest($1::uuid[]) AS e (id)
       CROSS JOIN LATERAL (SELECT value, recorded_at FROM cm_reading WHERE endpoint_id = e.id AND status = 'ok'
                           ORDER BY recorded_at DESC LIMIT 1) r`,
      { bind: [endpointIds], type: SELECT },
    );
    return new Map(rows.map((row) => [row.endpoint_id, { value: row.value, at: new Date(row.recorded_at) }]));
  }

  /** Readings newest first, filtered and paged, and how many match. */
  async list(query: ReadingQuery): Promise<{ readings: Reading[]; total: number }> {
    const conditions: string[] = [];
    const bind: unknown[] = [];
    const add = (sql: string, value: unknown) => {
      bind.push(value);
      conditions.push(sql.replace('?', `$${bind.length}`));
    };
    if (query.endpointId) add('endpoint_id = ?', query.endpointId);
    if (query.from) add('recorded_at >= ?', query.from);
    if (query.to) add('recorded_at < ?', query.to);
    if (query.status) add('status = ?', query.status);
    const where = conditions.length > 0 ? `WHERE ${conditions.join(' AND ')}` : '';
    const [count] = await this.db.query<{ total: string }>(`SELECT count(*) AS total FROM cm_reading ${where}`, {
      bind,
      type: SELECT,
    });
    const rows = await this.db.query<ReadingRow>(
      `SELECT ${readingColumns} FROM cm_reading ${where} ORDER BY recorded_at DESC, id DESC
       LIMIT $${bind.length + 1} OFFSET $${bind.length + 2}`,
      { bind: [...bind, query.limit, query.offset], type: SELECT },
    );
    return { readings: rows.map(toReading), total: Number(count?.total ?? 0) };
  }

  /** The latest reading of each endpoint (any status), and the two latest ok ones, for lists and tiles. */
  async latest(): Promise<Map<string, LatestReadings>> {
    const rows = await this.db.query<ReadingRow & { kind: 'last' | 'ok' }>(
      `SELECT r.* FROM cm_endpoint e CROSS JOIN LATERAL (
         (SELECT ${readingColumns}, 'last' AS kind FROM cm_reading WHERE endpoint_id = e.id ORDER BY recorded_at DESC LIMIT 1)
         UNION ALL
         (SELECT ${readingColumns}, 'ok' AS kind FROM cm_reading WHERE endpoint_id = e.id AND status = 'ok'
          ORDER BY recorded_at DESC LIMIT 2)
       ) r`,
      { type: SELECT },
    );
    const byEndpoint = new Map<string, LatestReadings>();
    for (const row of rows) {
      const entry = byEndpoint.get(row.endpoint_id) ?? { last: undefined, ok: [] };
      if (row.kind === 'last') entry.last = toReading(row);
      else entry.ok.push(toReading(row));
      byEndpoint.set(row.endpoint_id, entry);
    }
    for (const entry of byEndpoint.values()) entry.ok.sort((a, b) => b.at.localeCompare(a.at));
    return byEndpoint;
  }
}

/** An endpoint's latest reading and its last two ok ones, newest first. */
export interface LatestReadings {
  last: Reading | undefined;
  ok: Reading[];
}
