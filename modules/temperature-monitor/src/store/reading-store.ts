import type { Sql } from './sql.js';

/** One raw reading. */
export interface Reading {
  sensorId: number;
  at: Date;
  celsius: number;
}

/** An hourly rollup as the API shows it. */
export interface HourlyRollup {
  at: Date;
  min: number;
  avg: number;
  max: number;
  count: number;
}

/** The readings and their hourly rollups. */
export function createReadingStore(sql: Sql) {
  return {
    /**
     * Stores readings and folds them into their hour's and their six hours' rollups in the same statement, so a
     * rollup is always the sum of the readings stored (a reading stored twice for the same time is ignored, and
     * counted once). Hours are UTC hours; six-hour periods start at 00, 06, 12 and 18 UTC.
     */
    record: (readings: readonly Reading[]) =>
      readings.length === 0
        ? Promise.resolve(0)
        : sql.execute(
            `WITH stored AS (
               INSERT INTO tm_reading (sensor_id, recorded_at, celsius)
               SELECT * FROM unnest($1::int[], $2::timestamptz[], $3::float8[])
               ON CONFLICT DO NOTHING RETURNING sensor_id, recorded_at, celsius
             )
             , hourly AS (
               INSERT INTO tm_rollup_hourly AS r (sensor_id, hour, min_celsius, max_celsius, sum_celsius, count)
               SELECT sensor_id, date_trunc('hour', recorded_at, 'UTC'), min(celsius), max(celsius), sum(celsius), count(*)
                 FROM stored GROUP BY 1, 2
               ON CONFLICT (sensor_id, hour) DO UPDATE SET
                 min_celsius = least(r.min_celsius, EXCLUDED.min_celsius),
                 max_celsius = greatest(r.max_celsius, EXCLUDED.max_celsius),
                 sum_celsius = r.sum_celsius + EXCLUDED.sum_celsius,
                 count = r.count + EXCLUDED.count
             )
             INSERT INTO tm_rollup_6h AS r (sensor_id, period, min_celsius, max_celsius, sum_celsius, count)
             SELECT sensor_id, date_bin('6 hours', recorded_at, TIMESTAMPTZ '2000-01-01 00:00:00Z'), min(celsius), max(celsius),
                    sum(celsius), count(*)
               FROM stored GROUP BY 1, 2
             ON CONFLICT (sensor_id, period) DO UPDATE SET
               min_celsius = least(r.min_celsius, EXCLUDED.min_celsius),
               max_celsius = greatest(r.max_celsius, EXCLUDED.max_celsius),
               sum_celsius = r.sum_celsius + EXCLUDED.sum_celsius,
               count = r.count + EXCLUDED.count`,
            [readings.map((r) => r.sensorId), readings.map((r) => r.at), readings.map((r) => r.celsius)],
          ),

    /** Raw readings of sensors in [from, to), oldest first. */
    raw: (sensorIds: readonly number[], from: Date, to: Date) =>
      sql.select<{ sensor_id: number; at: Date; celsius: number }>(
        `SELECT sensor_id, recorded_at AS at, celsius FROM tm_reading
          WHERE sensor_id = ANY($1::int[]) AND recorded_at >= $2 AND recorded_at < $3 ORDER BY sensor_id, recorded_at`,
        [sensorIds, from, to],
      ),

    /** Hourly rollups of sensors for the hours starting in [from, to), oldest first. */
    hourly: (sensorIds: readonly number[], from: Date, to: Date) =>
      sql.select<{ sensor_id: number; at: Date; min: number; avg: number; max: number; count: number }>(
        `SELECT sensor_id, hour AS at, min_celsius AS min, sum_celsius / count AS avg, max_celsius AS max, count
           FROM tm_rollup_hourly WHERE sensor_id = ANY($1::int[]) AND hour >= $2 AND hour < $3 ORDER BY sensor_id, hour`,
        [sensorIds, from, to],
      ),

    /**
     * Averages, minima and maxima per bucket of `bucketSeconds` for a chart: from raw readings, or from the hourly
     * or six-hour rollups (whose averages are weighted by their counts, so a bucket's average is that of its
     * readings).
     */
    bucketed: async (
      sensorIds: readonly number[],
      from: Date,
      to: Date,
      bucketSeconds: number,
      source: 'raw' | 'hourly' | 'six-hourly',
    ) => {
      const [table, time, avg, min, max] =
        source === 'raw'
          ? ['tm_reading', 'recorded_at', 'avg(celsius)', 'min(celsius)', 'max(celsius)']
          : [
              source === 'hourly' ? 'tm_rollup_hourly' : 'tm_rollup_6h',
              source === 'hourly' ? 'hour' : 'period',
              'sum(sum_celsius) / sum(count)',
              'min(min_celsius)',
              'max(max_celsius)',
            ];
      // Bucket starts come back as epoch seconds: parsing thousands of timestamps as text costs more than the query.
      const rows = await sql.select<{ sensor_id: number; epoch: number; avg: number; min: number; max: number }>(
        `SELECT sensor_id, extract(epoch FROM date_bin(make_interval(secs => $4), ${time}, TIMESTAMPTZ '2000-01-01Z'))::float8 AS epoch,
                ${avg} AS avg, ${min} AS min, ${max} AS max
           FROM ${table} WHERE sensor_id = ANY($1::int[]) AND ${time} >= $2 AND ${time} < $3
          GROUP BY 1, 2 ORDER BY 1, 2`,
        [sensorIds, from, to, bucketSeconds],
      );
      return rows.map(({ epoch, ...row }) => ({ ...row, at: new Date(epoch * 1000) }));
    },

    /** Removes raw readings before `rawBefore` and rollups before `rollupsBefore`; returns the counts. */
    cleanup: async (rawBefore: Date, rollupsBefore: Date) => ({
      readings: await sql.execute('DELETE FROM tm_reading WHERE recorded_at < $1', [rawBefore]),
      rollups: await sql.execute('DELETE FROM tm_rollup_hourly WHERE hour < $1', [rollupsBefore]),
      sixHourRollups: await sql.execute('DELETE FROM tm_rollup_6h WHERE period < $1', [rollupsBefore]),
    }),
  };
}

/** The reading store's methods. */
export type ReadingStore = ReturnType<typeof createReadingStore>;
