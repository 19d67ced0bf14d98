import type { KioskFilterName, SidebarItem } from '../../modules/manifest/manifest-types.js';
import type { ModuleRegistry } from '../../modules/module-registry.js';

/** A module page offered for kiosk displays (`"kiosk": true` on its sidebar child). */
export interface KioskPage {
  path: string;
  label: string;
  /** The module serving it, by name, and its sidebar label. */
  module: string;
  moduleLabel: string;
  /** The display filters the page honours (`kioskFilters`). */
  filters: KioskFilterName[];
}

/** A display's page as it stands now: shown, or not, with the reason in words. */
export type KioskPageState = { available: true; page: KioskPage } | { available: false; path: string; reason: string };

/** Every page the enabled modules offer for displays, in sidebar order. */
export function offeredKioskPages(registry: ModuleRegistry): KioskPage[] {
  return registry
    .mounted()
    .map(({ manifest }) => manifest)
    .sort(
      (a, b) =>
        (a.ui.sidebar.order ?? 100) - (b.ui.sidebar.order ?? 100) ||
        a.ui.sidebar.label.localeCompare(b.ui.sidebar.label),
    )
    .flatMap((manifest) =>
      manifest.ui.sidebar.children
        .filter((child) => child.kiosk === true)
        .map((child) => kioskPage(manifest.name, manifest.ui.sidebar.label, child)),
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
      return { available: true, page: kioskPage(manifest.name, manifest.ui.sidebar.label, child) };
    }
    return { available: false, path, reason: `${owner.manifest.displayName} no longer offers ${path} for displays` };
  }
  const dormant = registry.dormantOwnerOf(path);
  if (dormant) return { available: false, path, reason: `the module ${dormant} is disabled` };
  return { available: false, path, reason: `no module serves ${path}` };
}

function kioskPage(module: string, moduleLabel: string, child: SidebarItem): KioskPage {
  return { path: child.path, label: child.label, module, moduleLabel, filters: child.kioskFilters ?? [] };
}

/**
 * The display page that `requestPath` belongs to: the page itself or a fragment under it (`<page>/…`) — unless the
 * page holds other pages of its module (`holdsPages`, a module's root page such as `/temperature`): then the page
 * alone, or its module's other pages would be the display's too.
 */
export function pageOf(
  pages: readonly string[],
  requestPath: string,
  holdsPages: (page: string) => boolean = () => false,
): string | undefined {
  return pages.find((page) => requestPath === page || (requestPath.startsWith(`${page}/`) && !holdsPages(page)));
}

/** Whether other sidebar pages of the module serving `page` lie under it. */
export function holdsOtherPages(registry: ModuleRegistry, page: string): boolean {
  const children = registry.ownerOf(page)?.manifest.ui.sidebar.children ?? [];
  return children.some((child) => child.path.startsWith(`${page}/`));
}
