import { existsSync } from 'node:fs';
import { readdir, stat } from 'node:fs/promises';
import path from 'node:path';
import type { Database } from '../db/database.js';
import { dependentsOf } from './dependencies.js';
import type { ModuleRecord, ModuleStore } from './module-store.js';

/** What uninstalling a module would drop, shown to the administrator before they confirm. */
export interface UninstallImpact {
  /** The module's tables (by its prefix) and their row counts: dropped with purge, kept otherwise. */
  tables: Array<{ name: string; rows: number }>;
  settings: number;
  logLines: number;
  /** Bytes of files the module stored (screenshots, exports) under the storage folder. */
  storedBytes: number;
  /** Enabled modules that depend on it: uninstalling is refused while there are any. */
  dependents: string[];
  /** Whether its files are deleted (installed) or stay (bundled with NxForge). */
  deletesFiles: boolean;
}

/** Measures what uninstalling `record` would remove. */
export async function uninstallImpact(
  record: ModuleRecord,
  db: Database,
  store: ModuleStore,
  storageDir: string,
): Promise<UninstallImpact> {
  const prefix = record.manifest?.tablePrefix;
  const tables = prefix
    ? await db.select<{ name: string }>(
        `SELECT c.relname AS name FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
          WHERE n.nspname = 'public' AND c.relkind IN ('r', 'p') AND c.relname LIKE $1 ORDER BY 1`,
        [`${prefix.replace(/_/g, '\\_')}%`],
      )
    : [];
  const counted = await Promise.all(
    tables.map(async ({ name }) => {
      const row = await db.one<{ rows: string }>(`SELECT count(*) AS rows FROM "${name.replace(/"/g, '""')}"`);
      return { name, rows: Number(row?.rows ?? 0) };
    }),
  );
  const count = async (table: string) =>
    Number(
      (await db.one<{ n: string }>(`SELECT count(*) AS n FROM ${table} WHERE module_name = $1`, [record.name]))?.n ?? 0,
    );
  const enabled = (await store.list()).filter((r) => r.enabled && r.manifest && r.name !== record.name);
  return {
    tables: counted,
    settings: await count('module_settings'),
    logLines: await count('module_logs'),
    storedBytes: await folderSize(path.join(storageDir, record.name)),
    dependents: enabled.filter((r) => dependentsOf(record.name, [r.manifest!]).length > 0).map((r) => r.name),
    deletesFiles: record.source === 'installed',
  };
}

async function folderSize(dir: string): Promise<number> {
  if (!existsSync(dir)) return 0;
  let total = 0;
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    total += entry.isDirectory() ? await folderSize(full) : (await stat(full)).size;
  }
  return total;
}
