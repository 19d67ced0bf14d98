import pLimit from 'p-limit';
import type { Database } from '../db/database.js';
import type { DatabaseNotifications } from '../db/notifications.js';
import { NxfError } from '../errors.js';
import type { EventBus } from '../events/event-bus.js';
import type { Logger } from '../logger.js';
import { dependentsOf } from './dependencies.js';
import { readManifest } from './manifest/manifest-read.js';
import type { ModuleManifest } from './manifest/manifest-types.js';
import { recordInvalidUpload, upgradeModule, uninstallModule, type LifecycleParts } from './module-replacement.js';
import { discoverBundledModules, identity, restoreModules } from './module-startup.js';
import { ModuleJournal, moduleChannel, type Actor } from './module-journal.js';
import type { ModuleRoles } from '../db/module-roles.js';
import type { LoaderDeps } from './module-loader.js';
import { ModuleLogStore } from './module-log.js';
import { ModuleMounter, type ModuleHooks } from './module-mounter.js';
import { ModuleRegistry } from './module-registry.js';
import { assertPrefixFree } from './prefix-ownership.js';
import { canStart, moduleActions, type ModuleActions } from './module-status.js';
import { ModuleStore, type ModuleRecord } from './module-store.js';
import { ModuleSettingsStore } from './settings/module-settings-store.js';
import { effectiveSettings, type SettingValue } from '../settings/setting-values.js';

export type { Actor } from './module-journal.js';
export type { ModuleHooks } from './module-mounter.js';

/** A module as listed: its record, whether it is mounted in this process, and what may be done to it. */
export interface ModuleInfo {
  record: ModuleRecord;
  mounted: boolean;
  actions: ModuleActions;
}

export interface ModuleManagerOptions {
  db: Database;
  /** Each module's database role. */
  roles: ModuleRoles;
  logger: Logger;
  events: EventBus;
  notifications: DatabaseNotifications;
  loader: Omit<LoaderDeps, 'db' | 'roles' | 'logger' | 'logs' | 'settingsStore'>;
  bundledDir: string;
}

/**
 * The module lifecycle: discovers bundled modules, restores every module's recorded state at start, installs,
 * enables, disables, reloads and uninstalls modules while the server runs. Operations run one at a time; every
 * transition is journaled (state, log line with actor and reason, event, announcement to other processes), and
 * a process told of a change by another brings itself in line.
 */
export class ModuleManager {
  readonly registry = new ModuleRegistry();
  readonly store: ModuleStore;
  readonly logs: ModuleLogStore;
  readonly settingsStore: ModuleSettingsStore;
  readonly #journal: ModuleJournal;
  readonly #mounter: ModuleMounter;
  readonly #parts: LifecycleParts;
  /** Lifecycle operations, one at a time, in order. */
  readonly #queue = pLimit(1);
  #snapshot?: Promise<ModuleInfo[]>;

  constructor(private readonly options: ModuleManagerOptions) {
    this.store = new ModuleStore(options.db);
    this.logs = new ModuleLogStore(options.db);
    this.settingsStore = new ModuleSettingsStore(options.db);
    this.#journal = new ModuleJournal(this.store, this.logs, options.events, options.notifications);
    const loaderDeps = {
      ...options.loader,
      db: options.db,
      roles: options.roles,
      logger: options.logger,
      logs: this.logs,
      settingsStore: this.settingsStore,
    };
    this.#mounter = new ModuleMounter(this.registry, this.store, loaderDeps, options.logger);
    this.#parts = {
      db: options.db,
      roles: options.roles,
      logger: options.logger,
      store: this.store,
      logs: this.logs,
      settingsStore: this.settingsStore,
      registry: this.registry,
      journal: this.#journal,
      mounter: this.#mounter,
    };
    this.registry.onChange(() => (this.#snapshot = undefined));
  }

  addHooks(hooks: ModuleHooks): void {
    this.#mounter.addHooks(hooks);
  }

  /** Records new bundled modules (enabled: they ship with the product), then mounts every enabled module. */
  async start(): Promise<void> {
    await this.options.notifications.listen(moduleChannel, (name) => void this.#serialize(() => this.#sync(name)));
    await this.#serialize(async () => {
      await discoverBundledModules(this.options.bundledDir, this.store, this.#journal, this.options.logger);
      await restoreModules(this.store, this.registry, this.#mounter, this.#journal, this.options.logger);
    });
  }

  /** Unmounts every module (at shutdown). */
  async stop(): Promise<void> {
    await this.#serialize(async () => {
      for (const module of this.registry.mounted().reverse()) await this.#mounter.unmount(module.name, module.manifest);
    });
  }

