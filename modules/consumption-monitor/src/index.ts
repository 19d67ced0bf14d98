import type { ModuleContext, ModuleTeardown } from 'nxforge/module';
import { registerBillingApi } from './api/billing-api.js';
import { registerConsumptionApi } from './api/consumption-api.js';
import { registerDemoApi } from './api/demo-api.js';
import { registerEndpointsApi } from './api/endpoints-api.js';
import { backfillLedger } from './ledger/ledger-backfill.js';
import { DemoDevices } from './demo/demo-devices.js';
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
  registerBillingApi(ctx, runtime);
  const demo = new DemoDevices(runtime);
  await demo.resume();
  registerDemoApi(ctx, demo);
  registerEndpointPages(ctx, runtime, demo);
  registerLivePage(ctx, runtime);
  registerHistoryPage(ctx, runtime);
  registerReportsPage(ctx, runtime);
  // Readings taken over from v4 get their ledger in the background (logged, then the event `ledger_built`).
  void backfillLedger(runtime).catch((error: unknown) =>
    ctx.logger.error(`building the energy ledger failed: ${String(error)}`),
  );
  return () => demo.stopAll();
}
