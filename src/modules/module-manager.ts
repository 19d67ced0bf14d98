import type { Database } from '../db/database.js';
import type { DatabaseNotifications } from '../db/notifications.js';
import { errorMessage, isNxfError, NxfError } from '../errors.js';
import type { EventBus } from '../events/event-bus.js';
import type { Logger } from '../logger.js';
import { assertDependenciesEnabled, dependencyOrder, dependentsOf, findCycle } from './dependencies.js';
import type { LoadedModule } from './loaded-module.js';
import { readManifest } from './manifest/manifest-read.js';
import type { ModuleManifest } from './manifest/manifest-types.js';
import { ModuleMigrator } from './migrations/module-migrator.js';
import { findModuleFolders } from './module-discovery.js';
import { loadModule, unloadModule, type LoaderDeps } from './module-loader.js';
import { ModuleLogStore } from './module-log.js';
import { ModuleRegistry } from './module-registry.js';
import type { ModuleStatus } from './module-status.js';
import { ModuleStore, type ModuleRecord } from './module-store.js';
import { ModuleSettingsStore } from './settings/module-settings-store.js';
import { effectiveSettings, type SettingValue } from './settings/setting-values.js';

/** Extensions that follow modules being mounted and unmounted (the scheduler registers their jobs). */
export interface ModuleHooks {
  mounted?(module: LoadedModule): Promise<void> | void;
  unmounting?(module: LoadedModule): Promise<void> | void;
}

/** A module as listed: its record and whether it is mounted in this process. */
export interface ModuleInfo {
  record: ModuleRecord;
  mounted: boolean;
}

export interface ModuleManagerOptions {
  db: Database;
  logger: Logger;
  events: EventBus;
  notifications: DatabaseNotifications;
  loader: Omit<LoaderDeps, 'db' | 'logger' | 'logs' | 'settingsStore'>;
  bundledDir: string;
  installedDir: string;
}

/** Who did it and why, for the module's log and the audit log. */
export interface Actor {
  name: string;
  reason?: string;
}

const channel = 'nxforge_modules';
/** How long disabling waits for requests in flight before tearing the module down. */
const drainTimeoutMs = 10_000;

/**
 * The module lifecycle: discovers bundled and installed modules, restores their recorded states at start,
 * enables, disables and reloads them while the server runs. Operations run one at a time; every transition
 * is recorded with time, actor and reason, emitted as an event and announced to other NxForge processes.
 */
export class ModuleManager {
  readonly registry = new ModuleRegistry();
  readonly store: ModuleStore;
  readonly logs: ModuleLogStore;
  readonly settingsStore: ModuleSettingsStore;
  readonly #hooks: ModuleHooks[] = [];
  readonly #loaderDeps: LoaderDeps;
  #queue: Promise<unknown> = Promise.resolve();

