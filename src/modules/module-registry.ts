import type { ModuleManifest } from './manifest/manifest-types.js';
import type { LoadedModule } from './loaded-module.js';
import { firstSegment } from '../http/first-segment.js';
import { claimMatches, parseClaim, type PathClaim } from './path-claims.js';

/** A module known to the registry but not mounted (disabled, failed to load): its paths answer 403. */
interface DormantModule {
  name: string;
  claims: PathClaim[];
}

/**
 * The live set of modules the dispatcher consults on every request: mounted modules indexed by the first
 * segment of their claimed paths, and the claims of known but dormant modules (so they answer 403, not 404).
 */
export class ModuleRegistry {
  readonly #mounted = new Map<string, LoadedModule>();
  readonly #dormant = new Map<string, DormantModule>();
  #bySegment = new Map<string, LoadedModule[]>();
  readonly #listeners: Array<() => void> = [];

  /** Called whenever the set of mounted modules changes (the sidebar is recomposed). */
  onChange(listener: () => void): void {
    this.#listeners.push(listener);
  }

  mount(module: LoadedModule): void {
    this.#dormant.delete(module.name);
    this.#mounted.set(module.name, module);
    this.#reindex();
  }

  /** Unmounts a module; with a manifest it stays known as dormant (403), without it is forgotten (404). */
  unmount(name: string, dormantManifest?: ModuleManifest): LoadedModule | undefined {
    const module = this.#mounted.get(name);
    this.#mounted.delete(name);
    this.setDormant(name, dormantManifest);
    this.#reindex();
    return module;
  }

  /** Marks a module known but not mounted (its paths answer 403), or forgets it when no manifest is given. */
  setDormant(name: string, manifest?: ModuleManifest): void {
    if (manifest && !this.#mounted.has(name)) {
      this.#dormant.set(name, { name, claims: manifest.ui.routes.map((route) => parseClaim(route.path)) });
    } else {
      this.#dormant.delete(name);
    }
  }

  get(name: string): LoadedModule | undefined {
    return this.#mounted.get(name);
  }

  isDormant(name: string): boolean {
    return this.#dormant.has(name);
  }

  mounted(): LoadedModule[] {
    return [...this.#mounted.values()];
  }

  /** The mounted module whose claims cover `path`. */
  ownerOf(path: string): LoadedModule | undefined {
    return this.#bySegment
      .get(firstSegment(path))
      ?.find((module) => module.claims.some((claim) => claimMatches(claim, path)));
  }

  /** The dormant module whose claims cover `path`. */
  dormantOwnerOf(path: string): string | undefined {
    for (const module of this.#dormant.values()) {
      if (module.claims.some((claim) => claimMatches(claim, path))) return module.name;
    }
    return undefined;
  }

  #reindex(): void {
    const index = new Map<string, LoadedModule[]>();
    for (const module of this.#mounted.values()) {
      for (const claim of module.claims) {
        const segment = firstSegment(claim.base);
        const list = index.get(segment) ?? [];
        if (!list.includes(module)) list.push(module);
        index.set(segment, list);
      }
    }
    this.#bySegment = index;
    for (const listener of this.#listeners) listener();
  }
}
