import type Router from '@koa/router';
import type { Eta } from 'eta';
import type { Sequelize } from 'sequelize';
import type { AuditLog } from '../../audit/audit-log.js';
import { roleHasPermission } from '../../auth/permissions.js';
import type { Database } from '../../db/database.js';
import { ModuleError, NxfError } from '../../errors.js';
import type { EventBus, EventHandler, Severity } from '../../events/event-bus.js';
import type { AppContext, AppState } from '../../http/app-context.js';
import type { FlashMessage } from '../../http/request-state.js';
import type { Capability, ModuleManifest } from '../manifest/manifest-types.js';
import type { SettingValue } from '../../settings/setting-values.js';
import type { ModuleServices } from '../../services/module-services.js';
import { createApiRouter, createUiRouter } from '../module-routes.js';
import type { ModuleLogger } from './module-logger.js';
import type { PageLayout } from './page-layout.js';

/** Loads the data a dashboard widget's view is rendered with, for the request asking. */
export type WidgetLoader = (request: AppContext) => Promise<Record<string, unknown>> | Record<string, unknown>;

/** A module's view of the event bus: its events are named `<module>.<event>`. */
export interface ModuleEvents {
  /** Emits `<module>.<name>` (a name already starting with `<module>.` is kept as it is). */
  emit(name: string, payload?: unknown, options?: { severity?: Severity }): Promise<void>;
  /** Subscribes to events by name or prefix pattern (`job.*`); needs the `events:subscribe` capability. */
  on(pattern: string, handler: EventHandler): () => void;
  off(pattern: string, handler: EventHandler): void;
}

/** How `render` answers. */
export interface RenderOptions {
  /** Page title; defaults to `data.title`, then the module's display name. */
  title?: string;
  /** HTTP status to answer with (e.g. 422 for a form with errors). */
  status?: number;
}

/** Everything a module gets from the core (docs/modules.md). Nothing else of the core is reachable from a module. */
export interface ModuleContext<Services = ModuleServices> {
  readonly name: string;
  readonly manifest: ModuleManifest;
  /** Lines go to the process log and to the module's log (Modules → the module → Log). */
  readonly logger: ModuleLogger;
  /**
   * Sequelize for raw queries on the module's own tables; needs `database:read` or `database:write`. Its
   * connections act as the module's database role: the core's and other modules' tables are out of its reach.
   */
  readonly db: Sequelize;
  /** Current setting values (saved, else the manifest's default), typed by the manifest. */
  readonly settings: Readonly<Record<string, SettingValue | undefined>>;
  /** Core services; each is available only with the capability that covers it. */
  readonly services: Services;
  readonly events: ModuleEvents;
  /** Router for the module's pages, on full paths inside its claims (`/consumption/live`). */
  readonly ui: Router<AppState>;
  /** Router for the module's JSON API, on paths relative to `/api/v1/m/<name>`; only declared routes are allowed. */
  readonly api: Router<AppState>;
  /**
   * Renders one of the module's views for the request being served: the whole page inside the core layout, or
   * the view alone for an htmx request. Views can include the core partials (`@core/partials/table`, …).
   */
  render(view: string, data?: Record<string, unknown>, options?: RenderOptions): string;
  /**
   * Renders one of the module's views alone, without the layout, for the request being served: to compose a page
   * of parts, or to keep a part that is costly and the same for everyone (pass it to `render` with `<%~ %>`).
   */
  renderView(view: string, data?: Record<string, unknown>): string;
  /** Supplies the data of a widget declared in the manifest's `ui.widgets`. */
  widget(id: string, load: WidgetLoader): void;
  /**
   * Whether the user of the request being served holds `permission` (e.g. `temperature-monitor:write`), to show
   * a form only to those who may send it. Views get the same as `it.can(permission)`.
   */
  can(permission: string): boolean;
  /**
   * Queues a message for the next page the browser of the request being served shows, typically after a redirect
   * (`ctx.flash('success', 'Host added.'); request.redirect(…)`). It appears in the layout's flash area.
   */
  flash(kind: FlashMessage['kind'], text: string): void;
  /**
   * Throws an error the core answers with `status` and `{error: {code, message, details?}}` (or an HTML error);
   * `details` (e.g. a message per invalid field) is shown for statuses below 500.
   */
  fail(status: number, code: string, message: string, details?: unknown): never;
  /**
   * Writes `<module>.<action>` to the core's audit log (Administration → Audit log) with the signed-in user and
   * address of the request being served (none outside a request): for actions people must be able to trace, such
   * as closing a billing month. `details` (JSON) says what was done, e.g. `{reason}`.
   */
  audit(action: string, target: string, details?: Record<string, unknown>): Promise<void>;
}

/** The core parts a module context is built from. */
export interface ModuleContextDeps {
  db: Database;
  events: EventBus;
  views: PageLayout;
  /** The request being served (Koa's `app.currentContext`), undefined outside a request. */
  currentRequest(): AppContext | undefined;
  servicesFor(module: string, capabilities: readonly Capability[]): ModuleServices;
  /** The core's audit log, which `ctx.audit` writes to. */
  audit: AuditLog;
}

