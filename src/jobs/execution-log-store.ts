import type { Database } from '../db/database.js';
import type { ModuleLogLevel } from '../logger.js';

/** A line a job logged. */
export interface ExecutionLogLine {
  /** Position in the execution's log, from 1. */
  seq: number;
  at: Date;
  level: ModuleLogLevel;
  message: string;
  fields: Record<string, unknown> | null;
}

interface LogRow {
  seq: number;
  at: Date;
  level: ModuleLogLevel;
  message: string;
  fields: Record<string, unknown> | null;
}

/** The `execution_logs` table. */
export class ExecutionLogStore {
  constructor(private readonly db: Database) {}

  /** Appends lines in one statement (the caller keeps batches in order). */
  async append(executionId: string, lines: readonly ExecutionLogLine[]): Promise<void> {
    if (lines.length === 0) return;
    const values: string[] = [];
    const bind: unknown[] = [executionId];
    for (const line of lines) {
      const at = bind.length;
      values.push(`($1, $${at + 1}, $${at + 2}, $${at + 3}, $${at + 4}, $${at + 5})`);
      bind.push(line.seq, line.at, line.level, line.message, line.fields ? JSON.stringify(line.fields) : null);
    }
    await this.db.execute(
      `INSERT INTO execution_logs (execution_id, seq, at, level, message, fields) VALUES ${values.join(', ')}
       ON CONFLICT DO NOTHING`,
      bind,
    );
  }

  /** Lines after `afterSeq`, in order. */
  async list(executionId: string, options: { afterSeq?: number; limit?: number } = {}): Promise<ExecutionLogLine[]> {
    return this.db.select<LogRow>(
      `SELECT seq, at, level, message, fields FROM execution_logs
        WHERE execution_id = $1 AND seq > $2 ORDER BY seq LIMIT $3`,
      [executionId, options.afterSeq ?? 0, Math.min(options.limit ?? 1000, 5000)],
    );
  }
}
