import type { Database } from '../../db/database.js';
import type { Severity } from './notification.js';

/** One try at delivering one notification to one channel. */
export interface DeliveryAttempt {
  /** The stored channel, when it was one (inline channels of a module have none). */
  channelId?: string;
  /** Name at the time (kept after the channel is deleted). */
  channelName: string;
  /** email, webhook or slack. */
  channelType: string;
  /** `core`, a module name, or `settings` for a test message. */
  source: string;
  /** The notification's title. */
  title: string;
  /** The notification's severity. */
  severity: Severity;
  /** 1 for the first try. */
  attempt: number;
  /** How this attempt ended. */
  status: 'delivered' | 'failed';
  /** HTTP status or SMTP reply code, when there was an answer. */
  responseStatus?: number;
  /** Why it failed. */
  error?: string;
  /** How long the attempt took. */
  durationMs: number;
}

/** A recorded attempt. */
export interface DeliveryRecord extends DeliveryAttempt {
  /** Row id. */
  id: string;
  /** When the attempt started. */
  attemptedAt: Date;
}

interface DeliveryRow {
  id: string;
  channel_id: string | null;
  channel_name: string;
  channel_type: string;
  source: string;
  /** The notification's title. */
  title: string;
  /** The notification's severity. */
  severity: Severity;
  attempt: number;
  /** How this attempt ended. */
  status: 'delivered' | 'failed';
  response_status: number | null;
  error: string | null;
  duration_ms: number;
  attempted_at: Date;
}

/** The `notification_deliveries` table: every attempt, for the settings page and for troubleshooting. */
export class DeliveryLog {
  constructor(private readonly db: Database) {}

  /** Appends one attempt. */
  async record(attempt: DeliveryAttempt): Promise<void> {
    await this.db.execute(
      `INSERT INTO notification_deliveries
         (channel_id, channel_name, channel_type, source, title, severity, attempt, status, response_status, error, duration_ms)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)`,
      [
        attempt.channelId ?? null,
        attempt.channelName,
        attempt.channelType,
        attempt.source,
        attempt.title.slice(0, 200),
        attempt.severity,
        attempt.attempt,
        attempt.status,
        attempt.responseStatus ?? null,
        attempt.error?.slice(0, 1000) ?? null,
        attempt.durationMs,
      ],
    );
  }

  /** The latest attempts, newest first; of one channel when `channelId` is given. */
  async recent(options: { limit?: number; channelId?: string } = {}): Promise<DeliveryRecord[]> {
    const limit = Math.min(options.limit ?? 20, 200);
    const rows = options.channelId
      ? await this.db.select<DeliveryRow>(
          'SELECT * FROM notification_deliveries WHERE channel_id = $1 ORDER BY attempted_at DESC, id DESC LIMIT $2',
          [options.channelId, limit],
        )
      : await this.db.select<DeliveryRow>(
          'SELECT * FROM notification_deliveries ORDER BY attempted_at DESC, id DESC LIMIT $1',
          [limit],
        );
    return rows.map(toRecord);
  }

  /** Each channel's latest test message (source `settings`), by channel id: the "Last test" of the settings page. */
  async lastTests(): Promise<Map<string, DeliveryRecord>> {
    const rows = await this.db.select<DeliveryRow>(
      `SELECT DISTINCT ON (channel_id) * FROM notification_deliveries
        WHERE source = 'settings' AND channel_id IS NOT NULL
        ORDER BY channel_id, attempted_at DESC, id DESC`,
    );
    return new Map(rows.map((row) => [String(row.channel_id), toRecord(row)]));
  }
}

function toRecord(row: DeliveryRow): DeliveryRecord {
  return {
    id: String(row.id),
    channelId: row.channel_id ?? undefined,
    channelName: row.channel_name,
    channelType: row.channel_type,
    source: row.source,
    title: row.title,
    severity: row.severity,
    attempt: row.attempt,
    status: row.status,
    responseStatus: row.response_status ?? undefined,
    error: row.error ?? undefined,
    durationMs: row.duration_ms,
    attemptedAt: row.attempted_at,
  };
}
