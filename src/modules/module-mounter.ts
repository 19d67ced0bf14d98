import { NxfError } from '../errors.js';
import type { Logger } from '../logger.js';
import { assertDependenciesEnabled, findCycle } from './dependencies.js';
import type { LoadedModule } from './loaded-module.js';
import { readManifest } from './manifest/manifest-read.js';
import type { ModuleManifest } from './manifest/manifest-types.js';
import { loadModule, unloadModule, type LoaderDeps } from './module-loader.js';
import type { ModuleRegistry } from './module-registry.js';
import { assertPrefixFree } from './prefix-ownership.js';
import type { ModuleRecord, ModuleStore } from './module-store.js';

/** Extensions that follow modules being mounted and unmounted (the scheduler registers their jobs). */
export interface ModuleHooks {
  mounted?(module: LoadedModule): Promise<void> | void;
  unmounting?(module: LoadedModule): Promise<void> | void;
  /** A module was uninstalled with purge: delete what this extension keeps for it (files, job history). */
  purged?(module: string): Promise<void> | void;
}

/** How long unmounting waits for requests in flight before tearing the module down. */
const drainTimeoutMs = 10_000;

/** Puts loaded modules into the registry and takes them out again, with the hooks around both. */
export class ModuleMounter {
  readonly #hooks: ModuleHooks[] = [];

  constructor(
    private readonly registry: ModuleRegistry,
    private readonly store: ModuleStore,
    private readonly loaderDeps: LoaderDeps,
    private readonly logger: Logger,
  ) {}

  addHooks(hooks: ModuleHooks): void {
    this.#hooks.push(hooks);
  }

  /** Tells the extensions that a module's data was purged. */
  async purged(module: string): Promise<void> {
    for (const hooks of this.#hooks) await hooks.purged?.(module);
  }

  /**
   * Loads the module of `record` from its folder and mounts it.
   * @throws NxfError NXF_DEPENDENCY_CYCLE, NXF_DEPENDENCY_MISSING, or why loading failed.
   */
  async mount(record: ModuleRecord): Promise<LoadedModule> {
    const manifest = await readManifest(record.directory);
    const known = (await this.store.list())
      .filter((r) => r.manifest)
      .map((r) => [r.name, r.manifest as ModuleManifest] as const);
    const cycle = findCycle(manifest.name, new Map([...known, [manifest.name, manifest]]));
    if (cycle) {
      throw new NxfError(
        'NXF_DEPENDENCY_CYCLE',
        `${manifest.name} is part of a dependency cycle: ${cycle.join(' → ')}.`,
        {
          status: 409,
        },
      );
    }
    assertDependenciesEnabled(manifest, new Map(this.registry.mounted().map((m) => [m.name, m.manifest.version])));
    await assertPrefixFree(manifest, this.store, this.loaderDeps.db);
    const module = await loadModule(this.loaderDeps, record.directory, record.name, this.registry.mounted());
    this.registry.mount(module);
    try {
      for (const hooks of this.#hooks) await hooks.mounted?.(module);
    } catch (error) {
      await this.unmount(module.name, module.manifest);
      throw error;
    }
    return module;
  }

  /**
   * Unmounts a module at once (new requests get 403 with a dormant manifest, else 404), then lets the requests
   * in flight finish and tears it down.
   */
  async unmount(name: string, dormantManifest?: ModuleManifest): Promise<void> {
    const module = this.registry.unmount(name, dormantManifest);
    if (!module) return;
    for (const hooks of this.#hooks) {
      try {
        await hooks.unmounting?.(module);
      } catch (error) {
        this.logger.error({ err: error, module: name }, 'a module hook failed while unmounting');
      }
    }
    const deadline = Date.now() + drainTimeoutMs;
    while (module.inFlight > 0 && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 10));
    await unloadModule(module, this.logger);
  }
}
