import { availableParallelism } from 'node:os';
import { createLogger } from '../src/logger.js';
import { BrowserPool } from '../src/services/scraping/browser-pool.js';
import { createScrapingService, type ScrapingConfig } from '../src/services/scraping/scraping.service.js';
import { startFakePdu } from '../test/fixtures/fake-pdu.js';
import { machineBusyMs, median, printResult, processTreeRssMb } from './lib.js';

/**
 * bench:scrape — one scrape of the fake PDU's meter page (load, read "1,234.5 kWh" as a number) through the
 * pooled ScrapingService against the same scrape with a browser launched for it and closed after it, both in
 * this run, 50 each, one at a time. Then 150 more pooled scrapes, sampling the resident memory of the Chromium
 * process tree, to show whether it stays flat. Goal: ratio (fresh/pooled) ≥ 4, pooled median < 150 ms,
 * rss_mb_200 ≈ rss_mb_50.
 */
const count = Number(process.env.BENCH_SCRAPES ?? 50);
const logger = createLogger('silent');
const pdu = await startFakePdu();
const config: ScrapingConfig = {
  url: `${pdu.url}/open`,
  extract: { energy: { selector: '#energy', type: 'number', unit: 'kWh' } },
  retries: 0,
};

/** Runs `scrape` `times` times in a row; returns the duration of each in ms. */
async function timed(times: number, scrape: () => Promise<unknown>): Promise<number[]> {
  const durations: number[] = [];
  for (let i = 0; i < times; i += 1) {
    const started = performance.now();
    await scrape();
    durations.push(performance.now() - started);
  }
  return durations;
}

/** `timed`, plus the machine's CPU time per scrape over the run (all cores, every process). */
async function timedWithCpu(times: number, scrape: () => Promise<unknown>) {
  const busyBefore = await machineBusyMs();
  const durations = await timed(times, scrape);
  return { durations, cpuMsPerScrape: Math.round(((await machineBusyMs()) - busyBefore) / times) };
}

/** Peak RSS of `pool`'s browsers while `work` runs, sampled every 100 ms. */
async function peakRss(pool: BrowserPool, work: () => Promise<unknown>): Promise<number> {
  let peak = 0;
  let running = true;
  const sampler = (async () => {
    while (running) {
      peak = Math.max(peak, await processTreeRssMb(pool.browserPids()));
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  })();
  await work();
  running = false;
  await sampler;
  return peak;
}

const expectReading = (result: { success: boolean; error?: string; data?: unknown }) => {
  if (!result.success) throw new Error(`scrape failed: ${result.error}`);
};

const pool = new BrowserPool(logger, { maxBrowsers: 1 });
const sampled = new BrowserPool(logger, { maxBrowsers: 1 });
try {
  const pooled = createScrapingService({ pool, logger });
  for (let i = 0; i < 5; i += 1) expectReading(await pooled.scrape(config)); // warm-up: launch, JIT
  // Timed without the memory sampler, which would compete with the browser for the CPU.
  const pooledRun = await timedWithCpu(count, async () => expectReading(await pooled.scrape(config)));
  // Scrapes as a schedule spreads them, with time between them for the next context to open.
  const spacedTimes: number[] = [];
  for (let i = 0; i < 20; i += 1) {
    await new Promise((resolve) => setTimeout(resolve, 200));
    spacedTimes.push(...(await timed(1, async () => expectReading(await pooled.scrape(config)))));
  }
  await pool.close();

  const freshRun = await timedWithCpu(count, async () => {
    const own = new BrowserPool(logger, { maxBrowsers: 1, openAhead: false });
    try {
      expectReading(await createScrapingService({ pool: own, logger }).scrape(config));
    } finally {
      await own.close();
    }
  });

  // Memory in a run of its own: peak during scrapes 1–50, then during scrapes 151–200 of the same pool.
  const measured = createScrapingService({ pool: sampled, logger });
  const scrapeMeasured = async () => expectReading(await measured.scrape(config));
  const rss50 = await peakRss(sampled, () => timed(50, scrapeMeasured));
  await timed(100, scrapeMeasured);
  const rss200 = await peakRss(sampled, () => timed(50, scrapeMeasured));

  const pooledMs = Math.round(median(pooledRun.durations) * 10) / 10;
  const freshMs = Math.round(median(freshRun.durations) * 10) / 10;
  console.log(`pooled:  median ${pooledMs} ms per scrape over ${count} scrapes (1 browser, fresh context each)`);
  console.log(`fresh:   median ${freshMs} ms per scrape over ${count} scrapes (browser launched and closed each time)`);
  console.log(
    `browser RSS: peak ${rss50} MB during scrapes 1–50, ${rss200} MB during scrapes 151–200 of one pool (launches: ${sampled.stats().launches})`,
  );
  console.log(
    `pooled, one scrape every 200 ms (the next context opened in between): median ${Math.round(median(spacedTimes) * 10) / 10} ms`,
  );
  console.log(
    `machine CPU per scrape: pooled ${pooledRun.cpuMsPerScrape} ms, fresh ${freshRun.cpuMsPerScrape} ms, on ${availableParallelism()} cores`,
  );

  printResult({
    bench: 'scrape',
    pooled_ms: pooledMs,
    fresh_ms: freshMs,
    ratio: Math.round((freshMs / pooledMs) * 10) / 10,
    rss_mb_50: rss50,
    rss_mb_200: rss200,
  });
} finally {
  await pool.close();
  await sampled.close();
  await pdu.close();
}
