import type { AuthenticatedUser } from '../auth/sessions.js';
import { roleHasPermission } from '../auth/permissions.js';

/** A link in the sidebar. */
export interface NavLink {
  label: string;
  path: string;
  icon?: string;
  /** Permission needed to see it; defaults to the parent entry's. */
  permission?: string;
}

/**
 * A sidebar entry: one shape for the core and for modules (a module's manifest `ui.sidebar` maps onto it).
 * An entry with a path is a link; an entry with children is a group of links.
 */
export interface NavEntry {
  /** Stable id: `core:<name>` or the module name. */
  id: string;
  label: string;
  icon?: string;
  path?: string;
  /** Lower comes first; ties sort by label. */
  order: number;
  /** Permission needed to see the entry at all. */
  permission?: string;
  children: NavLink[];
}

/** A sidebar entry as rendered for one user and one page. */
export interface SidebarEntry {
  id: string;
  label: string;
  icon?: string;
  path?: string;
  current: boolean;
  /** True when the current page is this entry or one of its children. */
  active: boolean;
  children: Array<{ label: string; path: string; icon?: string; current: boolean }>;
}

/** Supplies entries on each request, so what it returns can change while the server runs (enabled modules). */
export type NavSource = () => readonly NavEntry[];

/** The sidebar's content: core entries and sources registered by other parts (the module manager). */
export class NavigationRegistry {
  readonly #sources: NavSource[] = [];
  #version = 0;

  /** Changes whenever what the sources return may have changed; renderers key their caches on it. */
  get version(): number {
    return this.#version;
  }

  /** Adds fixed entries. */
  add(...entries: NavEntry[]): void {
    this.#sources.push(() => entries);
    this.invalidate();
  }

  /** Adds a source; it must call `invalidate()` when what it returns changes (a module enabled or disabled). */
  addSource(source: NavSource): void {
    this.#sources.push(source);
    this.invalidate();
  }

  /** Marks the sidebar as changed, so the next request composes it afresh. */
  invalidate(): void {
    this.#version += 1;
  }

  /** The sidebar for `user` on `currentPath`: only what they may see, sorted, the current page marked. */
  compose(user: AuthenticatedUser, currentPath: string): SidebarEntry[] {
    const allowed = (permission?: string) => !permission || roleHasPermission(user.role, permission);
    const isCurrent = (path: string) => path === currentPath;
    const isWithin = (path: string) => isCurrent(path) || (path !== '/' && currentPath.startsWith(`${path}/`));
    return this.#sources
      .flatMap((source) => source())
      .filter((entry) => allowed(entry.permission))
      .sort((a, b) => a.order - b.order || a.label.localeCompare(b.label))
      .map((entry) => {
        const children = entry.children
          .filter((child) => allowed(child.permission))
          .map((child) => ({ label: child.label, path: child.path, icon: child.icon, current: isCurrent(child.path) }));
        const current = entry.path !== undefined && isCurrent(entry.path);
        const active =
          (entry.path !== undefined && isWithin(entry.path)) || entry.children.some((child) => isWithin(child.path));
        return { id: entry.id, label: entry.label, icon: entry.icon, path: entry.path, current, active, children };
      })
      .filter((entry) => entry.path !== undefined || entry.children.length > 0);
  }
}
