import cronstrue from 'cronstrue';
import { assetUrl } from '../static-assets.js';
import { escapeHtml } from './escape-html.js';
import { iconHtml } from './icons.js';
import { lineChartSvg } from './line-chart.js';

/**
 * Helpers every template (core or module, page or partial) can call as `nx.<helper>`, because a core partial
 * gets only the data given to its include.
 */
export const templateHelpers = {
  /** A core `/static/…` URL with its content fingerprint, so it is cached for ever (see static-assets.ts). */
  asset: assetUrl,
  /** A named icon or an emoji, see icons.ts. */
  icon: iconHtml,
  /** A server-rendered SVG line chart, see line-chart.ts. */
  lineChart: lineChartSvg,
  /** Text escaped for HTML (what `<%= %>` does), for markup built in a template expression. */
  escape: (value: unknown): string => escapeHtml(String(value ?? '')),
  /**
   * A timestamp in UTC as `YYYY-MM-DD HH:MM`, or `YYYY-MM-DD HH:MM:SS` with `{ seconds: true }` (lists whose rows
   * can be seconds apart), or a dash.
   */
  dateTime(value: Date | string | number | null | undefined, options: { seconds?: boolean } = {}): string {
    if (value === null || value === undefined || value === '') return '—';
    const date = value instanceof Date ? value : new Date(value);
    if (Number.isNaN(date.getTime())) return '—';
    return date
      .toISOString()
      .slice(0, options.seconds ? 19 : 16)
      .replace('T', ' ');
  },
  /**
   * `dateTime` as HTML for a table cell: a `<time>` element whose date and time may go on two lines in a narrow
   * column but never break inside (`2026-12-01` stays whole). Output it raw (`<%~`).
   */
  timeTag(value: Date | string | number | null | undefined, options: { seconds?: boolean } = {}): string {
    const text = templateHelpers.dateTime(value, options);
    if (text === '—') return text;
    const [day, time] = text.split(' ');
    const iso = new Date(value as string | number | Date).toISOString();
    return `<time datetime="${iso}"><span class="nowrap">${escapeHtml(day ?? '')}</span> <span class="nowrap">${escapeHtml(time ?? '')}</span></time>`;
  },
  /** A number with a fixed count of decimals and thin-space thousands, or a dash. */
  number(value: number | null | undefined, decimals = 1): string {
    if (value === null || value === undefined || !Number.isFinite(value)) return '—';
    return numberFormat(decimals).format(value);
  },
  /** A cron expression in words ("Every 15 minutes", "At 03:00, only on Monday"), or '' when it is not one. */
  cron(expression: string | null | undefined): string {
    if (!expression) return '';
    try {
      return cronstrue.toString(expression, { use24HourTimeFormat: true, throwExceptionOnParseError: true });
    } catch {
      return '';
    }
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
