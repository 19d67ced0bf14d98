import { escapeHtml } from './escape-html.js';
import { iconHtml } from './icons.js';
import { lineChartSvg } from './line-chart.js';

/**
 * Helpers every template (core or module, page or partial) can call as `nx.<helper>`, because Eta passes a
 * partial only the data given to `include`.
 */
export const templateHelpers = {
  /** A named icon or an emoji, see icons.ts. */
  icon: iconHtml,
  /** A server-rendered SVG line chart, see line-chart.ts. */
  lineChart: lineChartSvg,
  /** Text escaped for HTML (what `<%= %>` does), for markup built in a template expression. */
  escape: (value: unknown): string => escapeHtml(String(value ?? '')),
  /** A timestamp as `YYYY-MM-DD HH:MM` in UTC, or a dash. */
  dateTime(value: Date | string | number | null | undefined): string {
    if (value === null || value === undefined || value === '') return '—';
    const date = value instanceof Date ? value : new Date(value);
    return Number.isNaN(date.getTime()) ? '—' : date.toISOString().slice(0, 16).replace('T', ' ');
  },
  /** A number with a fixed count of decimals and thin-space thousands, or a dash. */
  number(value: number | null | undefined, decimals = 1): string {
    if (value === null || value === undefined || !Number.isFinite(value)) return '—';
    return numberFormat(decimals).format(value);
  },
};

export type TemplateHelpers = typeof templateHelpers;

const numberFormats = new Map<number, Intl.NumberFormat>();

/**
 * The formatter for a count of decimals, made once: `toLocaleString` with options builds a new one on every call,
 * about 0.1 ms each — a dashboard of 1000 readings spent 100 ms on it.
 */
function numberFormat(decimals: number): Intl.NumberFormat {
  let format = numberFormats.get(decimals);
  if (!format) {
    format = new Intl.NumberFormat('en-US', { minimumFractionDigits: decimals, maximumFractionDigits: decimals });
    numberFormats.set(decimals, format);
  }
  return format;
}
