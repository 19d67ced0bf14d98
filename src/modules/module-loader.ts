import type Router from '@koa/router';
import type Koa from 'koa';
import type { Eta } from 'eta';
import compose from 'koa-compose';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import pTimeout from 'p-timeout';
import type { Database } from '../db/database.js';
import type { ModuleRoles } from '../db/module-roles.js';
import { errorMessage, NxfError } from '../errors.js';
import type { Logger } from '../logger.js';
import type { AppState } from '../http/app-context.js';
import { createModuleContext, type ModuleContextDeps } from './context/module-context.js';
import { createModuleLogger } from './context/module-logger.js';
import { assertCoreCompatible } from './dependencies.js';
import type { LoadedModule, UnloadSteps } from './loaded-module.js';
import { readManifest } from './manifest/manifest-read.js';
import type { ModuleManifest } from './manifest/manifest-types.js';
import { ModuleMigrator } from './migrations/module-migrator.js';
import type { ModuleLogStore } from './module-log.js';
import { verifyApiRoutes, verifyUiRoutes } from './module-routes.js';
import { claimMatches, claimsOverlap, corePathClaims, parseClaim, type PathClaim } from './path-claims.js';
import { LiveSettings } from './settings/live-settings.js';
import type { ModuleSettingsStore } from './settings/module-settings-store.js';
import { effectiveSettings } from '../settings/setting-values.js';

/** What loading needs from the core. */
export interface LoaderDeps extends ModuleContextDeps {
  db: Database;
  /** Each module's database role (isolation), or the shared connection when it is off. */
  roles: ModuleRoles;
  logger: Logger;
  logs: ModuleLogStore;
  settingsStore: ModuleSettingsStore;
  /**
   * The template engine over a module's views folder (Eta with the core partials and helpers), whose `nx.asset`
   * fingerprints the files of the module's `public/` folder too.
   */
  viewEngine(viewsDir: string, module: { name: string; publicDir: string }): Eta;
  /** How long `setup` may take (default `setupTimeoutMs`, 30 s). */
  setupTimeoutMs?: number;
}

/** How long a module's `setup` may take before loading is abandoned. */
export const setupTimeoutMs = 30_000;

/** Each load imports the entry under a fresh URL, so a reload runs the module's current code. */
let loadCounter = 0;

/**
 * Loads a module from `directory`: validates the manifest, checks its claims against the core and the mounted
 * modules, applies its pending migrations, imports its entry, calls `setup(ctx)` and checks the routes it
 * registered. Any failure undoes everything this load did — the module's teardown, its event subscriptions,
 * the migrations it applied — and is rethrown as an NxfError saying what failed; nothing is left half-loaded.
 */
