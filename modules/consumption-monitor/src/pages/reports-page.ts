import { stringify } from 'csv-stringify/sync';
import type { ModuleContext, RequestContext } from 'nxforge/module';
import { BillingError } from '../billing/billing-error.js';
import { closedMonths } from '../billing/closed-months.js';
import { closeMonth, reopenMonth } from '../billing/month-close.js';
import { reportColumns, reportCsvRows, reportGroups, type ReportView } from '../billing/report-table.js';
import { calendarMonth, EnergyInputError } from '../energy/index.js';
import { monthOf, timeZoneOf } from '../ledger/month-energy.js';
import { monthlySummary } from '../ledger/monthly-summary.js';
import type { Runtime } from '../runtime.js';

/**
 * Reports: a month's statement per endpoint or per customer (`?month=YYYY-MM&view=endpoint|customer`), as CSV
 * with `&format=csv`, printable one customer a page; closing and reopening the month.
 */
export function registerReportsPage(ctx: ModuleContext, runtime: Runtime): void {
  ctx.ui.get('/consumption/reports', async (request) => {
    const month = monthParam(ctx, runtime, request.query.month);
    const view: ReportView = request.query.view === 'endpoint' ? 'endpoint' : 'customer';
    const summary = await monthlySummary(runtime, month);
    const groups = reportGroups(summary, view);
    if (request.query.format === 'csv') {
      request.type = 'text/csv; charset=utf-8';
      request.set('Content-Disposition', `attachment; filename="statement-${month}-${view}.csv"`);
      request.body = stringify(reportCsvRows(groups));
      return;
    }
    const range = calendarMonth(month, timeZoneOf(runtime));
    const close = (await closedMonths(runtime)).get(month);
    request.body = ctx.render('reports', {
      title: 'Reports',
      month,
      view,
      summary,
      groups,
      columns: reportColumns.filter((c) => view === 'endpoint' || c.key !== 'customer'),
      close,
      ended: range.to.getTime() <= Date.now(),
      canClose: ctx.can('consumption-monitor:write'),
      canReopen: ctx.can('consumption-monitor:manage'),
    });
  });
  ctx.ui.post('/consumption/reports/close', async (request) => {
    const month = monthParam(ctx, runtime, formField(request, 'month'));
    await asFlash(ctx, request, month, async () => {
      await closeMonth(runtime, month, request.state.user?.username ?? null);
      await ctx.audit('month.close', month);
      ctx.flash('success', `${month} is closed: its statement is issued.`);
    });
  });
  ctx.ui.post('/consumption/reports/reopen', async (request) => {
    if (!ctx.can('consumption-monitor:manage'))
      ctx.fail(403, 'NXF_FORBIDDEN', 'Reopening a month is for administrators.');
    const month = monthParam(ctx, runtime, formField(request, 'month'));
    const reason = formField(request, 'reason').trim();
    await asFlash(ctx, request, month, async () => {
      if (reason.length < 3 || reason.length > 500)
        throw new BillingError(422, 'NXF_VALIDATION', 'Reopening a month needs a reason (3 to 500 characters).');
      await reopenMonth(runtime, month);
      await ctx.audit('month.reopen', month, { reason });
      ctx.flash('success', `${month} is open again.`);
    });
  });
}

/** Runs a close or reopen from the page: its refusal becomes the next page's flash; back to the month. */
async function asFlash(ctx: ModuleContext, request: RequestContext, month: string, work: () => Promise<void>) {
  try {
    await work();
  } catch (error) {
    if (!(error instanceof BillingError)) throw error;
    ctx.flash('error', error.message);
  }
  request.redirect(`/consumption/reports?month=${month}`);
}

function formField(request: RequestContext, name: string): string {
  const value = (request.request.body as Record<string, unknown> | undefined)?.[name];
  return typeof value === 'string' ? value : '';
}

/** The month asked for, checked (400 naming it), or this month in the module's zone. */
function monthParam(ctx: ModuleContext, runtime: Runtime, value: unknown): string {
  if (typeof value !== 'string' || value === '') return monthOf(runtime, new Date()).month;
  try {
    return calendarMonth(value).month;
  } catch (error) {
    if (error instanceof EnergyInputError) ctx.fail(400, 'NXF_VALIDATION', error.message, { month: error.message });
    throw error;
  }
}
