import type { Database } from '../db/database.js';
import type { ModuleRoles } from '../db/module-roles.js';
import { NxfError } from '../errors.js';
import type { Logger } from '../logger.js';
import { dependentsOf } from './dependencies.js';
import { readManifest } from './manifest/manifest-read.js';
import { ModuleMigrator } from './migrations/module-migrator.js';
import type { Actor, ModuleJournal } from './module-journal.js';
import type { ModuleLogStore } from './module-log.js';
import type { ModuleMounter } from './module-mounter.js';
import type { ModuleRegistry } from './module-registry.js';
import { identity } from './module-startup.js';
import { canStart } from './module-status.js';
import type { ModuleRecord, ModuleStore } from './module-store.js';
import type { ModuleSettingsStore } from './settings/module-settings-store.js';

/** The parts of the module manager that replacing and removing modules work with; called one operation at a time. */
export interface LifecycleParts {
  db: Database;
  /** Each module's database role: a purge drops it. */
  roles: ModuleRoles;
  logger: Logger;
  store: ModuleStore;
  logs: ModuleLogStore;
  settingsStore: ModuleSettingsStore;
  registry: ModuleRegistry;
  journal: ModuleJournal;
  mounter: ModuleMounter;
}

/**
 * Keeps the outcome of an upload that failed validation: a new module is recorded INVALID with the problems, so
 * the Modules page shows them; an installed module keeps its state and version, and the refused upgrade goes to
 * its log and its error.
 */
export async function recordInvalidUpload(
  parts: LifecycleParts,
  upload: { name: string; version?: string; problems: unknown; message: string },
  actor: Actor,
): Promise<void> {
  const { store, journal } = parts;
  const { name, version, problems, message } = upload;
  const existing = await store.get(name);
  if (existing && existing.status !== 'REMOVED' && existing.status !== 'INVALID') {
    await store.setError(name, message, problems);
    await journal.log(name, 'error', `upload of ${version ?? 'a new version'} refused: ${message}`, actor);
    return;
  }
  const invalid = { name, version: version ?? '0.0.0', source: 'installed' as const, directory: '', manifest: null };
  await store.save({ ...invalid, status: 'INVALID', enabled: false });
  await store.setError(name, message, problems);
  await journal.log(name, 'error', `UPLOADING → VALIDATING → INVALID: ${message}`, actor, { problems });
}

/**
 * Replaces an installed module's files with a new version in `directory`, keeping its data and state: a mounted
 * module is unmounted, then mounted from the new files (applying only the new migrations). If that fails, the
 * previous version is put back and mounted again.
 * @returns the previous folder, for the caller to delete.
 */
export async function upgradeModule(
  parts: LifecycleParts,
  previous: ModuleRecord,
  directory: string,
  actor: Actor,
): Promise<{ record: ModuleRecord; previousDirectory: string }> {
  const { store, journal, mounter, registry, logger } = parts;
  const { name } = previous;
  const manifest = await readManifest(directory);
  const wasMounted = registry.get(name) !== undefined;
  const change = `${previous.version} → ${manifest.version}`;
  await journal.log(name, 'info', `${previous.status} → UPLOADING → VALIDATING → INSTALLING ${change}`, actor);
  if (wasMounted) await mounter.unmount(name, previous.manifest ?? undefined);
  const record = await store.save({
    ...identity(manifest, directory, 'installed'),
    status: previous.status,
    enabled: previous.enabled,
  });
  if (wasMounted) {
    try {
      await mounter.mount(record);
    } catch (error) {
      await store.save(previous);
      await mounter
        .mount(previous)
        .catch((again: unknown) =>
          logger.error({ err: again, module: name }, 'the previous version failed to load too'),
        );
      await journal.failure(previous, `upgrade to ${manifest.version}`, error, actor);
      throw error;
    }
  }
  await journal.log(name, 'info', `upgraded ${change}: ${record.status}`, actor, {
    from: previous.version,
    to: manifest.version,
  });
  await journal.announce(record, 'upgraded', actor, { from: previous.version });
  return { record, previousDirectory: previous.directory };
}

/**
 * Removes a module. By default its tables, data and settings stay (installing it again brings them back); with
 * `purge` its migrations are rolled back, what still carries its prefix is dropped, and its settings, log and what
 * extensions keep for it (stored files, job history) are deleted. Installed modules' files are removed by the
 * caller; bundled modules' files are never deleted.
 * @throws NxfError NXF_MODULE_STATE unless it is DISABLED or INSTALLED, NXF_MODULE_REQUIRED while others need it.
 */
export async function uninstallModule(
  parts: LifecycleParts,
  record: ModuleRecord,
  actor: Actor,
  options: { purge?: boolean },
): Promise<{ record: ModuleRecord; revertedMigrations: string[] }> {
  const { store, journal, mounter, registry } = parts;
  const { name } = record;
  if (!canStart(record.status, 'UNINSTALLING')) {
    throw new NxfError('NXF_MODULE_STATE', `${name} is ${record.status}; disable it before uninstalling.`, {
      status: 409,
    });
  }
  const needing = (await store.list())
    .filter((r) => r.enabled && r.manifest && r.name !== name && dependentsOf(name, [r.manifest]).length > 0)
    .map((r) => r.name);
  if (needing.length > 0) {
    throw new NxfError('NXF_MODULE_REQUIRED', `${name} cannot be uninstalled: ${needing.join(', ')} depend on it.`, {
      status: 409,
      details: needing,
    });
  }
  await journal.transition(record, 'UNINSTALLING', actor);
  let revertedMigrations: string[] = [];
  try {
    if (options.purge && record.manifest) revertedMigrations = await purgeData(parts, record, actor);
  } catch (error) {
    await store.setStatus(name, record.status, false);
    await journal.failure(record, 'uninstall', error, actor);
    throw error;
  }
  await store.setStatus(name, 'REMOVED', false);
  const kept = options.purge ? ' (purged)' : ' (data kept)';
  await journal.log(name, 'info', `UNINSTALLING → REMOVED${kept}`, actor, {
    purge: !!options.purge,
    revertedMigrations,
  });
  if (options.purge) await parts.logs.deleteAll(name);
  registry.setDormant(name);
  await journal.announce(record, 'uninstalled', actor, { purge: !!options.purge });
  return { record: (await store.get(name)) as ModuleRecord, revertedMigrations };
}

/** Rolls back a module's migrations and deletes what is left of its data; returns the reverted migrations. */
async function purgeData(parts: LifecycleParts, record: ModuleRecord, actor: Actor): Promise<string[]> {
  const prefix = record.manifest!.tablePrefix;
  const migrator = await ModuleMigrator.open(parts.db, record.directory, record.manifest!, {
    role: await parts.roles.prepare(prefix, record.manifest!.adopts),
  });
  const reverted = await migrator.revertAll();
  const leftovers = await migrator.purgeLeftovers(parts.db);
  await parts.roles.drop(prefix);
  if (leftovers.length > 0)
    await parts.journal.log(record.name, 'info', `dropped leftovers: ${leftovers.join(', ')}`, actor);
  await parts.settingsStore.deleteAll(record.name);
  await parts.mounter.purged(record.name);
  return reverted;
}
