import semver from 'semver';
import { NxfError } from '../errors.js';
import { coreVersion } from '../version.js';
import { coreDependency, type ModuleManifest } from './manifest/manifest-types.js';

/** Module-to-module dependencies of a manifest (the core's entry left out). */
export function moduleDependencies(manifest: ModuleManifest): Array<[string, string]> {
  return Object.entries(manifest.dependencies).filter(([name]) => name !== coreDependency);
}

/** @throws NxfError NXF_CORE_INCOMPATIBLE when the module needs another core version. */
export function assertCoreCompatible(manifest: ModuleManifest, version = coreVersion): void {
  const range = manifest.dependencies[coreDependency] as string;
  if (!semver.satisfies(version, range, { includePrerelease: true })) {
    throw new NxfError(
      'NXF_CORE_INCOMPATIBLE',
      `${manifest.name} ${manifest.version} needs NxForge core ${range}; this is ${version}.`,
      { status: 409 },
    );
  }
}

/**
 * Checks that every module `manifest` depends on is enabled in a version its range accepts.
 * @throws NxfError NXF_DEPENDENCY_MISSING (409) naming each missing or mismatched dependency.
 */
export function assertDependenciesEnabled(manifest: ModuleManifest, enabled: ReadonlyMap<string, string>): void {
  const problems = moduleDependencies(manifest).flatMap(([name, range]) => {
    const version = enabled.get(name);
    if (version === undefined) return [`${name} ${range} is not enabled`];
    return semver.satisfies(version, range, { includePrerelease: true })
      ? []
      : [`${name} ${range} is needed but ${version} is enabled`];
  });
  if (problems.length > 0) {
    throw new NxfError('NXF_DEPENDENCY_MISSING', `${manifest.name} cannot be enabled: ${problems.join('; ')}.`, {
      status: 409,
      details: problems,
    });
  }
}

/** The enabled modules that depend on `name`. */
export function dependentsOf(name: string, enabled: Iterable<ModuleManifest>): string[] {
  return [...enabled]
    .filter((m) => moduleDependencies(m).some(([dependency]) => dependency === name))
    .map((m) => m.name);
}

/** A dependency cycle through `start` (e.g. `a → b → a`), or undefined. */
export function findCycle(start: string, manifests: ReadonlyMap<string, ModuleManifest>): string[] | undefined {
  const visit = (name: string, trail: string[]): string[] | undefined => {
    if (trail.includes(name)) return [...trail.slice(trail.indexOf(name)), name];
    const manifest = manifests.get(name);
    if (!manifest) return undefined;
    for (const [dependency] of moduleDependencies(manifest)) {
      const cycle = visit(dependency, [...trail, name]);
      if (cycle) return cycle;
    }
    return undefined;
  };
  return visit(start, []);
}

/** Orders modules so that each comes after the modules it depends on (those in a cycle keep their order at the end). */
export function dependencyOrder(manifests: ModuleManifest[]): ModuleManifest[] {
  const byName = new Map(manifests.map((m) => [m.name, m]));
  const ordered: ModuleManifest[] = [];
  const placed = new Set<string>();
  const visiting = new Set<string>();
  const place = (manifest: ModuleManifest) => {
    if (placed.has(manifest.name) || visiting.has(manifest.name)) return;
    visiting.add(manifest.name);
    for (const [dependency] of moduleDependencies(manifest)) {
      const found = byName.get(dependency);
      if (found) place(found);
    }
    visiting.delete(manifest.name);
    placed.add(manifest.name);
    ordered.push(manifest);
  };
  manifests.forEach(place);
  return ordered;
}
