import type { ModuleContext, RequestContext } from 'nxforge/module';
import { BillingError } from '../billing/billing-error.js';
import { closeMonth, reopenMonth } from '../billing/month-close.js';
import { TariffStore } from '../billing/tariffs.js';
import { EnergyInputError } from '../energy/index.js';
import { ImportAbortedError, importReadings } from '../import/import-readings.js';
import { ImportRequestError, importRows } from '../import/import-source.js';
import { checkCorrection, correctReading, type ReadingCorrection } from '../readings/reading-correction.js';
import type { Runtime } from '../runtime.js';

/** Closing and reopening months, tariffs, and the import of readings (docs/consumption-monitor.md, "Billing"). */
export function registerBillingApi(ctx: ModuleContext, runtime: Runtime): void {
  const tariffs = new TariffStore(runtime);
  ctx.api.post('/consumption/months/:month/close', async (request) => {
    const month = request.params.month as string;
    const closed = await billing(ctx, () => closeMonth(runtime, month, request.state.user?.username ?? null));
    await ctx.audit('month.close', month, { timezone: closed.timezone, endpoints: closed.endpoints });
    request.body = { month: closed.month, closed: true };
  });
  ctx.api.post('/consumption/months/:month/reopen', async (request) => {
    const month = request.params.month as string;
    const reason = reasonOf(ctx, request);
    await billing(ctx, () => reopenMonth(runtime, month));
    await ctx.audit('month.reopen', month, { reason });
    request.body = { month, closed: false };
  });
  ctx.api.get('/consumption/tariffs', async (request) => {
    const prices = await tariffs.priceList();
    request.body = { pricePerKwh: prices.defaultPrice, currency: prices.currency, tariffs: await tariffs.list() };
  });
  ctx.api.put('/consumption/tariffs/:customer', async (request) => {
    const customer = String(request.params.customer ?? '').trim();
    const price = (request.request.body as { pricePerKwh?: unknown } | undefined)?.pricePerKwh;
    const errors: Record<string, string> = {};
    if (!customer || customer.length > 100) errors.customer = 'A customer name of 1 to 100 characters.';
    if (typeof price !== 'number' || !Number.isFinite(price) || price < 0 || price > 1_000_000)
      errors.pricePerKwh = 'A price per kWh of at least 0 (a number, e.g. 0.2845).';
    if (Object.keys(errors).length > 0) ctx.fail(422, 'NXF_VALIDATION', 'The tariff has errors; see details.', errors);
    await tariffs.set({ customer, pricePerKwh: price as number });
    await ctx.audit('tariff.set', customer, { pricePerKwh: price });
    request.body = { customer, pricePerKwh: price };
  });
  ctx.api.delete('/consumption/tariffs/:customer', async (request) => {
    const customer = String(request.params.customer ?? '');
    if (!(await tariffs.remove(customer))) ctx.fail(404, 'NXF_NOT_FOUND', `No tariff for "${customer}".`);
    await ctx.audit('tariff.remove', customer);
    request.status = 204;
  });
  ctx.api.post('/consumption/readings/import', async (request) => {
    const result = await runImport(ctx, runtime, request);
    await ctx.audit('readings.import', 'readings', { ...result });
    request.body = result;
  });
  ctx.api.patch('/consumption/readings/:id', async (request) => {
    const id = String(request.params.id ?? '');
    const correction = correctionOf(ctx, request);
    request.body = await billing(ctx, () => correctReadingAudited(ctx, runtime, id, correction));
  });
}

/** Corrects a reading (`correctReading`) and writes what changed, and why, to the audit log. */
export async function correctReadingAudited(
  ctx: Pick<ModuleContext, 'audit'>,
  runtime: Runtime,
  id: string,
  correction: ReadingCorrection,
) {
  const { before, after } = await correctReading(runtime, id, correction);
  await ctx.audit('reading.correct', id, {
    endpointId: after.endpointId,
    at: after.at,
    reason: correction.reason,
    before: { status: before.status, value: before.value },
    after: { status: after.status, value: after.value },
  });
  return after;
}

/** The body of a reading's correction, checked: 422 naming each field that is wrong. */
function correctionOf(ctx: Pick<ModuleContext, 'fail'>, request: RequestContext): ReadingCorrection {
  const checked = checkCorrection(request.request.body);
  if ('errors' in checked) ctx.fail(422, 'NXF_VALIDATION', 'The correction has errors; see details.', checked.errors);
  return checked as ReadingCorrection;
}

/** Runs an import of the request's readings; bad input answers 415 or 422 with `details` [{line, message}]. */
export async function runImport(
  ctx: Pick<ModuleContext, 'fail' | 'logger'>,
  runtime: Runtime,
  request: RequestContext,
) {
  try {
    return await importReadings(runtime, await importRows(request), { clientGone: () => clientGone(request) });
  } catch (error) {
    if (error instanceof ImportRequestError) ctx.fail(error.status, 'NXF_VALIDATION', error.message, error.details);
    if (error instanceof ImportAbortedError || clientGone(request))
      ctx.logger.warn(
        `an import was cut off: ${error instanceof Error ? error.message : String(error)}; nothing was imported`,
      );
    throw error;
  }
}

function reasonOf(ctx: Pick<ModuleContext, 'fail'>, request: RequestContext): string {
  const reason = (request.request.body as { reason?: unknown } | undefined)?.reason;
  if (typeof reason !== 'string' || reason.trim().length < 3 || reason.length > 500)
    ctx.fail(422, 'NXF_VALIDATION', 'Reopening a month needs a reason.', {
      reason: 'Say why, in 3 to 500 characters.',
    });
  return (reason as string).trim();
}

/** Runs billing work, answering its errors with their status and code. */
async function billing<T>(ctx: Pick<ModuleContext, 'fail'>, work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (error) {
    if (error instanceof BillingError) ctx.fail(error.status, error.code, error.message, error.details);
    if (error instanceof EnergyInputError) ctx.fail(400, 'NXF_VALIDATION', error.message, { month: error.message });
    throw error;
  }
}

/** Whether the client of a request has closed its connection (gave up waiting, or was cut off). */
function clientGone(request: RequestContext): boolean {
  return request.req.socket.destroyed || request.res.destroyed;
}
