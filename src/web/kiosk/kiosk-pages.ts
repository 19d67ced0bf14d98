import type { ModuleRegistry } from '../../modules/module-registry.js';

/** A module page offered for kiosk displays (`"kiosk": true` on its sidebar child). */
export interface KioskPage {
  path: string;
  label: string;
  /** The module serving it, by name, and its sidebar label. */
  module: string;
  moduleLabel: string;
}

/** A display's page as it stands now: shown, or not, with the reason in words. */
export type KioskPageState = { available: true; page: KioskPage } | { available: false; path: string; reason: string };

/** Every page the enabled modules offer for displays, in sidebar order. */
export function offeredKioskPages(registry: ModuleRegistry): KioskPage[] {
  return registry
    .mounted()
    .map(({ manifest }) => manifest)
    .sort((a, b) => (a.ui.sidebar.order ?? 100) - (b.ui.sidebar.order ?? 100) || a.ui.sidebar.label.localeCompare(b.ui.sidebar.label))
    .flatMap((manifest) =>
      manifest.ui.sidebar.children
        .filter((child) => child.kiosk === true)
        .map((child) => ({ path: child.path, label: child.label, module: manifest.name, moduleLabel: manifest.ui.sidebar.label })),
    );
}

/**
 * Whether a display's page can be shown now: its module is enabled and still offers it. Otherwise why not — the
 * module is disabled, no longer offers the page (an upgrade removed it), or is gone.
 */
export function kioskPageState(registry: ModuleRegistry, path: string): KioskPageState {
  const owner = registry.ownerOf(path);
  if (owner) {
    const child = owner.manifest.ui.sidebar.children.find((c) => c.path === path && c.kiosk === true);
    if (child) {
      const { manifest } = owner;
      return {
        available: true,
        page: { path, label: child.label, module: manifest.name, moduleLabel: manifest.ui.sidebar.label },
      };
    }
    return { available: false, path, reason: `${owner.manifest.displayName} no longer offers ${path} for displays` };
  }
  const dormant = registry.dormantOwnerOf(path);
  if (dormant) return { available: false, path, reason: `the module ${dormant} is disabled` };
  return { available: false, path, reason: `no module serves ${path}` };
}

/** The display page that `requestPath` belongs to: the page itself or a fragment under it (`<page>/…`). */
export function pageOf(pages: readonly string[], requestPath: string): string | undefined {
  return pages.find((page) => requestPath === page || requestPath.startsWith(`${page}/`));
}
