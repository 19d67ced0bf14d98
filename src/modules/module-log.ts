import type { Database } from '../db/database.js';
import type { ModuleLogLevel } from '../logger.js';

/** A line of a module's log: a lifecycle transition (who, why) or a line the module logged. */
export interface ModuleLogEntry {
  id: string;
  module: string;
  at: Date;
  kind: 'lifecycle' | 'log';
  level: ModuleLogLevel;
  message: string;
  actor: string | null;
  fields: Record<string, unknown> | null;
}

interface LogRow {
  id: string;
  module_name: string;
  at: Date;
  kind: 'lifecycle' | 'log';
  level: ModuleLogLevel;
  message: string;
  actor: string | null;
  fields: Record<string, unknown> | null;
}

/** The `module_logs` table. */
export class ModuleLogStore {
  constructor(private readonly db: Database) {}

  async write(entry: Omit<ModuleLogEntry, 'id' | 'at'>): Promise<void> {
    await this.db.execute(
      'INSERT INTO module_logs (module_name, kind, level, message, actor, fields) VALUES ($1, $2, $3, $4, $5, $6)',
      [
        entry.module,
        entry.kind,
        entry.level,
        entry.message.slice(0, 10_000),
        entry.actor,
        entry.fields ? JSON.stringify(entry.fields) : null,
      ],
    );
  }

  /** A module's log, newest first. */
  async list(
    module: string,
    page: { limit?: number; offset?: number; kind?: 'lifecycle' | 'log' } = {},
  ): Promise<ModuleLogEntry[]> {
    const rows = await this.db.select<LogRow>(
      `SELECT * FROM module_logs WHERE module_name = $1 AND ($4::text IS NULL OR kind = $4)
        ORDER BY at DESC, id DESC LIMIT $2 OFFSET $3`,
      [module, Math.min(page.limit ?? 50, 500), page.offset ?? 0, page.kind ?? null],
    );
    return rows.map((row) => ({
      id: String(row.id),
      module: row.module_name,
      at: row.at,
      kind: row.kind,
      level: row.level,
      message: row.message,
      actor: row.actor,
      fields: row.fields,
    }));
  }

  async deleteAll(module: string): Promise<void> {
    await this.db.execute('DELETE FROM module_logs WHERE module_name = $1', [module]);
  }
}
