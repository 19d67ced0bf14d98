import type { JobDefinition } from '../../jobs/job-types.js';
import type { SettingDefinition } from '../../settings/setting-values.js';

export type { JobDefinition, SettingDefinition };

/**
 * The module manifest, version 2, for server-rendered views (docs/modules.md, "The manifest").
 * `manifest-schema.ts` is the JSON Schema that enforces it; docs/modules.md documents every field.
 */
export interface ModuleManifest {
  /** Unique kebab-case identifier, e.g. `consumption-monitor`. */
  name: string;
  /** Semantic version of the module. */
  version: string;
  displayName: string;
  description: string;
  author: string;
  license?: string;
  /** The ESM entry exporting `default async function setup(ctx)`, relative to the module folder. */
  entry: string;
  /** The module's JSON API, mounted under `/api/v1/m/<name>`; a route it registers but does not declare is refused. */
  routes: RouteDefinition[];
  /** Background jobs by id. */
  jobs: Record<string, JobDefinition>;
  /** Folder of `NNN_name.sql` / `NNN_name.js` migrations, relative to the module folder. */
  migrations: string;
  /** Prefix every table, index, type and sequence the module creates must carry, e.g. `cm_`. */
  tablePrefix: string;
  /**
   * Legacy tables without the prefix (e.g. an older release's `endpoint`) the module may take over: its migrations
   * may alter and rename them, and their indexes, constraints and sequences, into its prefix. Given to the module's
   * database role before its migrations run.
   */
  adopts?: string[];
  ui: UiDefinition;
  /** `@nxforge/core` and other modules by name, each with a semver range. */
  dependencies: Record<string, string>;
  /** Capabilities the module uses; services it did not declare are refused. */
  permissions: Capability[];
  /** Settings shown on the module's settings page and read through `ctx.settings`. */
  settings: Record<string, SettingDefinition>;
}

export type HttpMethod = 'GET' | 'POST' | 'PUT' | 'DELETE' | 'PATCH';

/** One route of the module's JSON API. */
export interface RouteDefinition {
  method: HttpMethod;
  /** Path relative to `/api/v1/m/<name>`, in @koa/router syntax (`/endpoints/:id`). */
  path: string;
  /** Informational: where the handler lives. */
  handler?: string;
  /** Permission a caller needs; default `<name>:read` for GET, `<name>:write` otherwise. */
  permission?: string;
  description?: string;
}

export interface UiDefinition {
  /** Folder of the module's Eta templates, relative to the module folder. */
  views: string;
  /** Page paths the module claims: exact (`/consumption`) or a prefix (`/consumption/*`). */
  routes: UiRouteClaim[];
  sidebar: SidebarConfig;
  /** Cards the module adds to the core dashboard. */
  widgets?: WidgetDefinition[];
}

export interface UiRouteClaim {
  path: string;
  description?: string;
}

export interface SidebarConfig {
  label: string;
  /** A named icon (see public/icons.svg) or an emoji. */
  icon: string;
  order?: number;
  children: SidebarItem[];
}

export interface SidebarItem {
  label: string;
  /** Full path, inside one of the module's claims. */
  path: string;
  icon?: string;
  /**
   * The page can be shown on a kiosk display (docs/modules.md, "Kiosk pages"): read-only, fitting one screen,
   * honouring the display's filter. Administrators choose such pages for displays.
   */
  kiosk?: boolean;
  /** Which of a display's filters the kiosk page honours; the Displays form offers only those (none by default). */
  kioskFilters?: KioskFilterName[];
}

/** A filter a display passes to its pages: `request.state.kiosk.filter.rack` or `.customer`. */
export type KioskFilterName = 'rack' | 'customer';

export interface WidgetDefinition {
  /** Kebab-case id, unique in the module. */
  id: string;
  title: string;
  /** Template in the module's views folder, rendered with the data its loader returns. */
  view: string;
  /** Refresh interval on the dashboard; none means it loads once per page view. */
  refreshSeconds?: number;
}

/** What a module may declare in `permissions`. */
export const capabilities = [
  'database:read',
  'database:write',
  'network:outbound',
  'storage:read',
  'storage:write',
  'notifications:send',
  'events:subscribe',
] as const;
export type Capability = (typeof capabilities)[number];

/** The key in `dependencies` that names the core. */
export const coreDependency = '@nxforge/core';
