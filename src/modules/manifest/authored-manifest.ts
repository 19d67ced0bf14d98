import type { ModuleRegistry } from '../module-registry.js';
import type { ModuleRecord } from '../module-store.js';
import { readManifest } from './manifest-read.js';
import type { ModuleManifest } from './manifest-types.js';

/**
 * A module's manifest with its keys in the order its author wrote them — settings fields, jobs — for pages that
 * list them. The record's copy is stored as jsonb, which sorts keys; the running module's manifest, or else the
 * file in its folder, keeps the author's order. Falls back to the record when the folder cannot be read.
 */
export async function authoredManifest(registry: ModuleRegistry, record: ModuleRecord): Promise<ModuleManifest | null> {
  const running = registry.get(record.name);
  if (running) return running.manifest;
  return readManifest(record.directory).catch(() => record.manifest);
}
