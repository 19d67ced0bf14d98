import type { Database } from '../db/database.js';
import { escapeLike } from '../db/escape-like.js';
import { eventSubject } from './builtin-events.js';
import { severities, type NxfEvent, type Severity } from './event-bus.js';

/** An event as stored (every event emitted in any NxForge process). */
export interface StoredEvent extends NxfEvent {
  id: string;
  /** What it is about; the quiet-period key of notification rules. */
  subject: string;
}

/** Which events to list; every field narrows. */
export interface EventFilters {
  /** An exact name, or a prefix ending in `*` (`job.*`). */
  name?: string;
  source?: string;
  /** This severity or worse. */
  severity?: Severity;
  /** At or after. */
  since?: Date;
  /** Before. */
  until?: Date;
  /** Only events with a larger id (newer), for live refresh. */
  afterId?: string;
  /** Only events with a smaller id (older), for paging back. */
  beforeId?: string;
  /** Events whose payload names this execution. */
  executionId?: string;
  /** Default 50, at most 500. */
  limit?: number;
}

interface EventRow {
  id: string;
  name: string;
  source: string;
  severity: Severity;
  subject: string;
  payload: unknown;
  occurred_at: Date;
}

const toEvent = (row: EventRow): StoredEvent => ({
  id: String(row.id),
  name: row.name,
  source: row.source,
  severity: row.severity,
  subject: row.subject,
  payload: row.payload,
  at: row.occurred_at,
});

/** Payloads larger than this are stored as a note, so one chatty module cannot bloat the table. */
const maxPayloadBytes = 64 * 1024;

/** The `events` table: every event, kept for the retention period. */
export class EventStore {
  constructor(private readonly db: Database) {}

  /** Stores an event (the event bus's recorder). */
  async record(event: NxfEvent): Promise<void> {
    let payload: string | null;
    try {
      payload = event.payload === undefined ? null : JSON.stringify(event.payload);
    } catch {
      payload = JSON.stringify({ note: 'The payload could not be stored as JSON.' });
    }
    if (payload && Buffer.byteLength(payload) > maxPayloadBytes) {
      payload = JSON.stringify({ note: `The payload was larger than ${maxPayloadBytes} bytes.` });
    }
    await this.db.execute(
      `INSERT INTO events (name, source, severity, subject, payload, occurred_at) VALUES ($1, $2, $3, $4, $5, $6)`,
      [event.name.slice(0, 200), event.source.slice(0, 100), event.severity, eventSubject(event), payload, event.at],
    );
  }

  /** Events matching `filters`, newest first. */
  async list(filters: EventFilters = {}): Promise<StoredEvent[]> {
    const prefix = filters.name?.endsWith('*') ? `${escapeLike(filters.name.slice(0, -1))}%` : null;
    const exact = filters.name && !prefix ? filters.name : null;
    const minimum = filters.severity ? severities.indexOf(filters.severity) : 0;
    const rows = await this.db.select<EventRow>(
      `SELECT * FROM events
        WHERE ($1::text IS NULL OR name LIKE $1) AND ($10::text IS NULL OR name = $10)
          AND ($2::text IS NULL OR source = $2)
          AND array_position($3::text[], severity) > $4
          AND ($5::timestamptz IS NULL OR occurred_at >= $5) AND ($6::timestamptz IS NULL OR occurred_at < $6)
          AND ($7::bigint IS NULL OR id > $7)
          AND ($8::text IS NULL OR payload->>'executionId' = $8)
          AND ($11::bigint IS NULL OR id < $11)
        ORDER BY id DESC LIMIT $9`,
      [
        prefix,
        filters.source ?? null,
        [...severities],
        minimum,
        filters.since ?? null,
        filters.until ?? null,
        filters.afterId ?? null,
        filters.executionId ?? null,
        Math.min(Math.max(filters.limit ?? 50, 1), 500),
        exact,
        filters.beforeId ?? null,
      ],
    );
    return rows.map(toEvent);
  }

  /** The sources seen, for the filter form: a walk down the source index, one probe per source. */
  async sources(): Promise<string[]> {
    const rows = await this.db.select<{ source: string }>(
      `WITH RECURSIVE seen AS (
         SELECT min(source) AS source FROM events
         UNION ALL
         SELECT (SELECT min(source) FROM events WHERE source > seen.source) FROM seen WHERE seen.source IS NOT NULL)
       SELECT source FROM seen WHERE source IS NOT NULL`,
    );
    return rows.map((row) => row.source);
  }

  /** Deletes events older than `before` (retention); returns how many. */
  async deleteBefore(before: Date): Promise<number> {
    return this.db.execute('DELETE FROM events WHERE occurred_at < $1', [before]);
  }
}
