import type { Transaction } from 'sequelize';
import type { Database } from '../../db/database.js';
import { NxfError } from '../../errors.js';
import { severities, type Severity } from '../event-bus.js';

/** A notification rule: events matching the pattern at or above the severity go to the channels. */
export interface NotificationRule {
  id: string;
  name: string;
  /** An event name, or a prefix ending in `*` (`job.*`, `consumption-monitor.*`, `*`). */
  eventPattern: string;
  minSeverity: Severity;
  /** The same rule notifies about the same subject at most once per this many seconds (0: every time). */
  quietSeconds: number;
  enabled: boolean;
  channelIds: string[];
  createdAt: Date;
  updatedAt: Date;
}

/** What a rule is made of, as the form or a script gives it. */
export type RuleInput = Pick<
  NotificationRule,
  'name' | 'eventPattern' | 'minSeverity' | 'quietSeconds' | 'enabled' | 'channelIds'
>;

interface RuleRow {
  id: string;
  name: string;
  event_pattern: string;
  min_severity: Severity;
  quiet_seconds: number;
  enabled: boolean;
  channel_ids: string[] | null;
  created_at: Date;
  updated_at: Date;
}

const toRule = (row: RuleRow): NotificationRule => ({
  id: row.id,
  name: row.name,
  eventPattern: row.event_pattern,
  minSeverity: row.min_severity,
  quietSeconds: row.quiet_seconds,
  enabled: row.enabled,
  channelIds: row.channel_ids ?? [],
  createdAt: row.created_at,
  updatedAt: row.updated_at,
});

/** Longest quiet period: thirty days. */
export const maxQuietSeconds = 30 * 24 * 3600;

const selectRules = `SELECT r.*, array_remove(array_agg(c.channel_id), NULL) AS channel_ids
  FROM notification_rules r LEFT JOIN notification_rule_channels c ON c.rule_id = r.id`;

/**
 * Checks a rule before it is saved.
 * @throws NxfError NXF_RULE_INVALID (422) whose `details` maps each bad field to what is wrong.
 */
export function verifyRule(input: RuleInput, channelIds: readonly string[]): void {
  const errors: Record<string, string> = {};
  if (input.name.trim() === '' || input.name.length > 100) errors.name = 'Give the rule a name of 1–100 characters.';
  if (!/^([a-z0-9_-]+\.)*([a-z0-9_-]+|\*)$|^\*$/i.test(input.eventPattern) || input.eventPattern.length > 200) {
    errors.eventPattern = 'An event name (job.failed) or a prefix ending in * (job.*, *).';
  }
  if (!severities.includes(input.minSeverity)) errors.minSeverity = `One of ${severities.join(', ')}.`;
  if (!Number.isInteger(input.quietSeconds) || input.quietSeconds < 0 || input.quietSeconds > maxQuietSeconds) {
    errors.quietSeconds = 'A duration such as 0, 90s, 15m, 2h or 1d (at most 30 days).';
  }
  if (input.channelIds.length === 0) errors.channelIds = 'Choose at least one channel.';
  else if (input.channelIds.some((id) => !channelIds.includes(id))) errors.channelIds = 'Choose existing channels.';
  if (Object.keys(errors).length > 0) {
    throw new NxfError('NXF_RULE_INVALID', 'The rule has errors.', { status: 422, details: errors });
  }
}

/** The `notification_rules` table and the channels of each rule. */
export class RuleStore {
  constructor(private readonly db: Database) {}

  async list(): Promise<NotificationRule[]> {
    const rows = await this.db.select<RuleRow>(`${selectRules} GROUP BY r.id ORDER BY lower(r.name)`);
    return rows.map(toRule);
  }

  async enabled(): Promise<NotificationRule[]> {
    const rows = await this.db.select<RuleRow>(`${selectRules} WHERE r.enabled GROUP BY r.id`);
    return rows.map(toRule);
  }

  async get(id: string): Promise<NotificationRule | undefined> {
    if (!/^[0-9a-f-]{36}$/i.test(id)) return undefined;
    const row = await this.db.one<RuleRow>(`${selectRules} WHERE r.id = $1 GROUP BY r.id`, [id]);
    return row && toRule(row);
  }

  /** @throws NxfError NXF_RULE_INVALID (422) for a name already taken. */
  async create(input: RuleInput): Promise<NotificationRule> {
    const id = await this.#save(async (transaction) => {
      const row = await this.db.one<{ id: string }>(
        `INSERT INTO notification_rules (name, event_pattern, min_severity, quiet_seconds, enabled)
         VALUES ($1, $2, $3, $4, $5) RETURNING id`,
        [input.name.trim(), input.eventPattern, input.minSeverity, input.quietSeconds, input.enabled],
        transaction,
      );
      return (row as { id: string }).id;
    }, input);
    return (await this.get(id)) as NotificationRule;
  }

  /** @throws NxfError NXF_RULE_INVALID (422) for a name already taken. */
  async update(id: string, input: RuleInput): Promise<NotificationRule> {
    await this.#save(async (transaction) => {
      await this.db.execute(
        `UPDATE notification_rules SET name = $2, event_pattern = $3, min_severity = $4, quiet_seconds = $5,
                enabled = $6, updated_at = now() WHERE id = $1`,
        [id, input.name.trim(), input.eventPattern, input.minSeverity, input.quietSeconds, input.enabled],
        transaction,
      );
      // A changed rule starts its quiet periods afresh.
      await this.db.execute('DELETE FROM notification_rule_firings WHERE rule_id = $1', [id], transaction);
      return id;
    }, input);
    return (await this.get(id)) as NotificationRule;
  }

  async delete(id: string): Promise<void> {
    await this.db.execute('DELETE FROM notification_rules WHERE id = $1', [id]);
  }

  /** Writes the rule and its channels in one transaction. */
  async #save(write: (transaction: Transaction) => Promise<string>, input: RuleInput): Promise<string> {
    try {
      return await this.db.transaction(async (transaction) => {
        const id = await write(transaction);
        await this.db.execute('DELETE FROM notification_rule_channels WHERE rule_id = $1', [id], transaction);
        for (const channelId of input.channelIds) {
          await this.db.execute(
            'INSERT INTO notification_rule_channels (rule_id, channel_id) VALUES ($1, $2)',
            [id, channelId],
            transaction,
          );
        }
        return id;
      });
    } catch (error) {
      if ((error as { name?: string }).name === 'SequelizeUniqueConstraintError') {
        throw new NxfError('NXF_RULE_INVALID', 'The rule has errors.', {
          status: 422,
          details: { name: 'Another rule has this name.' },
        });
      }
      throw error;
    }
  }
}
