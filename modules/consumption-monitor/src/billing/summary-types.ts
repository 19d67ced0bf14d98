/** One endpoint's line of the monthly summary (docs/consumption-monitor.md, "Billing"). */
export interface SummaryLine {
  endpointId: string;
  name: string;
  customer: string | null;
  rack: string | null;
  /** Energy in the month, kWh (issued: frozen at the close). */
  kwh: number;
  startKwh: number | null;
  endKwh: number | null;
  resets: number;
  coveragePct: number;
  estimated: boolean;
  /** Energy of earlier closed months found after they were issued, carried onto this statement, kWh. */
  adjustmentKwh: number;
  /** (kwh + adjustmentKwh) × the price per kWh, in cents rounded half away from zero; null without a price. */
  costAmount: number | null;
}

/** `GET /consumption/monthly-summary`: a month's statement for every endpoint. */
export interface MonthlySummary {
  month: string;
  timezone: string;
  closed: boolean;
  endpoints: SummaryLine[];
  totals: { kwh: number; costAmount: number | null };
  currency: string | null;
}