  constructor(private readonly options: ModuleManagerOptions) {
    this.store = new ModuleStore(options.db);
    this.logs = new ModuleLogStore(options.db);
    this.settingsStore = new ModuleSettingsStore(options.db);
    this.#loaderDeps = {
      ...options.loader,
      db: options.db,
      logger: options.logger,
      logs: this.logs,
      settingsStore: this.settingsStore,
    };
  }

  addHooks(hooks: ModuleHooks): void {
    this.#hooks.push(hooks);
  }

  /** Records new bundled modules (enabled: they ship with the product), then mounts every enabled module. */
  async start(): Promise<void> {
    await this.options.notifications.listen(channel, (name) => void this.#serialize(() => this.#sync(name)));
    await this.#serialize(async () => {
      await this.#discoverBundled();
      await this.#restore();
    });
  }

  /** Unmounts every module (at shutdown). */
  async stop(): Promise<void> {
    await this.#serialize(async () => {
      for (const module of this.registry.mounted().reverse()) await this.#unmount(module.name, module.manifest);
    });
  }

  async list(): Promise<ModuleInfo[]> {
    return (await this.store.list()).map((record) => ({
      record,
      mounted: this.registry.get(record.name) !== undefined,
    }));
  }

  async get(name: string): Promise<ModuleInfo> {
    const record = await this.store.get(name);
    if (!record || record.status === 'REMOVED')
      throw new NxfError('NXF_MODULE_NOT_FOUND', `There is no module ${name}.`, { status: 404 });
    return { record, mounted: this.registry.get(name) !== undefined };
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
          { status: 409 },
        );
      }
      const record = await this.store.save({
        ...this.#identity(manifest, directory, source),
        status: 'INSTALLED',
        enabled: false,
      });
      await this.#log(record.name, 'info', `VALIDATING → INSTALLING → INSTALLED (${manifest.version})`, actor, {
        to: 'INSTALLED',
      });
      this.registry.setDormant(record.name, manifest);
      await this.options.events.emit('module.installed', {
        module: record.name,
        version: record.version,
        actor: actor.name,
      });
      await this.options.notifications.notify(channel, record.name);
      return record;
    });
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
      if (!['INSTALLED', 'DISABLED', 'ENABLED'].includes(record.status)) {
        throw new NxfError('NXF_MODULE_STATE', `${name} is ${record.status} and cannot be enabled.`, { status: 409 });
      }
      try {
        await this.#mount(record);
      } catch (error) {
        await this.#recordFailure(record, 'enable', error, actor);
        throw error;
      }
      await this.#transition(record, 'ENABLED', true, actor);
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
      if (record.status !== 'ENABLED' && record.status !== 'DISABLED') {
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
      await this.#unmount(name, record.manifest ?? undefined);
      await this.#transition(record, 'DISABLED', false, actor);
      return (await this.store.get(name)) as ModuleRecord;
    });
  }

  /**
   * Removes a module. By default its tables, data and settings stay (installing it again brings them back);
   * with `purge` its migrations are rolled back and its settings and log deleted. Installed modules' files are
   * removed by the caller; bundled modules' files are never deleted.
   * @throws NxfError NXF_MODULE_STATE unless it is DISABLED or INSTALLED, NXF_MODULE_REQUIRED while others need it.
   */
  async uninstall(
    name: string,
    actor: Actor,
    options: { purge?: boolean } = {},
  ): Promise<{ record: ModuleRecord; revertedMigrations: string[] }> {
    return this.#serialize(async () => {
      const { record } = await this.get(name);
      if (record.status !== 'DISABLED' && record.status !== 'INSTALLED') {
        throw new NxfError('NXF_MODULE_STATE', `${name} is ${record.status}; disable it before uninstalling.`, {
          status: 409,
        });
      }
      const needing = (await this.store.list())
        .filter((r) => r.enabled && r.manifest && r.name !== name)
        .filter((r) => dependentsOf(name, [r.manifest as ModuleManifest]).length > 0)
        .map((r) => r.name);
      if (needing.length > 0) {
        throw new NxfError(
          'NXF_MODULE_REQUIRED',
          `${name} cannot be uninstalled: ${needing.join(', ')} depend on it.`,
          { status: 409, details: needing },
        );
      }
      await this.#transitionTo(record, 'UNINSTALLING', actor);
      let revertedMigrations: string[] = [];
      try {
        if (options.purge && record.manifest) {
          const migrator = await ModuleMigrator.open(this.options.db, record.directory, record.manifest);
          revertedMigrations = await migrator.revertAll();
          await this.settingsStore.deleteAll(name);
        }
      } catch (error) {
        await this.store.setStatus(name, 'DISABLED', false);
        await this.#recordFailure(record, 'uninstall', error, actor);
        throw error;
      }
      await this.store.setStatus(name, 'REMOVED', false);
      await this.#log(name, 'info', `UNINSTALLING → REMOVED${options.purge ? ' (purged)' : ' (data kept)'}`, actor, {
        purge: !!options.purge,
        revertedMigrations,
      });
      if (options.purge) await this.logs.deleteAll(name);
      this.registry.setDormant(name);
      await this.options.events.emit('module.uninstalled', {
        module: name,
        version: record.version,
        purge: !!options.purge,
        actor: actor.name,
      });
      await this.options.notifications.notify(channel, name);
      return { record: (await this.store.get(name)) as ModuleRecord, revertedMigrations };
    });
  }

  /** Unloads and loads a mounted module again (its code, views and manifest are re-read). */
  async reload(name: string, actor: Actor): Promise<ModuleRecord> {
    return this.#serialize(async () => {
      const { record } = await this.get(name);
      const mounted = this.registry.get(name);
      if (!mounted)
        throw new NxfError('NXF_MODULE_STATE', `${name} is not enabled; enable it instead.`, { status: 409 });
      await this.#unmount(name, mounted.manifest);
      try {
        await this.#mount(record);
      } catch (error) {
        await this.#recordFailure(record, 'reload', error, actor);
        throw error;
      }
      await this.#log(record.name, 'info', `reloaded ${record.version}`, actor);
      await this.options.notifications.notify(channel, name);
      return record;
    });
  }

  /** Saves settings (already validated against the manifest) and hands them to the running module at once. */
  async saveSettings(name: string, values: Record<string, SettingValue | null>, actor: Actor): Promise<void> {
    const { record } = await this.get(name);
    await this.settingsStore.save(name, values, actor.name);
    await this.#refreshSettings(name, record.manifest);
    await this.#log(name, 'info', 'settings changed', actor, { keys: Object.keys(values) });
    await this.options.notifications.notify(channel, name);
  }

  /** Current effective settings of a module (saved values, else defaults). */
  async settingsOf(name: string): Promise<Record<string, SettingValue | undefined>> {
    const { record } = await this.get(name);
    return effectiveSettings(record.manifest?.settings ?? {}, await this.settingsStore.load(name));
  }

  async #discoverBundled(): Promise<void> {
    for (const directory of await findModuleFolders(this.options.bundledDir)) {
      let manifest: ModuleManifest;
      try {
        manifest = await readManifest(directory);
      } catch (error) {
        this.options.logger.error({ err: error, directory }, 'a bundled module has an invalid manifest');
        continue;
      }
      const known = await this.store.get(manifest.name);
      if (!known) {
        const record = await this.store.save({
          ...this.#identity(manifest, directory, 'bundled'),
          status: 'ENABLED',
          enabled: true,
        });
        await this.#log(record.name, 'info', `bundled module ${manifest.version} found: INSTALLED → ENABLED`, {
          name: 'system',
        });
      } else if (known.source === 'bundled' && (known.version !== manifest.version || known.directory !== directory)) {
        // A new NxForge release ships a new version of the module: keep its state, take the new files.
        await this.store.save({
          ...this.#identity(manifest, directory, 'bundled'),
          status: known.status,
          enabled: known.enabled,
        });
        await this.#log(known.name, 'info', `bundled module updated ${known.version} → ${manifest.version}`, {
          name: 'system',
        });
      }
    }
  }

  /** Mounts every enabled module in dependency order; one that fails is marked with its error, the rest go on. */
  async #restore(): Promise<void> {
    const records = (await this.store.list()).filter((r) => r.status !== 'REMOVED');
    for (const record of records)
      if (!record.enabled && record.manifest) this.registry.setDormant(record.name, record.manifest);
    const enabled = records.filter((r) => r.enabled && r.status === 'ENABLED');
    const withManifest = enabled.filter((r) => r.manifest).map((r) => r.manifest as ModuleManifest);
    const order = dependencyOrder(withManifest).map((m) => enabled.find((r) => r.name === m.name) as ModuleRecord);
    for (const record of [...order, ...enabled.filter((r) => !r.manifest)]) {
      try {
        await this.#mount(record);
        this.options.logger.info({ module: record.name, version: record.version }, 'module mounted');
      } catch (error) {
        if (record.manifest) this.registry.setDormant(record.name, record.manifest);
        await this.#recordFailure(record, 'start', error, { name: 'system' });
        this.options.logger.error({ module: record.name, err: error }, 'module failed to load at start');
      }
    }
  }

  async #mount(record: ModuleRecord): Promise<void> {
    const manifest = await readManifest(record.directory);
    const manifests = new Map(
      (await this.store.list()).filter((r) => r.manifest).map((r) => [r.name, r.manifest as ModuleManifest]),
    );
    manifests.set(manifest.name, manifest);
    const cycle = findCycle(manifest.name, manifests);
    if (cycle) {
      throw new NxfError(
        'NXF_DEPENDENCY_CYCLE',
        `${manifest.name} is part of a dependency cycle: ${cycle.join(' → ')}.`,
        { status: 409 },
      );
    }
    assertDependenciesEnabled(manifest, new Map(this.registry.mounted().map((m) => [m.name, m.manifest.version])));
    const module = await loadModule(this.#loaderDeps, record.directory, record.name, this.registry.mounted());
    this.registry.mount(module);
    try {
      for (const hooks of this.#hooks) await hooks.mounted?.(module);
    } catch (error) {
      await this.#unmount(module.name, module.manifest);
      throw error;
    }
  }

  async #unmount(name: string, dormantManifest?: ModuleManifest): Promise<void> {
    const module = this.registry.unmount(name, dormantManifest);
    if (!module) return;
    for (const hooks of this.#hooks) {
      try {
        await hooks.unmounting?.(module);
      } catch (error) {
        this.options.logger.error({ err: error, module: name }, 'a module hook failed while unmounting');
      }
    }
    const deadline = Date.now() + drainTimeoutMs;
    while (module.inFlight > 0 && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 10));
    await unloadModule(module, this.options.logger);
  }

  /** Brings this process in line with a module's record after another process changed it. */
  async #sync(name: string): Promise<void> {
    const record = await this.store.get(name);
    const mounted = this.registry.get(name);
    if (!record || record.status === 'REMOVED') {
      if (mounted) await this.#unmount(name);
      this.registry.setDormant(name);
      return;
    }
    const shouldRun = record.enabled && record.status === 'ENABLED';
    if (mounted && (!shouldRun || mounted.manifest.version !== record.version))
      await this.#unmount(name, record.manifest ?? undefined);
    if (shouldRun && !this.registry.get(name))
      await this.#mount(record).catch((error: unknown) =>
        this.options.logger.error({ err: error, module: name }, 'module failed to load'),
      );
    if (!shouldRun && record.manifest) this.registry.setDormant(name, record.manifest);
    if (this.registry.get(name)) await this.#refreshSettings(name, record.manifest);
  }

  async #refreshSettings(name: string, manifest: ModuleManifest | null): Promise<void> {
    const mounted = this.registry.get(name);
    if (mounted)
      mounted.settings = effectiveSettings(
        manifest?.settings ?? mounted.manifest.settings,
        await this.settingsStore.load(name),
      );
  }

  async #transition(record: ModuleRecord, to: ModuleStatus, enabled: boolean, actor: Actor): Promise<void> {
    await this.store.setStatus(record.name, to, enabled);
    await this.#log(record.name, 'info', `${record.status} → ${to}`, actor, { from: record.status, to });
    await this.options.events.emit(`module.${to === 'ENABLED' ? 'enabled' : 'disabled'}`, {
      module: record.name,
      version: record.version,
      actor: actor.name,
    });
    await this.options.notifications.notify(channel, record.name);
  }

  async #transitionTo(record: ModuleRecord, to: ModuleStatus, actor: Actor): Promise<void> {
    await this.store.setStatus(record.name, to);
    await this.#log(record.name, 'info', `${record.status} → ${to}`, actor, { from: record.status, to });
  }

  async #recordFailure(record: ModuleRecord, action: string, error: unknown, actor: Actor): Promise<void> {
    const details = isNxfError(error) ? error.details : undefined;
    await this.store.setError(record.name, errorMessage(error), details);
    await this.#log(record.name, 'error', `${action} failed: ${errorMessage(error)}`, actor, {
      code: isNxfError(error) ? error.code : undefined,
    });
  }

  async #log(
    module: string,
    level: 'info' | 'error',
    message: string,
    actor: Actor,
    fields: Record<string, unknown> = {},
  ): Promise<void> {
    await this.logs.write({
      module,
      kind: 'lifecycle',
      level,
      message,
      actor: actor.name,
      fields: { ...fields, reason: actor.reason },
    });
  }

  #identity(manifest: ModuleManifest, directory: string, source: ModuleRecord['source']) {
    return { name: manifest.name, version: manifest.version, source, directory, manifest };
  }

  /** Runs lifecycle operations one at a time, in order. */
  #serialize<T>(operation: () => Promise<T>): Promise<T> {
    const result = this.#queue.then(operation, operation);
    this.#queue = result.catch(() => undefined);
    return result;
  }
}