export async function loadModule(
  deps: LoaderDeps,
  directory: string,
  expectedName: string,
  mounted: readonly LoadedModule[],
): Promise<LoadedModule> {
  // Every step a failed load must undo, named; unloading later undoes the same but the migrations.
  const undo: Partial<UnloadSteps> & { revertMigrations?: () => Promise<unknown> } = {};
  try {
    const manifest = await readManifest(directory);
    if (manifest.name !== expectedName) {
      throw new NxfError(
        'NXF_MODULE_NAME_MISMATCH',
        `The manifest in ${directory} is for "${manifest.name}", not "${expectedName}".`,
        {
          status: 400,
        },
      );
    }
    assertCoreCompatible(manifest);
    const claims = checkClaims(
      manifest,
      mounted.filter((m) => m.name !== manifest.name),
    );
    assertFilesPresent(manifest, directory);

    const role = await deps.roles.prepare(manifest.tablePrefix, manifest.adopts);
    const migrator = await ModuleMigrator.open(deps.db, directory, manifest, { role });
    const applied = await migrator.up();
    undo.revertMigrations = () => migrator.revert([...applied].reverse());
    const database = role ? deps.roles.connect(role, `nxforge module ${manifest.name}`) : undefined;
    if (database) undo.closeDatabase = () => database.close();

    const setup = await importSetup(manifest, directory);
    const eta = deps.viewEngine(path.resolve(directory, manifest.ui.views), {
      name: manifest.name,
      publicDir: path.join(directory, 'public'),
    });
    const logger = createModuleLogger(manifest.name, deps.logger, deps.logs);
    const settings = new LiveSettings(
      effectiveSettings(manifest.settings, await deps.settingsStore.load(manifest.name)),
    );
    const parts = createModuleContext(deps, { manifest, eta, logger, settings: () => settings.current, database });
    undo.endSubscriptions = parts.dispose;

    const teardown = await runSetup(setup, parts.context, {
      ms: deps.setupTimeoutMs ?? setupTimeoutMs,
      module: manifest.name,
      logger: deps.logger,
    });
    if (typeof teardown === 'function') undo.moduleTeardown = teardown as () => Promise<void>;
    verifyApiRoutes(manifest, parts.api);
    verifyUiRoutes(manifest, claims, parts.ui);

    const loaded: LoadedModule = {
      name: manifest.name,
      manifest,
      directory,
      context: parts.context,
      claims,
      ui: routerMiddleware(parts.ui),
      api: routerMiddleware(parts.api),
      eta,
      widgets: parts.widgets,
      settings,
      databaseRole: role,
      inFlight: 0,
      unload: {
        moduleTeardown: undo.moduleTeardown,
        endSubscriptions: parts.dispose,
        closeDatabase: undo.closeDatabase,
      },
    };
    return loaded;
  } catch (error) {
    await runSteps(
      [undo.moduleTeardown, undo.endSubscriptions, undo.closeDatabase, undo.revertMigrations],
      deps.logger,
      expectedName,
      'undoing a failed module load failed',
    );
    throw asLoadError(error, expectedName);
  }
}

/** Whatever stopped a load, as a coded error that names the module (an unexpected one keeps its own text). */
function asLoadError(error: unknown, module: string): NxfError {
  if (error instanceof NxfError) return error;
  return new NxfError('NXF_MODULE_LOAD', `${module} could not be loaded: ${errorMessage(error)}`, {
    status: 500,
    cause: error,
  });
}

/** A router's routes and its 405/501 answers as one middleware (the router's context type is a superset of Koa's). */
function routerMiddleware(router: Router<AppState>): Koa.Middleware<AppState> {
  return compose([router.routes(), router.allowedMethods()] as unknown as Array<Koa.Middleware<AppState>>);
}

/** Undoes a load but its migrations: the module's teardown, its event subscriptions, its database pool. */
export async function unloadModule(module: LoadedModule, logger: Logger): Promise<void> {
  const { moduleTeardown, endSubscriptions, closeDatabase } = module.unload;
  await runSteps([moduleTeardown, endSubscriptions, closeDatabase], logger, module.name, 'module teardown failed');
}

/** Runs the steps that are there, in order; a failing step is logged and the rest still run. */
async function runSteps(
  steps: ReadonlyArray<(() => unknown) | undefined>,
  logger: Logger,
  module: string,
  failure: string,
): Promise<void> {
  for (const step of steps) {
    try {
      await step?.();
    } catch (error) {
      logger.error({ err: error, module }, failure);
    }
  }
}

/**
 * The module's claims, refused when they overlap a core path or a mounted module's claim, or when a sidebar
 * link points outside them.
 * @throws NxfError NXF_PATH_COLLISION or NXF_SIDEBAR_UNCLAIMED.
 */
