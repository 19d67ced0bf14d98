import { expect } from 'chai';
import { firstSegment } from '../../src/http/first-segment.js';
import {
  assertCoreCompatible,
  assertDependenciesEnabled,
  dependencyOrder,
  dependentsOf,
  findCycle,
} from '../../src/modules/dependencies.js';
import type { ModuleManifest } from '../../src/modules/manifest/manifest-types.js';
import type { LoadedModule } from '../../src/modules/loaded-module.js';
import { ModuleRegistry } from '../../src/modules/module-registry.js';
import { canStart, canTransition, moduleActions, moduleStatuses } from '../../src/modules/module-status.js';
import { claimMatches, claimsOverlap, corePathClaims, parseClaim } from '../../src/modules/path-claims.js';
import { LiveSettings } from '../../src/modules/settings/live-settings.js';

/** A manifest with just what these functions read. */
function manifest(name: string, dependencies: Record<string, string> = {}, claims: string[] = []): ModuleManifest {
  return {
    name,
    version: '1.2.0',
    dependencies: { '@nxforge/core': '^5.0.0', ...dependencies },
    ui: {
      views: './views',
      routes: claims.map((path) => ({ path })),
      sidebar: { label: name, icon: 'x', children: [] },
    },
  } as unknown as ModuleManifest;
}

/** A loaded module as the registry sees it: a name, a manifest and its claims. */
function loaded(name: string, claims: string[]): LoadedModule {
  return { name, manifest: manifest(name, {}, claims), claims: claims.map(parseClaim) } as unknown as LoadedModule;
}

describe('path claims', () => {
  it('an exact claim covers its path only; a prefix claim its path and everything under it', () => {
    const exact = parseClaim('/consumption');
    const prefix = parseClaim('/consumption/*');
    expect(prefix).to.deep.equal({ base: '/consumption', wildcard: true, pattern: '/consumption/*' });
    expect(['/consumption', '/consumption/live', '/consumptionx'].map((p) => claimMatches(exact, p))).to.deep.equal([
      true,
      false,
      false,
    ]);
    expect(['/consumption', '/consumption/live/a', '/consumptionx'].map((p) => claimMatches(prefix, p))).to.deep.equal([
      true,
      true,
      false,
    ]);
  });

  it('claims overlap when one path would match both, not when they only share letters', () => {
    const overlap = (a: string, b: string) => claimsOverlap(parseClaim(a), parseClaim(b));
    expect(overlap('/a/*', '/a/b')).to.equal(true);
    expect(overlap('/a/b/*', '/a/*')).to.equal(true);
    expect(overlap('/a', '/a/*')).to.equal(true);
    expect(overlap('/a', '/a/b')).to.equal(false);
    expect(overlap('/ab/*', '/a/*')).to.equal(false);
  });

  it("the core's paths are claimed for it", () => {
    const taken = (path: string) => corePathClaims.some((claim) => claimMatches(claim, path));
    expect(['/', '/login', '/admin/users', '/api/v1/m/x', '/static/app.css'].every(taken)).to.equal(true);
    expect(taken('/consumption')).to.equal(false);
  });

  it('the first segment of a path is what claims are indexed by', () => {
    expect(['/', '/consumption', '/consumption/live', '/a/b/c'].map(firstSegment)).to.deep.equal([
      '',
      'consumption',
      'consumption',
      'a',
    ]);
  });
});

describe('module registry', () => {
  it('finds the owner of a path among the mounted modules, and a dormant one for a disabled module', () => {
    const registry = new ModuleRegistry();
    let changes = 0;
    registry.onChange(() => (changes += 1));
    registry.mount(loaded('power', ['/power/*']));
    registry.mount(loaded('temps', ['/temps', '/sensors/*']));
    expect(registry.ownerOf('/power/live')?.name).to.equal('power');
    expect(registry.ownerOf('/sensors/a/b')?.name).to.equal('temps');
    expect(registry.ownerOf('/temps/x'), 'an exact claim').to.equal(undefined);
    expect(registry.ownerOf('/elsewhere')).to.equal(undefined);

    registry.unmount('temps', manifest('temps', {}, ['/temps', '/sensors/*']));
    expect(registry.ownerOf('/sensors/a')).to.equal(undefined);
    expect(registry.dormantOwnerOf('/sensors/a')).to.equal('temps');
    expect(registry.isDormant('temps')).to.equal(true);
    expect(registry.mounted().map((m) => m.name)).to.deep.equal(['power']);

    registry.unmount('power');
    expect(registry.isDormant('power'), 'unmounted without a manifest: forgotten').to.equal(false);
    expect(registry.get('power')).to.equal(undefined);
    expect(changes, 'every mount and unmount tells the listeners').to.equal(4);
  });
});

