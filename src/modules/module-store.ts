import type { Database } from '../db/database.js';
import type { ModuleManifest } from './manifest/manifest-types.js';
import type { ModuleStatus } from './module-status.js';

/** Where a module's files come from: shipped in `modules/`, or installed from a ZIP into the data directory. */
export type ModuleSource = 'bundled' | 'installed';

/** A row of the `modules` table. */
export interface ModuleRecord {
  id: string;
  name: string;
  version: string;
  status: ModuleStatus;
  /** Whether the module should be mounted; it stays true when loading failed so a restart tries again. */
  enabled: boolean;
  source: ModuleSource;
  directory: string;
  manifest: ModuleManifest | null;
  /** Why the last load, validation or lifecycle action failed; null when all is well. */
  error: string | null;
  errorDetails: unknown;
  createdAt: Date;
  updatedAt: Date;
}

interface ModuleRow {
  id: string;
  name: string;
  version: string;
  status: ModuleStatus;
  enabled: boolean;
  source: ModuleSource;
  directory: string;
  manifest: ModuleManifest | null;
  error: string | null;
  error_details: unknown;
  created_at: Date;
  updated_at: Date;
}

const toRecord = (row: ModuleRow): ModuleRecord => ({
  id: row.id,
  name: row.name,
  version: row.version,
  status: row.status,
  enabled: row.enabled,
  source: row.source,
  directory: row.directory,
  manifest: row.manifest,
  error: row.error,
  errorDetails: row.error_details,
  createdAt: row.created_at,
  updatedAt: row.updated_at,
});

/** The `modules` table. */
export class ModuleStore {
  constructor(private readonly db: Database) {}

  async list(): Promise<ModuleRecord[]> {
    return (await this.db.select<ModuleRow>('SELECT * FROM modules ORDER BY name')).map(toRecord);
  }

  async get(name: string): Promise<ModuleRecord | undefined> {
    const row = await this.db.one<ModuleRow>('SELECT * FROM modules WHERE name = $1', [name]);
    return row && toRecord(row);
  }

  /** Creates the record of a module, or replaces what is known of it (an upgrade, a reinstall). */
  async save(
    record: Pick<ModuleRecord, 'name' | 'version' | 'status' | 'enabled' | 'source' | 'directory' | 'manifest'>,
  ): Promise<ModuleRecord> {
    const row = await this.db.one<ModuleRow>(
      `INSERT INTO modules (name, version, status, enabled, source, directory, manifest)
       VALUES ($1, $2, $3, $4, $5, $6, $7)
       ON CONFLICT (name) DO UPDATE SET version = $2, status = $3, enabled = $4, source = $5, directory = $6,
         manifest = $7, error = NULL, error_details = NULL, updated_at = now()
       RETURNING *`,
      [
        record.name,
        record.version,
        record.status,
        record.enabled,
        record.source,
        record.directory,
        JSON.stringify(record.manifest),
      ],
    );
    return toRecord(row as ModuleRow);
  }

  /** Records a state, and optionally the enabled flag; clears the error. */
  async setStatus(name: string, status: ModuleStatus, enabled?: boolean): Promise<void> {
    await this.db.execute(
      `UPDATE modules SET status = $2, enabled = coalesce($3, enabled), error = NULL, error_details = NULL, updated_at = now()
        WHERE name = $1`,
      [name, status, enabled ?? null],
    );
  }

  /** Records why something failed, keeping the state. */
  async setError(name: string, error: string, details?: unknown): Promise<void> {
    await this.db.execute('UPDATE modules SET error = $2, error_details = $3, updated_at = now() WHERE name = $1', [
      name,
      error,
      details === undefined ? null : JSON.stringify(details),
    ]);
  }

  async delete(name: string): Promise<void> {
    await this.db.execute('DELETE FROM modules WHERE name = $1', [name]);
  }
}