  /**
   * The modules as last read, re-read after any change made here or announced by another process: for pages
   * shown often, such as the dashboard, which should not query the database for what rarely changes.
   */
  async snapshot(): Promise<ModuleInfo[]> {
    this.#snapshot ??= this.list().catch((error: unknown) => {
      this.#snapshot = undefined;
      throw error;
    });
    return this.#snapshot;
  }

  async list(): Promise<ModuleInfo[]> {
    return (await this.store.list()).map((record) => this.#info(record));
  }

  /** @throws NxfError NXF_MODULE_NOT_FOUND (404) for an unknown or removed module. */
  async get(name: string): Promise<ModuleInfo> {
    const record = await this.store.get(name);
    if (!record || record.status === 'REMOVED') {
      throw new NxfError('NXF_MODULE_NOT_FOUND', `There is no module ${name}.`, { status: 404 });
    }
    return this.#info(record);
  }

  #info(record: ModuleRecord): ModuleInfo {
    const mounted = this.registry.get(record.name) !== undefined;
    return { record, mounted, actions: moduleActions(record.status, mounted) };
  }

  /**
   * Records a module whose files are in `directory` (already in place) as INSTALLED, not yet enabled.
   * @throws NxfError from reading the manifest, or NXF_MODULE_EXISTS (409) when a module of that name is installed.
   */
  async installFromDirectory(directory: string, source: ModuleRecord['source'], actor: Actor): Promise<ModuleRecord> {
    return this.#serialize(async () => {
      const manifest = await readManifest(directory);
      const existing = await this.store.get(manifest.name);
      if (existing && existing.status !== 'REMOVED' && existing.status !== 'INVALID') {
        throw new NxfError(
          'NXF_MODULE_EXISTS',
          `A module named ${manifest.name} is already installed (${existing.version}).`,
          {
            status: 409,
          },
        );
      }
      await assertPrefixFree(manifest, this.store, this.options.db);
      const record = await this.store.save({
        ...identity(manifest, directory, source),
        status: 'INSTALLED',

        enabled: false,
      });
      await this.#journal.log(record.name, 'info', `VALIDATING → INSTALLING → INSTALLED (${manifest.version})`, actor, {
        to: 'INSTALLED',
      });
      this.registry.setDormant(record.name, manifest);
      await this.#journal.announce(record, 'installed', actor);
      return record;
    });
  }

  /** Records an upload that failed validation; see `recordInvalidUpload`. */
  async recordInvalid(
    name: string,
    version: string | undefined,
    problems: unknown,
    message: string,
    actor: Actor,
  ): Promise<void> {
    await this.#serialize(() => recordInvalidUpload(this.#parts, { name, version, problems, message }, actor));
  }

  /** Replaces an installed module's files with a newer version, keeping its data; see `upgradeModule`. */
  async upgrade(
    name: string,
    directory: string,
    actor: Actor,
  ): Promise<{ record: ModuleRecord; previousDirectory: string }> {
    return this.#serialize(async () => upgradeModule(this.#parts, (await this.get(name)).record, directory, actor));
  }

  /** Removes a disabled module, keeping its data unless `purge`; see `uninstallModule`. */
  async uninstall(
    name: string,
    actor: Actor,
    options: { purge?: boolean } = {},
  ): Promise<{ record: ModuleRecord; revertedMigrations: string[] }> {
    return this.#serialize(async () => uninstallModule(this.#parts, (await this.get(name)).record, actor, options));
  }

  /**
   * Loads and mounts a module and records it ENABLED.
   * @throws NxfError NXF_MODULE_NOT_FOUND, NXF_MODULE_STATE (it cannot be enabled from its state),
   *   NXF_DEPENDENCY_MISSING, NXF_DEPENDENCY_CYCLE, or why loading failed (also kept on the record).
   */
  async enable(name: string, actor: Actor): Promise<ModuleRecord> {
    return this.#serialize(async () => {
      const { record } = await this.get(name);
      if (this.registry.get(name)) return record;
      if (!canStart(record.status, 'ENABLED')) {
        throw new NxfError('NXF_MODULE_STATE', `${name} is ${record.status} and cannot be enabled.`, { status: 409 });
      }
      try {
        await this.#mounter.mount(record);
      } catch (error) {
        await this.#journal.failure(record, 'enable', error, actor);
        throw error;
      }
      await this.#journal.transition(record, 'ENABLED', actor, true);
      await this.#journal.announce(record, 'enabled', actor);
      return (await this.store.get(name)) as ModuleRecord;
    });
  }

  /**
   * Unmounts a module (requests in flight finish first) and records it DISABLED.
   * @throws NxfError NXF_MODULE_REQUIRED (409) while enabled modules depend on it.
   */
  async disable(name: string, actor: Actor): Promise<ModuleRecord> {
    return this.#serialize(async () => {
      const { record } = await this.get(name);
      if (!canStart(record.status, 'DISABLED')) {
        throw new NxfError('NXF_MODULE_STATE', `${name} is ${record.status} and cannot be disabled.`, { status: 409 });
      }
      const dependents = dependentsOf(
        name,
        this.registry.mounted().map((m) => m.manifest),
      );
      if (dependents.length > 0) {
        throw new NxfError(
          'NXF_MODULE_REQUIRED',
          `${name} cannot be disabled: ${dependents.join(', ')} depend on it. Disable them first.`,
          {
            status: 409,
            details: dependents,
          },
        );
      }
      await this.#mounter.unmount(name, record.manifest ?? undefined);
      await this.#journal.transition(record, 'DISABLED', actor, false);
      await this.#journal.announce(record, 'disabled', actor);
      return (await this.store.get(name)) as ModuleRecord;
    });
  }

  /** Unloads and loads a mounted module again (its code, views and manifest are re-read). */
  async reload(name: string, actor: Actor): Promise<ModuleRecord> {
    return this.#serialize(async () => {
      const { record } = await this.get(name);
      const mounted = this.registry.get(name);
      if (!mounted)
        throw new NxfError('NXF_MODULE_STATE', `${name} is not enabled; enable it instead.`, { status: 409 });
      await this.#mounter.unmount(name, mounted.manifest);
      try {
        await this.#mounter.mount(record);
      } catch (error) {
        await this.#journal.failure(record, 'reload', error, actor);
        throw error;
      }
      await this.#journal.log(record.name, 'info', `reloaded ${record.version}`, actor);
      await this.options.notifications.notify(moduleChannel, name);
      return record;
    });
  }

  /** Saves settings (already validated against the manifest) and hands them to the running module at once. */
  async saveSettings(name: string, values: Record<string, SettingValue | null>, actor: Actor): Promise<void> {
    const { record } = await this.get(name);
    await this.settingsStore.save(name, values, actor.name);
    await this.#refreshSettings(name, record.manifest);
    await this.#journal.log(name, 'info', 'settings changed', actor, { keys: Object.keys(values) });
    await this.options.notifications.notify(moduleChannel, name);
  }

  /** Current effective settings of a module (saved values, else defaults). */
  async settingsOf(name: string): Promise<Record<string, SettingValue | undefined>> {
    const { record } = await this.get(name);
    return effectiveSettings(record.manifest?.settings ?? {}, await this.settingsStore.load(name));
  }

  /** Brings this process in line with a module's record after another process changed it. */
  async #sync(name: string): Promise<void> {
    const record = await this.store.get(name);
    const mounted = this.registry.get(name);
    if (!record || record.status === 'REMOVED') {
      if (mounted) await this.#mounter.unmount(name);
      this.registry.setDormant(name);
      return;
    }
    const shouldRun = record.enabled && record.status === 'ENABLED';
    if (mounted && (!shouldRun || mounted.manifest.version !== record.version)) {
      await this.#mounter.unmount(name, record.manifest ?? undefined);
    }
    if (shouldRun && !this.registry.get(name)) {
      await this.#mounter
        .mount(record)
        .catch((error: unknown) => this.options.logger.error({ err: error, module: name }, 'module failed to load'));
    }
    if (!shouldRun && record.manifest) this.registry.setDormant(name, record.manifest);
    await this.#refreshSettings(name, record.manifest);
  }

  async #refreshSettings(name: string, manifest: ModuleManifest | null): Promise<void> {
    const mounted = this.registry.get(name);
    if (mounted) {
      mounted.settings.replace(
        effectiveSettings(manifest?.settings ?? mounted.manifest.settings, await this.settingsStore.load(name)),
      );
    }
  }

  /** Runs lifecycle operations one at a time, in order. */
  #serialize<T>(operation: () => Promise<T>): Promise<T> {
    return this.#queue(() => operation().finally(() => (this.#snapshot = undefined)));
  }
}
