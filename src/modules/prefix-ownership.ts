import type { Database } from '../db/database.js';
import { NxfError } from '../errors.js';
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
  if (owner) {
    throw new NxfError(
      'NXF_PREFIX_TAKEN',
      `${manifest.name}'s table prefix "${mine}" clashes with "${owner.manifest?.tablePrefix}" of ${owner.name}${owner.status === 'REMOVED' ? ' (uninstalled, data kept)' : ''}.`,
      { status: 409 },
    );
  }
}