function checkClaims(manifest: ModuleManifest, others: readonly LoadedModule[]): PathClaim[] {
  const claims = manifest.ui.routes.map((route) => parseClaim(route.path));
  const collisions: string[] = [];
  for (const claim of claims) {
    for (const core of corePathClaims)
      if (claimsOverlap(claim, core)) collisions.push(`${claim.pattern} overlaps the core's ${core.pattern}`);
    for (const other of others) {
      for (const theirs of other.claims)
        if (claimsOverlap(claim, theirs))
          collisions.push(`${claim.pattern} overlaps ${other.name}'s ${theirs.pattern}`);
    }
  }
  if (collisions.length > 0) {
    throw new NxfError('NXF_PATH_COLLISION', `${manifest.name} claims paths already taken: ${collisions.join('; ')}.`, {
      status: 409,
      details: collisions,
    });
  }
  const outside = manifest.ui.sidebar.children.filter(
    (child) => !claims.some((claim) => claimMatches(claim, child.path)),
  );
  if (outside.length > 0) {
    throw new NxfError(
      'NXF_SIDEBAR_UNCLAIMED',
      `${manifest.name}'s sidebar links outside its claimed paths: ${outside.map((c) => c.path).join(', ')}.`,
      { status: 400 },
    );
  }
  return claims;
}

/** @throws NxfError NXF_MODULE_FILES when the entry, the views folder or a widget's view is missing. */
function assertFilesPresent(manifest: ModuleManifest, directory: string): void {
  const views = path.resolve(directory, manifest.ui.views);
  const missing = [
    path.resolve(directory, manifest.entry),
    views,
    ...(manifest.ui.widgets ?? []).map((widget) => path.join(views, `${widget.view}.eta`)),
  ].filter((file) => !existsSync(file));
  if (missing.length > 0) {
    throw new NxfError(
      'NXF_MODULE_FILES',
      `${manifest.name} is missing files: ${missing.map((f) => path.relative(directory, f)).join(', ')}.`,
      {
        status: 400,
        details: missing,
      },
    );
  }
}

async function importSetup(manifest: ModuleManifest, directory: string): Promise<(ctx: unknown) => unknown> {
  loadCounter += 1;
  const url = `${pathToFileURL(path.resolve(directory, manifest.entry)).href}?load=${loadCounter}`;
  let imported: { default?: unknown };
  try {
    imported = (await import(url)) as { default?: unknown };
  } catch (error) {
    throw new NxfError(
      'NXF_MODULE_ENTRY',
      `${manifest.name}: its entry ${manifest.entry} could not be loaded: ${errorMessage(error)}`,
      {
        status: 400,
        cause: error,
      },
    );
  }
  if (typeof imported.default !== 'function') {
    throw new NxfError(
      'NXF_MODULE_ENTRY',
      `${manifest.name}: ${manifest.entry} must export a default async function setup(ctx).`,
      {
        status: 400,
      },
    );
  }
  return imported.default as (ctx: unknown) => unknown;
}

/**
 * Calls a module's `setup` within `ms`; a failure is told as the module's, a timeout as such. A setup that
 * finishes later is too late to be loaded, but what it started must not keep running: the teardown it returns
 * then is called at once.
 */
async function runSetup(
  setup: (ctx: unknown) => unknown,
  context: unknown,
  options: { ms: number; module: string; logger: Logger },
): Promise<unknown> {
  const { ms, module, logger } = options;
  // Called inside the promise, so that a setup throwing before its first await is told like any other failure.
  const work = Promise.resolve().then(() => setup(context));
  const timedOut = new NxfError(
    'NXF_MODULE_SETUP_TIMEOUT',
    `${module}: setup() did not finish within ${ms / 1000} s.`,
    {
      status: 500,
    },
  );
  try {
    return await pTimeout(work, { milliseconds: ms, message: timedOut });
  } catch (error) {
    if (error === timedOut) {
      void work
        .then((late) => (typeof late === 'function' ? (late as () => unknown)() : undefined))
        .catch((lateError: unknown) =>
          logger.error({ err: lateError, module }, 'a setup that finished too late failed'),
        );
    }
    if (error instanceof NxfError) throw error;
    throw new NxfError('NXF_MODULE_SETUP_FAILED', `${module}: setup() failed: ${errorMessage(error)}`, {
      status: 500,
      cause: error,
    });
  }
}
