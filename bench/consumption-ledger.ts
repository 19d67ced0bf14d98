import { request } from 'node:http';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { Database } from '../src/db/database.js';
import { median } from './lib.js';

/**
 * The billing part of bench:consumption (`BENCH_PARTS=ledger`): 100 counter endpoints × a year of 15-minute
 * readings (3.5 M rows) imported through the import API as one streamed CSV body — validated row by row, COPY,
 * the ledger built — then the monthly summary of the last whole month (median of 10) and the twelve months of the
 * year (median of 10), against a baseline in the same run: the month summed by scanning its readings.
 */
export async function benchLedger(
  baseUrl: string,
  token: string,
  db: Database,
  api: (method: string, route: string, body?: unknown) => Promise<unknown>,
): Promise<Record<string, number>> {
  const endpoints = 100;
  // `BENCH_LEDGER_DAYS` (365 by default) shortens the year for a quicker run.
  const readings = Number(process.env.BENCH_LEDGER_DAYS ?? 365) * 96;
  for (let i = 1; i <= endpoints; i++) {
    await api('POST', '/endpoints', {
      name: `Ledger ${i}`,
      source: 'http',
      url: 'http://127.0.0.1:9/meter.json',
      jsonPath: '$.kwh',
      kind: 'counter',
      unit: 'kWh',
      pollIntervalMinutes: 15,
      enabled: false,
      labels: { customer: `Customer ${i % 12}`, rack: `L${i}` },
    });
  }
  const hour = 3_600_000;
  const end = Math.floor(Date.now() / hour) * hour;
  const start = end - readings * 900_000;
  let bytes = 0;
  // Time-major, as an export of a whole site is: every endpoint's reading at 00:00, then at 00:15… Each draws
  // 1 + (i mod 7) kW, so its counter rises by a quarter of that each 15 minutes.
  function* csv(): Generator<string> {
    let chunk = 'endpoint,timestamp,value\n';
    for (let s = 0; s < readings; s++) {
      const at = new Date(start + s * 900_000).toISOString();
      for (let i = 1; i <= endpoints; i++) chunk += `Ledger ${i},${at},${1000 + (1 + (i % 7)) * 0.25 * s}\n`;
      if (chunk.length > 1 << 20) {
        bytes += chunk.length;
        yield chunk;
        chunk = '';
      }
    }
    bytes += chunk.length;
    yield chunk;
  }
  const baseRss = process.memoryUsage().rss;
  let peakRss = baseRss;
  const sampler = setInterval(() => (peakRss = Math.max(peakRss, process.memoryUsage().rss)), 200);
  const started = performance.now();
  // node:http rather than fetch, whose client gives up waiting for an answer after 300 s.
  const answer = await new Promise<{ imported?: number }>((resolve, reject) => {
    const upload = request(`${baseUrl}/api/v1/m/consumption-monitor/consumption/readings/import`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'text/csv' },
    });
    upload.once('response', (response) => {
      let text = '';
      response.on('data', (chunk: Buffer) => (text += chunk.toString()));
      response.once('end', () => resolve(JSON.parse(text) as { imported?: number }));
    });
    upload.once('error', reject);
    pipeline(Readable.from(csv()), upload).catch(reject);
  });
  const importS = (performance.now() - started) / 1000;
  clearInterval(sampler);
  if (answer.imported !== endpoints * readings) throw new Error(`the import answered ${JSON.stringify(answer)}`);
  await db.execute('ANALYZE cm_reading');
  // What autovacuum does within a minute or two of so many inserts: statistics, and the visibility map that lets a
  // statement read the month's hours from the index alone. The summaries are timed in that steady state.
  await db.execute('VACUUM (ANALYZE) cm_energy_hour');

  const lastMonth = new Date(new Date(end).setUTCDate(1) - 86_400_000).toISOString().slice(0, 7);
  const monthsBack = (n: number) => {
    const d = new Date(`${lastMonth}-01T00:00:00Z`);
    d.setUTCMonth(d.getUTCMonth() - n);
    return d.toISOString().slice(0, 7);
  };
  const summary = async (month: string) => {
    const t = performance.now();
    await api('GET', `/consumption/monthly-summary?month=${month}`);
    return performance.now() - t;
  };
  const timesOf = async (run: () => Promise<number>) => {
    await run(); // warm
    const times: number[] = [];
    for (let i = 0; i < 10; i++) times.push(await run());
    return median(times);
  };
  const monthP50 = await timesOf(() => summary(lastMonth));
  const yearP50 = await timesOf(async () => {
    let total = 0;
    for (let n = 11; n >= 0; n--) total += await summary(monthsBack(n));
    return total;
  });
  // Baseline: the month from a scan of its readings (what a summary without a ledger must at least read).
  const from = new Date(`${lastMonth}-01T00:00:00Z`);
  const to = new Date(`${monthsBack(-1)}-01T00:00:00Z`);
  const scanP50 = await timesOf(async () => {
    const t = performance.now();
    await db.select(
      `SELECT endpoint_id, max(value) - min(value) AS kwh FROM cm_reading
       WHERE status = 'ok' AND recorded_at >= $1 AND recorded_at < $2 GROUP BY endpoint_id`,
      [from, to],
    );
    return performance.now() - t;
  });
  const round = (value: number, digits = 1) => Number(value.toFixed(digits));
  return {
    import_rows: endpoints * readings,
    import_csv_mb: round(bytes / 1e6),
    import_s: round(importS),
    ingest_rows_per_s: Math.round((endpoints * readings) / importS),
    import_rss_growth_mb: round((peakRss - baseRss) / 1e6),
    summary_p50_ms: round(monthP50),
    summary_year_p50_ms: round(yearP50),
    month_scan_p50_ms: round(scanP50),
    summary_vs_scan: round(scanP50 / monthP50, 2),
  };
}
