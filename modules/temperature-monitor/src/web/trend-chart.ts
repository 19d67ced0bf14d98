import type { Thresholds } from '../thresholds.js';

/** The ranges a trend is shown over. */
export const trendRanges = { '24h': 24, '7d': 7 * 24, '30d': 30 * 24 } as const;

/** One of `24h`, `7d`, `30d`. */
export type TrendRange = keyof typeof trendRanges;

/** The range asked for, or 24 h. */
export function trendRangeOf(value: unknown): TrendRange {
  return typeof value === 'string' && value in trendRanges ? (value as TrendRange) : '24h';
}

/** What `nx.lineChart` draws (docs/modules.md, `@core/partials/chart`). */
export interface ChartSpec {
  title: string;
  unit: string;
  series: Array<{ label: string; points: Array<{ x: Date; y: number | null }> }>;
  thresholds?: Array<{ value: number; label: string }>;
  bands?: Array<{ from?: number; to?: number; kind: 'warning' | 'critical'; label: string }>;
  height?: number;
}

/**
 * The warning and critical zones of a sensor as shaded bands: above the upper warning up to the critical
 * threshold, above that critical; the same below the lower ones.
 */
export function thresholdBands(t: Thresholds): NonNullable<ChartSpec['bands']> {
  const bands: NonNullable<ChartSpec['bands']> = [];
  const upperCritical = t.upperCritical ?? t.upperFatal;
  if (t.upperWarning !== null) {
    bands.push({
      from: t.upperWarning,
      ...(upperCritical === null ? {} : { to: upperCritical }),
      kind: 'warning',
      label: `warning from ${t.upperWarning} °C`,
    });
  }
  if (upperCritical !== null)
    bands.push({ from: upperCritical, kind: 'critical', label: `critical from ${upperCritical} °C` });
  if (t.lowerWarning !== null) {
    bands.push({
      to: t.lowerWarning,
      ...(t.lowerCritical === null ? {} : { from: t.lowerCritical }),
      kind: 'warning',
      label: `warning below ${t.lowerWarning} °C`,
    });
  }
  if (t.lowerCritical !== null)
    bands.push({ to: t.lowerCritical, kind: 'critical', label: `critical below ${t.lowerCritical} °C` });
  return bands;
}

/**
 * Points with gaps: a hole longer than `gapMs` between two readings gets a null point, so the line breaks where
 * nothing was read instead of drawing a straight line across an outage.
 */
export function withGaps(points: Array<{ x: Date; y: number }>, gapMs: number): Array<{ x: Date; y: number | null }> {
  const result: Array<{ x: Date; y: number | null }> = [];
  points.forEach((point, index) => {
    const previous = points[index - 1];
    if (previous && point.x.getTime() - previous.x.getTime() > gapMs) {
      result.push({ x: new Date(previous.x.getTime() + 1), y: null });
    }
    result.push(point);
  });
  return result;
}
