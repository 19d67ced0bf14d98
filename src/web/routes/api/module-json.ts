import type { ModuleLogEntry } from '../../../modules/module-log.js';
import type { ModuleInfo } from '../../../modules/module-manager.js';

/** A module as the JSON API shows it. */
export function moduleJson({ record, mounted }: ModuleInfo) {
  return {
    id: record.id,
    name: record.name,
    version: record.version,
    displayName: record.manifest?.displayName ?? record.name,
    description: record.manifest?.description ?? '',
    author: record.manifest?.author ?? null,
    status: record.status,
    enabled: record.enabled,
    mounted,
    source: record.source,
    error: record.error,
    errorDetails: record.errorDetails ?? null,
    installedAt: record.createdAt.toISOString(),
    updatedAt: record.updatedAt.toISOString(),
  };
}

/** A module log line as the JSON API shows it. */
export function logEntryJson(entry: ModuleLogEntry) {
  return {
    id: entry.id,
    at: entry.at.toISOString(),
    kind: entry.kind,
    level: entry.level,
    message: entry.message,
    actor: entry.actor,
    fields: entry.fields,
  };
}
