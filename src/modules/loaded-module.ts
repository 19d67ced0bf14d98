import type Koa from 'koa';
import type { Eta } from 'eta';
import type { AppState } from '../http/app-context.js';
import type { ModuleContext, WidgetLoader } from './context/module-context.js';
import type { ModuleManifest } from './manifest/manifest-types.js';
import type { PathClaim } from './path-claims.js';
import type { SettingValue } from '../settings/setting-values.js';

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
  /** Current settings; replaced when they are saved. */
  settings: Record<string, SettingValue | undefined>;
  /** Requests being served right now; unloading waits for them. */
  inFlight: number;
  /** Undoes the load (the module's teardown, event subscriptions), newest first; migrations stay. */
  teardown: Array<() => Promise<void> | void>;
}