describe('module dependencies', () => {
  const a = manifest('a');
  const b = manifest('b', { a: '^1.0.0' });
  const c = manifest('c', { b: '^1.0.0', a: '>=1.0.0' });

  it('orders modules after what they depend on', () => {
    expect(dependencyOrder([c, b, a]).map((m) => m.name)).to.deep.equal(['a', 'b', 'c']);
  });

  it('names a cycle through a module, and none where there is none', () => {
    const x = manifest('x', { y: '*' });
    const y = manifest('y', { z: '*' });
    const z = manifest('z', { x: '*' });
    expect(findCycle('x', new Map([x, y, z].map((m) => [m.name, m])))).to.deep.equal(['x', 'y', 'z', 'x']);
    expect(findCycle('c', new Map([a, b, c].map((m) => [m.name, m])))).to.equal(undefined);
  });

  it('lists the modules that depend on one', () => {
    expect(dependentsOf('a', [a, b, c])).to.deep.equal(['b', 'c']);
    expect(dependentsOf('c', [a, b, c])).to.deep.equal([]);
  });

  it('refuses a module whose dependencies are not enabled in a fitting version, naming each', () => {
    expect(() =>
      assertDependenciesEnabled(
        c,
        new Map([
          ['a', '1.0.0'],
          ['b', '1.4.2'],
        ]),
      ),
    ).not.to.throw();
    expect(() => assertDependenciesEnabled(c, new Map([['b', '2.0.0']])))
      .to.throw('c cannot be enabled: b ^1.0.0 is needed but 2.0.0 is enabled; a >=1.0.0 is not enabled.')
      .with.property('code', 'NXF_DEPENDENCY_MISSING');
  });

  it('refuses a module for another core version', () => {
    expect(() => assertCoreCompatible(a, '5.3.1')).not.to.throw();
    expect(() => assertCoreCompatible(a, '6.0.0'))
      .to.throw('a 1.2.0 needs NxForge core ^5.0.0; this is 6.0.0.')
      .with.property('status', 409);
  });
});

describe('module status', () => {
  it('offers enable, disable and uninstall as the lifecycle allows them', () => {
    const offered = (status: (typeof moduleStatuses)[number], mounted: boolean) =>
      Object.entries(moduleActions(status, mounted))
        .filter(([, allowed]) => allowed)
        .map(([action]) => action);
    expect(offered('INSTALLED', false)).to.deep.equal(['enable', 'uninstall']);
    expect(offered('ENABLED', true)).to.deep.equal(['disable']);
    expect(offered('ENABLED', false), 'enabled but not loaded: load it again').to.deep.equal(['enable']);
    expect(offered('DISABLED', false)).to.deep.equal(['enable', 'uninstall']);
    expect(offered('INVALID', false), 'install a valid version instead').to.deep.equal([]);
    expect(offered('REMOVED', false)).to.deep.equal([]);
    for (const status of ['UPLOADING', 'VALIDATING', 'INSTALLING', 'UNINSTALLING'] as const) {
      expect(offered(status, false), `${status}: while an operation runs`).to.deep.equal([]);
    }
  });

  it('allows the documented steps only', () => {
    expect(canTransition('DISABLED', 'UNINSTALLING')).to.equal(true);
    expect(canTransition('ENABLED', 'UNINSTALLING')).to.equal(false);
    expect(canTransition('UNINSTALLING', 'DISABLED'), 'a failed uninstall goes back').to.equal(true);
    expect(canStart('UNINSTALLING', 'DISABLED'), 'but no action starts there').to.equal(false);
    expect(canTransition('REMOVED', 'INSTALLED')).to.equal(true);
  });
});

describe('live settings', () => {
  it('one owner: readers see the values replaced, never a copy they could change', () => {
    const settings = new LiveSettings({ interval: 5 });
    const read = () => settings.current;
    settings.replace({ interval: 10, label: 'rack 4' });
    expect(read()).to.deep.equal({ interval: 10, label: 'rack 4' });
    expect(Object.isFrozen(read())).to.equal(true);
  });
});
