import type { Database } from '../../db/database.js';

/** Whether a rule notifies about a subject now, and how many events its quiet period held back before. */
export interface FiringDecision {
  send: boolean;
  /** Events about this subject the rule did not send since it last did (reported with the next one). */
  heldBack: number;
}

/**
 * The quiet periods of notification rules (`notification_rule_firings`): one row per rule and subject with
 * the time it last notified. Deciding and recording are one statement, so two NxForge processes seeing the same
 * kind of event at once still notify once.
 */
export class RuleFiringStore {
  constructor(private readonly db: Database) {}

  /** Takes the right to notify about `subject` now, unless the rule's quiet period for it is still running. */
  async claim(ruleId: string, subject: string, quietSeconds: number): Promise<FiringDecision> {
    const row = await this.db.one<{ held_back: number | null }>(
      `WITH previous AS (
         SELECT suppressed FROM notification_rule_firings WHERE rule_id = $1 AND subject = $2)
       INSERT INTO notification_rule_firings AS f (rule_id, subject, last_sent_at, suppressed)
       VALUES ($1, $2, clock_timestamp(), 0)
       ON CONFLICT (rule_id, subject) DO UPDATE SET last_sent_at = clock_timestamp(), suppressed = 0
         WHERE f.last_sent_at <= clock_timestamp() - make_interval(secs => $3)
       RETURNING (SELECT suppressed FROM previous) AS held_back`,
      [ruleId, subject, quietSeconds],
    );
    if (row) return { send: true, heldBack: row.held_back ?? 0 };
    await this.db.execute(
      'UPDATE notification_rule_firings SET suppressed = suppressed + 1 WHERE rule_id = $1 AND subject = $2',
      [ruleId, subject],
    );
    return { send: false, heldBack: 0 };
  }

  /** Per rule, how many subjects are in a quiet period now and how many events were held back. */
  async quietNow(): Promise<Map<string, { subjects: number; heldBack: number }>> {
    const rows = await this.db.select<{ rule_id: string; subjects: number; held_back: number }>(
      `SELECT f.rule_id, count(*)::int AS subjects, sum(f.suppressed)::int AS held_back
         FROM notification_rule_firings f JOIN notification_rules r ON r.id = f.rule_id
        WHERE f.last_sent_at > clock_timestamp() - make_interval(secs => r.quiet_seconds)
        GROUP BY f.rule_id`,
    );
    return new Map(rows.map((row) => [row.rule_id, { subjects: row.subjects, heldBack: row.held_back }]));
  }

  /** Forgets firings whose quiet period is over and that held nothing back (retention cleanup). */
  async deleteExpired(): Promise<number> {
    return this.db.execute(
      `DELETE FROM notification_rule_firings f USING notification_rules r
        WHERE r.id = f.rule_id AND f.suppressed = 0
          AND f.last_sent_at <= clock_timestamp() - make_interval(secs => r.quiet_seconds)`,
    );
  }
}
