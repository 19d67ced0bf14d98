import type { MonthlySummary, SummaryLine } from './summary-types.js';

/** How a statement is laid out: a line per endpoint, or the endpoints grouped under each customer. */
export type ReportView = 'endpoint' | 'customer';

/** One column of a statement: the page's table and the CSV share them, so the two always agree. */
export interface ReportColumn {
  key: keyof ReportRow;
  label: string;
  numeric?: boolean;
}

/** A row of a statement's table, every cell already formatted as the page and the CSV show it. */
export interface ReportRow {
  customer: string;
  endpoint: string;
  rack: string;
  startKwh: string;
  endKwh: string;
  kwh: string;
  adjustmentKwh: string;
  resets: string;
  coveragePct: string;
  estimated: string;
  cost: string;
}

/** A customer's statement (or, per endpoint, the one table): its rows and its total. */
export interface ReportGroup {
  label: string;
  rows: ReportRow[];
  total: ReportRow;
}

export const reportColumns: ReportColumn[] = [
  { key: 'customer', label: 'Customer' },
  { key: 'endpoint', label: 'Endpoint' },
  { key: 'rack', label: 'Rack' },
  { key: 'startKwh', label: 'Start kWh', numeric: true },
  { key: 'endKwh', label: 'End kWh', numeric: true },
  { key: 'kwh', label: 'kWh', numeric: true },
  { key: 'adjustmentKwh', label: 'Adjustment kWh', numeric: true },
  { key: 'resets', label: 'Resets', numeric: true },
  { key: 'coveragePct', label: 'Coverage %', numeric: true },
  { key: 'estimated', label: 'Estimated' },
  { key: 'cost', label: 'Cost', numeric: true },
];

const noCustomer = 'No customer';
const kwhText = (kwh: number | null) => (kwh === null ? '' : kwh.toFixed(3));
const costText = (amount: number | null) => (amount === null ? '' : amount.toFixed(2));

/** The statement's tables: one for `endpoint`, one per customer (in name order, "No customer" last) otherwise. */
export function reportGroups(summary: MonthlySummary, view: ReportView): ReportGroup[] {
  if (view === 'endpoint') {
    const all = group('All endpoints', summary.endpoints);
    return [{ ...all, total: { ...all.total, customer: '' } }];
  }
  const byCustomer = new Map<string, SummaryLine[]>();
  for (const line of summary.endpoints) {
    const key = line.customer ?? noCustomer;
    byCustomer.set(key, [...(byCustomer.get(key) ?? []), line]);
  }
  const names = [...byCustomer.keys()].sort((a, b) =>
    a === noCustomer ? 1 : b === noCustomer ? -1 : a.localeCompare(b, 'en', { sensitivity: 'base' }),
  );
  return names.map((name) => group(name, byCustomer.get(name) as SummaryLine[]));
}

function group(label: string, lines: SummaryLine[]): ReportGroup {
  // Sums in whole mWh and cents, so a total is exactly the sum of the lines shown.
  const mwh = lines.reduce((sum, l) => sum + Math.round(l.kwh * 1e6), 0);
  const adjustment = lines.reduce((sum, l) => sum + Math.round(l.adjustmentKwh * 1e6), 0);
  const priced = lines.filter((l) => l.costAmount !== null);
  const cents = priced.reduce((sum, l) => sum + Math.round((l.costAmount as number) * 100), 0);
  return {
    label,
    rows: lines.map(row),
    total: {
      ...blankRow(),
      endpoint: 'Total',
      customer: label,
      kwh: kwhText(mwh / 1e6),
      adjustmentKwh: kwhText(adjustment / 1e6),
      resets: String(lines.reduce((sum, l) => sum + l.resets, 0)),
      estimated: lines.some((l) => l.estimated) ? 'yes' : 'no',
      cost: priced.length === 0 ? '' : costText(cents / 100),
    },
  };
}

function row(line: SummaryLine): ReportRow {
  return {
    customer: line.customer ?? '',
    endpoint: line.name,
    rack: line.rack ?? '',
    startKwh: kwhText(line.startKwh),
    endKwh: kwhText(line.endKwh),
    kwh: kwhText(line.kwh),
    adjustmentKwh: kwhText(line.adjustmentKwh),
    resets: String(line.resets),
    coveragePct: line.coveragePct.toFixed(1),
    estimated: line.estimated ? 'yes' : 'no',
    cost: costText(line.costAmount),
  };
}

function blankRow(): ReportRow {
  return Object.fromEntries(reportColumns.map((c) => [c.key, ''])) as unknown as ReportRow;
}

/**
 * A cell a spreadsheet would read as a formula (`=`, `+`, `-`, `@`, a tab or a carriage return first) starts with
 * a `'` instead, so an endpoint named `=HYPERLINK(…)` is shown as text, never run. Numbers are ours and pass.
 */
export function spreadsheetSafe(cell: string, numeric = false): string {
  if (numeric && /^-?\d+(\.\d+)?$/.test(cell)) return cell;
  return /^[=+\-@\t\r]/.test(cell) ? `'${cell}` : cell;
}

/** The statement as CSV rows (the header first): each group's rows and then its total, as the page shows them. */
export function reportCsvRows(groups: ReportGroup[]): string[][] {
  const rows = [reportColumns.map((c) => c.label)];
  for (const g of groups)
    for (const r of [...g.rows, g.total]) rows.push(reportColumns.map((c) => spreadsheetSafe(r[c.key], c.numeric)));
  return rows;
}
