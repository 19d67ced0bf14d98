import type Koa from 'koa';
import type { Eta } from 'eta';
import type { AppState } from '../http/app-context.js';
import type { ModuleContext, WidgetLoader } from './context/module-context.js';
import type { ModuleManifest } from './manifest/manifest-types.js';
import type { PathClaim } from './path-claims.js';
import type { LiveSettings } from './settings/live-settings.js';

/** A module that is loaded and mounted: what the dispatcher routes to and what unloading must undo. */
export interface LoadedModule {
  name: string;
  manifest: ModuleManifest;
  directory: string;
  context: ModuleContext;
  claims: PathClaim[];
  /** The module's page routes, composed into one middleware. */
  ui: Koa.Middleware<AppState>;
  /** The module's API routes, composed into one middleware. */
  api: Koa.Middleware<AppState>;
  eta: Eta;
  widgets: Map<string, WidgetLoader>;
  /** Current settings; the manager replaces them when they are saved. */
  readonly settings: LiveSettings;
  /** The module's database role, which its jobs' connections take too; undefined when isolation is off. */
  databaseRole?: string;
  /** Requests being served right now; unloading waits for them. */
  inFlight: number;
  /** What unloading undoes; the migrations stay, and so does the module's data. */
  unload: UnloadSteps;
}

/**
 * The steps that undo a load, run in this order: the module's own teardown, its event subscriptions, then its
 * database pool.
 */
export interface UnloadSteps {
  /** What `setup` returned, when it returned a function. */
  moduleTeardown?: () => Promise<void> | void;
  endSubscriptions: () => void;
  /** Closes the module's own connections (isolation on). */
  closeDatabase?: () => Promise<void>;
}
