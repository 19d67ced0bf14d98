import type { ModuleContext, ModuleTeardown } from 'nxforge/module';
import { registerConsumptionApi } from './api/consumption-api.js';
import { registerEndpointsApi } from './api/endpoints-api.js';
import { registerEndpointPages } from './pages/endpoints-pages.js';
import { registerHistoryPage } from './pages/history-page.js';
import { registerLivePage } from './pages/live-page.js';
import { registerReportsPage } from './pages/reports-page.js';
import { createRuntime } from './runtime.js';

/** The consumption monitor's entry: pages, API, dashboard widget (docs/consumption-monitor.md). */
export default async function setup(ctx: ModuleContext): Promise<ModuleTeardown> {
  const runtime = createRuntime(ctx);
  registerEndpointsApi(ctx, runtime);
  registerConsumptionApi(ctx, runtime);
  registerEndpointPages(ctx, runtime);
  registerLivePage(ctx, runtime);
  registerHistoryPage(ctx, runtime);
  registerReportsPage(ctx, runtime);
  return async () => undefined;
}
