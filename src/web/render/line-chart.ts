import { scaleLinear, scaleUtc } from 'd3-scale';
import { line } from 'd3-shape';
import { escapeHtml } from './escape-html.js';

/** A line of a chart: points in x order; a null y leaves a gap (a reading that failed). */
export interface ChartSeries {
  label: string;
  points: Array<{ x: Date | number; y: number | null }>;
}

export interface LineChartSpec {
  series: ChartSeries[];
  /** Accessible name of the chart, also shown as its title. */
  title: string;
  /** Unit appended to y ticks, e.g. `kWh`, `°C`. */
  unit?: string;
  /** Horizontal reference lines, e.g. an alert threshold. */
  thresholds?: Array<{ value: number; label: string }>;
  /**
   * Horizontal bands shaded behind the lines, e.g. a warning zone from 42 to 45 °C and a critical one above 45:
   * `from`/`to` left out reach the bottom/top of the chart. `kind` picks the colour (`band-warning`, `band-critical`,
   * `band-ok`).
   */
  bands?: ChartBand[];
  height?: number;
}

/** A shaded range of values on a chart. */
export interface ChartBand {
  from?: number;
  to?: number;
  kind: 'ok' | 'warning' | 'critical';
  label: string;
}

const width = 640;
const margin = { top: 12, right: 16, bottom: 28, left: 56 };

/**
 * A line chart as inline SVG, computed on the server (d3-scale for axes, d3-shape for paths): no script, light
 * enough for a kiosk browser, styled by the stylesheet through `series-N` classes.
 */
export function lineChartSvg(spec: LineChartSpec): string {
  const height = spec.height ?? 220;
  const points = spec.series.flatMap((s) => s.points);
  const defined = points.filter((p): p is { x: Date | number; y: number } => p.y !== null && Number.isFinite(p.y));
  if (defined.length === 0) {
    return `<p class="chart-empty muted">${escapeHtml(spec.title)}: no data yet.</p>`;
  }
  const isTime = points[0]?.x instanceof Date;
  const xs = points.map((p) => Number(p.x));
  const bandEdges = (spec.bands ?? []).flatMap((b) => [b.from, b.to]).filter((v): v is number => Number.isFinite(v));
  const ys = [...defined.map((p) => p.y), ...(spec.thresholds ?? []).map((t) => t.value), ...bandEdges];
  // A band open to the top (or bottom) gets a tenth of the chart beyond its edge, so it shows even at the edge.
  const [low, high] = [Math.min(...ys), Math.max(...ys)];
  const room = Math.max((high - low) / 10, 1);
  if ((spec.bands ?? []).some((b) => b.to === undefined && b.from !== undefined && b.from >= high))
    ys.push(high + room);
  if ((spec.bands ?? []).some((b) => b.from === undefined && b.to !== undefined && b.to <= low)) ys.push(low - room);
  const [xMin, xMax] = [Math.min(...xs), Math.max(...xs)];
  const x = (isTime ? scaleUtc().domain([new Date(xMin), new Date(xMax)]) : scaleLinear().domain([xMin, xMax])).range([
    margin.left,
    width - margin.right,
  ]);
  const y = scaleLinear()
    .domain([Math.min(...ys), Math.max(...ys)])
    .nice()
    .range([height - margin.bottom, margin.top]);
  const unit = spec.unit ? ` ${escapeHtml(spec.unit)}` : '';
  const path = line<{ x: Date | number; y: number | null }>()
    .digits(1)
    .defined((p) => p.y !== null && Number.isFinite(p.y))
    .x((p) => x(p.x as never) as number)
    .y((p) => y(p.y as number));

  const yTicks = y.ticks(5).map((tick) => {
    const ty = y(tick).toFixed(1);
    return `<g class="tick"><line x1="${margin.left}" x2="${width - margin.right}" y1="${ty}" y2="${ty}"/><text x="${margin.left - 6}" y="${ty}" dy="0.32em" text-anchor="end">${escapeHtml(String(tick))}${unit}</text></g>`;
  });
  const xFormat = isTime ? utcTickFormat(xMax - xMin) : (v: number) => String(v);
  const xTicks = (x.ticks(6) as Array<Date | number>).map((tick) => {
    const tx = (x(tick as never) as number).toFixed(1);
    return `<text class="tick" x="${tx}" y="${height - margin.bottom + 16}" text-anchor="middle">${escapeHtml(xFormat(tick as never))}</text>`;
  });
  const lines = spec.series.map(
    (series, index) =>
      `<path class="series series-${index % 6}" d="${path(series.points) ?? ''}"><title>${escapeHtml(series.label)}</title></path>`,
  );
  const thresholds = (spec.thresholds ?? []).map((t) => {
    const ty = y(t.value).toFixed(1);
    return `<g class="threshold"><line x1="${margin.left}" x2="${width - margin.right}" y1="${ty}" y2="${ty}"/><text x="${width - margin.right}" y="${ty}" dy="-0.3em" text-anchor="end">${escapeHtml(t.label)}</text></g>`;
  });
  const [yBottom, yTop] = y.range() as [number, number];
  const bands = (spec.bands ?? []).map((band) => {
    const top = band.to === undefined ? yTop : Math.max(yTop, y(band.to));
    const bottom = band.from === undefined ? yBottom : Math.min(yBottom, y(band.from));
    if (bottom <= top) return '';
    return `<rect class="band band-${band.kind}" x="${margin.left}" y="${top.toFixed(1)}" width="${width - margin.left - margin.right}" height="${(bottom - top).toFixed(1)}"><title>${escapeHtml(band.label)}</title></rect>`;
  });
  const legend = spec.series
    .map(
      (series, index) =>
        `<li><span class="swatch series-${index % 6}" aria-hidden="true"></span>${escapeHtml(series.label)}</li>`,
    )
    .join('');
  return (
    `<figure class="chart"><svg viewBox="0 0 ${width} ${height}" role="img" aria-label="${escapeHtml(spec.title)}" preserveAspectRatio="xMidYMid meet">` +
    `<g class="bands">${bands.join('')}</g><g class="grid">${yTicks.join('')}</g><g class="x-axis">${xTicks.join('')}</g>${thresholds.join('')}${lines.join('')}</svg>` +
    `<figcaption><span class="chart-title">${escapeHtml(spec.title)}</span><ul class="legend">${legend}</ul></figcaption></figure>`
  );
}

/** Time ticks in UTC, 24-hour: `HH:MM` within two days, `MM-DD` within a year, else `YYYY-MM`. */
function utcTickFormat(spanMs: number): (value: Date) => string {
  const day = 24 * 3600 * 1000;
  if (spanMs <= 2 * day) return (value) => value.toISOString().slice(11, 16);
  if (spanMs <= 366 * day) return (value) => value.toISOString().slice(5, 10);
  return (value) => value.toISOString().slice(0, 7);
}
