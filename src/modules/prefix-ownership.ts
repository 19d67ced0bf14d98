import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import type { Database } from '../db/database.js';
import { NxfError } from '../errors.js';
import { corePaths } from '../paths.js';
import { scanSqlObjects } from './migrations/sql-object-scan.js';
import type { ModuleManifest } from './manifest/manifest-types.js';
import type { ModuleStore } from './module-store.js';

/**
 * A table prefix belongs to one module: it is what makes a module's tables its own (migrations are checked
 * against it, a purge drops what carries it). Refuses a prefix that equals, contains or is contained in the
 * prefix of another module that is installed, or uninstalled with its data kept.
 * @throws NxfError NXF_PREFIX_TAKEN (409).
 */
export async function assertPrefixFree(manifest: ModuleManifest, store: ModuleStore, db: Database): Promise<void> {
  const withData = new Set(
    (await db.select<{ module_name: string }>('SELECT DISTINCT module_name FROM module_migrations')).map(
      (r) => r.module_name,
    ),
  );
  const mine = manifest.tablePrefix;
  const owner = (await store.list()).find((record) => {
    if (record.name === manifest.name || !record.manifest || record.status === 'INVALID') return false;
    if (record.status === 'REMOVED' && !withData.has(record.name)) return false;
    const theirs = record.manifest.tablePrefix;
    return theirs.startsWith(mine) || mine.startsWith(theirs);
  });
  await assertAdoptable(
    manifest,
    (await store.list()).flatMap((r) => (r.name === manifest.name || !r.manifest ? [] : [r.manifest.tablePrefix])),
  );
  if (owner) {
    throw new NxfError(
      'NXF_PREFIX_TAKEN',
      `${manifest.name}'s table prefix "${mine}" clashes with "${owner.manifest?.tablePrefix}" of ${owner.name}${owner.status === 'REMOVED' ? ' (uninstalled, data kept)' : ''}.`,
      { status: 409 },
    );
  }
}

/**
 * A module may adopt legacy tables, never the core's own (those its migrations create) nor another module's
 * (those named with its prefix).
 * @throws NxfError NXF_PREFIX_TAKEN (409).
 */
async function assertAdoptable(manifest: ModuleManifest, otherPrefixes: string[]): Promise<void> {
  if (!manifest.adopts?.length) return;
  const core = await coreTables();
  const refused = manifest.adopts.filter(
    (table) => core.has(table) || otherPrefixes.some((prefix) => table.startsWith(prefix)),
  );
  if (refused.length > 0)
    throw new NxfError(
      'NXF_PREFIX_TAKEN',
      `${manifest.name} may not adopt ${refused.join(', ')}: a module adopts legacy tables only, not NxForge's own or another module's.`,
      { status: 409 },
    );
}

let coreTableNames: Promise<Set<string>> | undefined;

/** The tables the core's migrations create (and the core's record of them). */
function coreTables(): Promise<Set<string>> {
  coreTableNames ??= (async () => {
    const names = new Set(['core_migrations']);
    for (const file of (await readdir(corePaths.migrations)).filter((f) => f.endsWith('.sql'))) {
      const sql = await readFile(path.join(corePaths.migrations, file), 'utf8');
      for (const ref of scanSqlObjects(sql)) if (ref.action === 'CREATE TABLE') names.add(ref.name);
    }
    return names;
  })();
  return coreTableNames;
}
