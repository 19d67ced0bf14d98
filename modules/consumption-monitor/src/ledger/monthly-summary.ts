import {
  adjustmentsOf,
  closedMonths,
  issuedLines,
  outstandingBefore,
  type Outstanding,
} from '../billing/closed-months.js';
import { amountFromCents, costCents } from '../billing/cost.js';
import type { MonthlySummary, SummaryLine } from '../billing/summary-types.js';
import { priceFor, TariffStore } from '../billing/tariffs.js';
import { calendarMonth, counterBoundaries, statementFromTally, type CalendarMonth } from '../energy/index.js';
import type { Runtime } from '../runtime.js';
import { counterEdges } from './counter-edges.js';
import { rangeTallies, timeZoneOf } from './month-energy.js';

export type { MonthlySummary, SummaryLine };

/** A summary line with its exact figures (whole mWh, cents), as a close freezes it. */
export interface ExactLine extends SummaryLine {
  milliwattHours: number;
  adjustmentMilliwattHours: number;
  pricePerKwh: number | null;
  costCents: number | null;
}

/** A month's statement: the issued one when the month is closed, else computed now from the ledger. */
export async function monthlySummary(runtime: Runtime, monthText: string): Promise<MonthlySummary> {
  const month = calendarMonth(monthText, timeZoneOf(runtime));
  const closed = await closedMonths(runtime);
  const close = closed.get(month.month);
  if (close) {
    const lines = await issuedLines(runtime, month.month);
    return summaryOf(month.month, close.timeZone, true, lines, close.currency);
  }
  const { lines, currency } = await openStatement(
    runtime,
    month,
    await outstandingBefore(runtime, month.month, closed),
  );
  return summaryOf(month.month, month.timeZone, false, lines, currency);
}

/** An open month's lines from the ledger, priced, with the adjustments `outstanding` carries onto it. */
export async function openStatement(runtime: Runtime, month: CalendarMonth, outstanding: Outstanding) {
  const [lines, prices] = await Promise.all([ledgerLines(runtime, month), new TariffStore(runtime).priceList()]);
  const adjustments = adjustmentsOf(outstanding);
  const priced: ExactLine[] = lines.map((line) => {
    const adjustmentMilliwattHours = adjustments.get(line.endpointId) ?? 0;
    const pricePerKwh = priceFor(prices, line.customer);
    const cents = pricePerKwh === null ? null : costCents(line.milliwattHours + adjustmentMilliwattHours, pricePerKwh);
    return {
      ...line,
      adjustmentMilliwattHours,
      adjustmentKwh: adjustmentMilliwattHours / 1_000_000,
      pricePerKwh,
      costCents: cents,
      costAmount: cents === null ? null : amountFromCents(cents),
    };
  });
  return { lines: priced, currency: prices.currency };
}

function summaryOf(
  month: string,
  timezone: string,
  closed: boolean,
  lines: (SummaryLine & { milliwattHours: number; costCents: number | null })[],
  currency: string | null,
): MonthlySummary {
  const priced = lines.filter((line) => line.costCents !== null);
  return {
    month,
    timezone,
    closed,
    endpoints: lines.map(publicLine),
    totals: {
      kwh: lines.reduce((sum, line) => sum + line.milliwattHours, 0) / 1_000_000,
      costAmount: priced.length === 0 ? null : amountFromCents(priced.reduce((sum, l) => sum + (l.costCents ?? 0), 0)),
    },
    currency,
  };
}

/** The summary's fields of a line, in the documented order. */
function publicLine(line: SummaryLine): SummaryLine {
  const { endpointId, name, customer, rack, kwh, startKwh, endKwh, resets, coveragePct, estimated } = line;
  const { adjustmentKwh, costAmount } = line;
  return {
    endpointId,
    name,
    customer,
    rack,
    kwh,
    startKwh,
    endKwh,
    resets,
    coveragePct,
    estimated,
    adjustmentKwh,
    costAmount,
  };
}

/** Each endpoint's month from the ledger: a sum over the month's hours, by the billing rule. */
async function ledgerLines(runtime: Runtime, month: CalendarMonth) {
  const endpoints = await runtime.endpoints.list();
  const [tallies, edges] = await Promise.all([rangeTallies(runtime, month), counterEdges(runtime, month)]);
  return endpoints.map((endpoint) => {
    const tally = tallies.get(endpoint.id) ?? {
      milliwattHours: 0,
      coveredMs: 0,
      estimatedMilliwattHours: 0,
      estimated: false,
      resets: 0,
    };
    const boundaries =
      endpoint.kind === 'counter'
        ? counterBoundaries(edges.get(endpoint.id) ?? { readings: [], intervals: [] }, month)
        : { startKwh: null, endKwh: null };
    const statement = statementFromTally(month, tally, boundaries);
    return {
      endpointId: endpoint.id,
      name: endpoint.name,
      customer: endpoint.customer,
      rack: endpoint.rack,
      kwh: statement.kwh,
      milliwattHours: statement.milliwattHours,
      startKwh: statement.startKwh,
      endKwh: statement.endKwh,
      resets: statement.resets,
      coveragePct: Math.round(statement.coveragePct * 10) / 10,
      estimated: statement.estimated,
    };
  });
}

export type { CalendarMonth };
