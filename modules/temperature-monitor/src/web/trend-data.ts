import type { SensorWithHost } from '../store/sensor-store.js';
import { createReadingStore } from '../store/reading-store.js';
import type { Sql } from '../store/sql.js';
import { effectiveThresholds } from '../thresholds.js';
import { thresholdBands, trendRanges, withGaps, type ChartSpec, type TrendRange } from './trend-chart.js';

/**
 * How each range is drawn: raw readings in 5-minute buckets for 24 h, the hourly rollups for 7 days, the six-hour
 * rollups for 30 days — at most 288 points a line (a 640-unit chart shows no more), light enough for a kiosk
 * browser, and each read from the table that has about as many rows as the chart has points.
 */
const drawing: Record<TrendRange, { source: 'raw' | 'hourly' | 'six-hourly'; bucketSeconds: number }> = {
  '24h': { source: 'raw', bucketSeconds: 300 },
  '7d': { source: 'hourly', bucketSeconds: 3600 },
  '30d': { source: 'six-hourly', bucketSeconds: 6 * 3600 },
};

/**
 * The chart of sensors over a range, ending now. One sensor: its average, and its maximum per bucket for the
 * longer ranges, over its threshold bands. Several (a host): one line each.
 */
export async function trendChart(
  sql: Sql,
  sensors: readonly SensorWithHost[],
  range: TrendRange,
  now = new Date(),
): Promise<ChartSpec> {
  const { source, bucketSeconds } = drawing[range];
  const from = new Date(now.getTime() - trendRanges[range] * 3600 * 1000);
  const rows = await createReadingStore(sql).bucketed(
    sensors.map((s) => s.id),
    from,
    now,
    bucketSeconds,
    source,
  );
  const bySensor = new Map<number, typeof rows>();
  for (const row of rows) {
    const list = bySensor.get(row.sensor_id);
    if (list) list.push(row);
    else bySensor.set(row.sensor_id, [row]);
  }
  const pointsOf = (sensorId: number, value: 'avg' | 'max') =>
    withGaps(
      (bySensor.get(sensorId) ?? []).map((r) => ({ x: r.at, y: Number(r[value]) })),
      3 * bucketSeconds * 1000,
    );
  const single = sensors.length === 1 ? sensors[0] : undefined;
  const title = single
    ? `${single.host_name} · ${single.name}, last ${range}`
    : `${sensors[0]?.host_name ?? 'Sensors'}, last ${range}`;
  if (single) {
    const series = [{ label: range === '24h' ? 'reading' : 'average', points: pointsOf(single.id, 'avg') }];
    if (range !== '24h') series.push({ label: 'maximum', points: pointsOf(single.id, 'max') });
    return {
      title,
      unit: '°C',
      series,
      bands: thresholdBands(effectiveThresholds(single.device_thresholds, single.overrides)),
    };
  }
  // A host's sensors share bands only when they share thresholds (several CPUs of one model do).
  const bands = new Set(sensors.map((s) => JSON.stringify(effectiveThresholds(s.device_thresholds, s.overrides))));
  const shared =
    bands.size === 1 && sensors[0]
      ? thresholdBands(effectiveThresholds(sensors[0].device_thresholds, sensors[0].overrides))
      : [];
  return {
    title,
    unit: '°C',
    series: sensors.map((s) => ({ label: s.name, points: pointsOf(s.id, 'avg') })),
    bands: shared,
  };
}