/** A module context and what the loader needs to verify and later dispose of it. */
export interface ModuleContextParts {
  context: ModuleContext;
  ui: Router<AppState>;
  api: Router<AppState>;
  widgets: Map<string, WidgetLoader>;
  /** Ends the module's event subscriptions. */
  dispose(): void;
}

/** Builds the context handed to a module's `setup`. */
export function createModuleContext(
  deps: ModuleContextDeps,
  module: {
    manifest: ModuleManifest;
    eta: Eta;
    logger: ModuleLogger;
    settings: () => Record<string, SettingValue | undefined>;
    /** The module's own connection pool, acting as its database role; the core's when isolation is off. */
    database?: Sequelize;
  },
): ModuleContextParts {
  const { manifest, eta } = module;
  const { name } = manifest;
  const has = (capability: Capability) => manifest.permissions.includes(capability);
  const deny = (capability: string): never => {
    throw new NxfError(
      'NXF_CAPABILITY_DENIED',
      `Module ${name} did not declare the "${capability}" capability in its manifest.`,
      {
        status: 403,
      },
    );
  };
  const subscriptions = new Set<() => void>();
  const widgets = new Map<string, WidgetLoader>();
  const declaredWidgets = new Set((manifest.ui.widgets ?? []).map((w) => w.id));
  const ui = createUiRouter(manifest);
  const api = createApiRouter(manifest);
  let services: ModuleServices | undefined;

  const settings = Object.defineProperties(
    {},
    Object.fromEntries(
      Object.keys(manifest.settings).map((key) => [key, { get: () => module.settings()[key], enumerable: true }]),
    ),
  ) as Record<string, SettingValue | undefined>;

  const events: ModuleEvents = {
    emit: (event, payload, options) =>
      deps.events.emit(event.startsWith(`${name}.`) ? event : `${name}.${event}`, payload, {
        source: name,
        severity: options?.severity,
      }),
    on: (pattern, handler) => {
      if (!has('events:subscribe')) deny('events:subscribe');
      const unsubscribe = deps.events.subscribe(pattern, handler);
      subscriptions.add(unsubscribe);
      return () => {
        subscriptions.delete(unsubscribe);
        unsubscribe();
      };
    },
    off: (pattern, handler) => deps.events.unsubscribe(pattern, handler),
  };

  /** A view rendered for the request being served, without the layout. */
  const renderAlone = (view: string, data: Record<string, unknown>, method: string) => {
    const request = deps.currentRequest();
    if (!request) {
      throw new NxfError(
        'NXF_RENDER_OUTSIDE_REQUEST',
        `${name}: ${method}() can only be called while serving a request.`,
      );
    }
    const html = eta.render(view, {
      ...deps.views.common(request),
      module: { name, displayName: manifest.displayName },
      can: (permission: string) => userCan(request, permission),
      ...data,
    });
    return { html, request };
  };

  const context: ModuleContext = {
    name,
    manifest,
    logger: module.logger,
    get db() {
      return has('database:read') || has('database:write')
        ? (module.database ?? deps.db.sequelize)
        : deny('database:read');
    },
    settings,
    get services() {
      services ??= deps.servicesFor(name, manifest.permissions);
      return services;
    },
    events,
    ui,
    api,
    renderView(view, data = {}) {
      return renderAlone(view, data, 'renderView').html;
    },
    render(view, data = {}, options = {}) {
      const { html, request } = renderAlone(view, data, 'render');
      const title = options.title ?? (typeof data.title === 'string' ? data.title : manifest.displayName);
      if (options.status) request.status = options.status;
      return deps.views.wrap(request, html, { title });
    },
    widget(id, load) {
      if (!declaredWidgets.has(id)) {
        throw new NxfError(
          'NXF_WIDGET_UNDECLARED',
          `${name}: widget "${id}" is not declared in the manifest's ui.widgets.`,
          {
            status: 400,
          },
        );
      }
      widgets.set(id, load);
    },
    can(permission) {
      const request = deps.currentRequest();
      return request ? userCan(request, permission) : false;
    },
    flash(kind, text) {
      const request = deps.currentRequest();
      if (!request) {
        throw new NxfError(
          'NXF_RENDER_OUTSIDE_REQUEST',
          `${name}: flash() can only be called while serving a request.`,
        );
      }
      deps.views.flash(request, kind, text);
    },
    fail(status, code, message, details) {
      throw new ModuleError(status, code, message, details);
    },
    async audit(action, target, details) {
      const request = deps.currentRequest();
      await deps.audit.record({
        action: action.startsWith(`${name}.`) ? action : `${name}.${action}`,
        outcome: 'success',
        target,
        actor: request?.state.user,
        actorName: request?.state.user ? undefined : name,
        sourceIp: request?.ip,
        details,
      });
    },
  };

  return {
    context,
    ui,
    api,
    widgets,
    dispose: () => {
      for (const unsubscribe of subscriptions) unsubscribe();
      subscriptions.clear();
    },
  };
}

/** Whether the signed-in user of a request holds a permission. */
function userCan(request: AppContext, permission: string): boolean {
  const user = request.state.user;
  return user !== undefined && roleHasPermission(user.role, permission);
}
