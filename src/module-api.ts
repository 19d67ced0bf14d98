// The parsed form or JSON body (`request.request.body`) is typed by koa-body's declarations.
/// <reference types="koa-body" preserve="true" />
/**
 * The types a module author programs against, importable as `nxforge/module`:
 *
 *   import type { ModuleContext } from 'nxforge/module';
 *   export default async function setup(ctx: ModuleContext) { … }
 *
 * docs/modules.md documents each of them. Modules receive everything at run time through their context;
 * nothing here is needed at run time.
 */
export type { ModuleContext, ModuleEvents, RenderOptions, WidgetLoader } from './modules/context/module-context.js';
export type { ModuleLogger } from './modules/context/module-logger.js';
export type {
  Capability,
  HttpMethod,
  JobDefinition,
  KioskFilterName,
  ModuleManifest,
  RouteDefinition,
  SettingDefinition,
  SidebarConfig,
  SidebarItem,
  UiDefinition,
  UiRouteClaim,
  WidgetDefinition,
} from './modules/manifest/manifest-types.js';
export type { SettingValue } from './settings/setting-values.js';
export type { ModuleServices } from './services/module-services.js';
export type { IpmiRunOptions, IpmiService, IpmiTarget } from './services/ipmi/ipmi.service.js';
export type { IpmiSdrEntry, IpmiSensor, IpmiThresholds } from './services/ipmi/ipmi-output.js';
export type { IpmitoolOutput } from './services/ipmi/ipmitool-runner.js';

export type { NxfEvent, EventHandler, Severity } from './events/event-bus.js';
export type { BuiltinEvents } from './events/builtin-events.js';
export type { ExecutionStatus, JobContext, JobEvents, JobHandler, JobResult, JobTrigger } from './jobs/job-types.js';
export type { AppContext as RequestContext, AppState as RequestState } from './http/app-context.js';
export type { DisplayTheme, KioskRequest } from './http/kiosk-request.js';

/** What a module's entry exports as default: called once per load; may return a teardown run at unload. */
export type ModuleSetup = (
  ctx: import('./modules/context/module-context.js').ModuleContext,
) => void | ModuleTeardown | Promise<void | ModuleTeardown>;

/** Undoes what `setup` started (timers, connections) when the module is disabled or reloaded. */
export type ModuleTeardown = () => void | Promise<void>;

export type {
  DeviceFailure,
  ExtractRule,
  ScrapeAuth,
  ScrapeSession,
  ScrapeSessionState,
  ScrapingConfig,
  ScrapingResult,
  ScrapingService,
  SessionCookie,
} from './services/scraping/scraping.service.js';
export type { FormAuthConfig } from './services/scraping/page-auth.js';
export type { NumberFormat } from './services/scraping/extract-number.js';
export type { HttpConfig, HttpRequestOptions, HttpService } from './services/http/http.service.js';
export type {
  SnmpAuthProtocol,
  SnmpPrivProtocol,
  SnmpService,
  SnmpTarget,
  SnmpValue,
} from './services/snmp/snmp.service.js';
