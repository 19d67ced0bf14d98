import { existsSync } from 'node:fs';
import { readdir } from 'node:fs/promises';
import path from 'node:path';
import type { Logger } from '../logger.js';
import { dependencyOrder } from './dependencies.js';
import { readManifest } from './manifest/manifest-read.js';
import type { ModuleManifest } from './manifest/manifest-types.js';
import type { Actor, ModuleJournal } from './module-journal.js';
import type { ModuleMounter } from './module-mounter.js';
import type { ModuleRegistry } from './module-registry.js';
import type { ModuleRecord, ModuleStore } from './module-store.js';

const system: Actor = { name: 'system' };

/** What identifies a module's files in its record. */
export function identity(manifest: ModuleManifest, directory: string, source: ModuleRecord['source']) {
  return { name: manifest.name, version: manifest.version, source, directory, manifest };
}

/** Folders directly under `root` that hold a `manifest.json`, sorted by name. */
export async function findModuleFolders(root: string): Promise<string[]> {
  const entries = await readdir(root).catch(() => [] as string[]);
  return entries
    .sort()
    .map((entry) => path.join(root, entry))
    .filter((dir) => existsSync(path.join(dir, 'manifest.json')));
}

/**
 * Records the bundled modules found in `root`: new ones as ENABLED (they ship with the product), updated ones
 * (a new NxForge release) with their state kept. A bundled module with a broken manifest is logged and skipped.
 */
export async function discoverBundledModules(
  root: string,
  store: ModuleStore,
  journal: ModuleJournal,
  logger: Logger,
): Promise<void> {
  for (const directory of await findModuleFolders(root)) {
    let manifest: ModuleManifest;
    try {
      manifest = await readManifest(directory);
    } catch (error) {
      logger.error({ err: error, directory }, 'a bundled module has an invalid manifest');
      continue;
    }
    const known = await store.get(manifest.name);
    if (!known) {
      await store.save({ ...identity(manifest, directory, 'bundled'), status: 'ENABLED', enabled: true });
      await journal.log(manifest.name, 'info', `bundled module ${manifest.version} found: INSTALLED → ENABLED`, system);
    } else if (known.source === 'bundled' && (known.version !== manifest.version || known.directory !== directory)) {
      await store.save({ ...identity(manifest, directory, 'bundled'), status: known.status, enabled: known.enabled });
      await journal.log(known.name, 'info', `bundled module updated ${known.version} → ${manifest.version}`, system);
    }
  }
}

/**
 * Returns every module to its recorded state: enabled ones are mounted in dependency order (one that fails is
 * marked with its error and the rest go on); the others are known as dormant, so their paths answer 403.
 */
export async function restoreModules(
  store: ModuleStore,
  registry: ModuleRegistry,
  mounter: ModuleMounter,
  journal: ModuleJournal,
  logger: Logger,
): Promise<void> {
  const records = (await store.list()).filter((r) => r.status !== 'REMOVED');
  for (const record of records)
    if (!record.enabled && record.manifest) registry.setDormant(record.name, record.manifest);
  const enabled = records.filter((r) => r.enabled && r.status === 'ENABLED');
  const ordered = dependencyOrder(enabled.flatMap((r) => (r.manifest ? [r.manifest] : []))).map(
    (m) => enabled.find((r) => r.name === m.name) as ModuleRecord,
  );
  for (const record of [...ordered, ...enabled.filter((r) => !r.manifest)]) {
    try {
      await mounter.mount(record);
      logger.info({ module: record.name, version: record.version }, 'module mounted');
    } catch (error) {
      if (record.manifest) registry.setDormant(record.name, record.manifest);
      await journal.failure(record, 'start', error, system);
      logger.error({ module: record.name, err: error }, 'module failed to load at start');
    }
  }
}
