import type { Database } from '../db/database.js';
import { escapeLike } from '../db/escape-like.js';

export type AuditOutcome = 'success' | 'failure' | 'denied';

/** One thing someone did, or tried to do. */
export interface AuditEntry {
  /** Dotted verb, e.g. `auth.login`, `user.create`, `token.revoke`, `module.enable`. */
  action: string;
  outcome: AuditOutcome;
  /** What it was done to, e.g. a username or a module name. */
  target?: string;
  actor?: { id: string; username: string };
  /** Actor name when there is no account (a failed login names the username tried). */
  actorName?: string;
  sourceIp?: string;
  details?: Record<string, unknown>;
}

/** A stored entry. */
export interface AuditRecord {
  id: string;
  at: Date;
  actorName: string | null;
  action: string;
  target: string | null;
  outcome: AuditOutcome;
  sourceIp: string | null;
  details: Record<string, unknown> | null;
}

/** Filters for listing entries; all optional. */
export interface AuditQuery {
  actor?: string;
  /** Exact action, or a prefix ending in `.` (e.g. `user.`). */
  action?: string;
  from?: Date;
  to?: Date;
  limit?: number;
  offset?: number;
}

interface AuditRow {
  id: string;
  at: Date;
  actor_name: string | null;
  action: string;
  target: string | null;
  outcome: AuditOutcome;
  source_ip: string | null;
  details: Record<string, unknown> | null;
}

/** The `audit_log` table: append-only record of logins, account, token, module and settings changes. */
export class AuditLog {
  constructor(private readonly db: Database) {}

  async record(entry: AuditEntry): Promise<void> {
    await this.db.execute(
      `INSERT INTO audit_log (actor_id, actor_name, action, target, outcome, source_ip, details)
       VALUES ($1, $2, $3, $4, $5, $6, $7)`,
      [
        entry.actor?.id ?? null,
        entry.actor?.username ?? entry.actorName ?? null,
        entry.action,
        entry.target ?? null,
        entry.outcome,
        entry.sourceIp ?? null,
        entry.details ? JSON.stringify(entry.details) : null,
      ],
    );
  }

  /** Entries matching `query`, newest first. */
  async query(query: AuditQuery = {}): Promise<AuditRecord[]> {
    const conditions: string[] = [];
    const bind: unknown[] = [];
    const add = (sql: string, value: unknown) => {
      bind.push(value);
      conditions.push(sql.replace('?', `$${bind.length}`));
    };
    if (query.actor) add('lower(actor_name) = lower(?)', query.actor);
    if (query.action) {
      // A family prefix matches literally: `%` and `_` in it are no wildcards.
      if (query.action.endsWith('.')) add("action LIKE ? || '%'", escapeLike(query.action));
      else add('action = ?', query.action);
    }
    if (query.from) add('at >= ?', query.from);
    if (query.to) add('at < ?', query.to);
    bind.push(Math.min(query.limit ?? 100, 500), query.offset ?? 0);
    const where = conditions.length > 0 ? `WHERE ${conditions.join(' AND ')}` : '';
    const rows = await this.db.select<AuditRow>(
      `SELECT id, at, actor_name, action, target, outcome, source_ip, details FROM audit_log ${where}
        ORDER BY at DESC, id DESC LIMIT $${bind.length - 1} OFFSET $${bind.length}`,
      bind,
    );
    return rows.map((row) => ({
      id: String(row.id),
      at: row.at,
      actorName: row.actor_name,
      action: row.action,
      target: row.target,
      outcome: row.outcome,
      sourceIp: row.source_ip,
      details: row.details,
    }));
  }

  /** Distinct actions seen, for the filter menu. */
  async actions(): Promise<string[]> {
    const rows = await this.db.select<{ action: string }>('SELECT DISTINCT action FROM audit_log ORDER BY action');
    return rows.map((row) => row.action);
  }
}
