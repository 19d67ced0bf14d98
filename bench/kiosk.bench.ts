import path from 'node:path';
import puppeteer, { type CDPSession, type Page } from 'puppeteer-core';
import { loadConfig } from '../src/config.js';
import { createLogger } from '../src/logger.js';
import { startNxforge } from '../src/nxforge.js';
import { chromiumArgs, headlessModeFor, resolveChromiumExecutable } from '../src/services/scraping/chromium.js';
import { startBareHtmxPage } from './kiosk-baseline.js';
import { median, printResult, repoRoot, temporaryDataDir } from './lib.js';

/**
 * bench:kiosk — what a kiosk display costs a low-power browser (bench/README.md), in real Chromium:
 * - `first_load_kb`: bytes on the wire (headers included) for opening a display, every request until the network
 *   is idle; the baseline is the same load as it would be uncompressed (`uncompressed_kb`, `ratio`);
 * - `refresh_kb`: one refresh whose data changed (median of 10), and `unchanged_refresh_bytes` for one that did not;
 * - `main_thread_ms`: scripting + layout + style per changed refresh with the CPU throttled 6×, over 3 rounds of
 *   10 refreshes (median of the rounds); the baseline is htmx alone morphing the same fragment into a bare page with
 *   the same stylesheets (kiosk-baseline.ts), in rounds alternating with NxForge's (`bare_htmx_ms`, `main_thread_ratio`);
 * - `heap_growth_pct`: JS heap after 2000 refreshes vs after 20 (after garbage collection), a display rotating
 *   between two pages every 2 s and refreshing every 0.1 s while its data changes, in a page without DevTools'
 *   network agent (see openUnwatched); `heap_growth_after_200_pct` the same from the 200th refresh, once V8 has
 *   compiled the hot code.
 * The dummy module's Board (a table, a chart, a count) is the page: it changes when the bench renames an item.
 */
const refreshes = Number(process.env.BENCH_REFRESHES ?? 2000);
const data = await temporaryDataDir('nxf-bench-kiosk-');
const config = loadConfig({
  PORT: '0',
  NXFORGE_HOST: '127.0.0.1',
  NXFORGE_DATA_DIR: data.dir,
  NXFORGE_ADMIN_PASSWORD: 'bench-admin-password',
});
const running = await startNxforge(config, {
  logger: createLogger('warn'),
  bundledModulesDir: path.join(repoRoot, 'bench', 'fixtures', 'no-bundled-modules'),
});
const { modules, displays, db } = running.services;
const executable = resolveChromiumExecutable();
/** Marks the page puppeteer leaves alone (openUnwatched). */
const unwatched = '#unwatched';
const browser = await puppeteer.launch({
  executablePath: executable,
  headless: headlessModeFor(executable),
  // `BENCH_JS_FLAGS` passes V8 flags to the display's renderer, e.g. `--no-opt --no-maglev` to see the heap
  // without the optimising compilers' code (bench/README.md, "Heap").
  args: [...chromiumArgs, ...(process.env.BENCH_JS_FLAGS ? [`--js-flags=${process.env.BENCH_JS_FLAGS}`] : [])],
  targetFilter: (target) => !target.url().endsWith(unwatched),
});
let renames = 0;
/** Changes what the Board shows: the first item's name. */
const rename = () =>
  db.execute('UPDATE dm_item SET name = $1 WHERE id = (SELECT min(id) FROM dm_item)', [`item ${(renames += 1)}`]);

/** Bytes per request as Chromium saw them on the wire (`encoded`, headers included) and decoded. */
function watchNetwork(client: CDPSession) {
  const urls = new Map<string, { url: string; status: number }>();
  const finished: Array<{ url: string; status: number; encoded: number; decoded: number }> = [];
  const decoded = new Map<string, number>();
  client.on('Network.responseReceived', (e) =>
    urls.set(e.requestId, { url: e.response.url, status: e.response.status }),
  );
  client.on('Network.dataReceived', (e) => decoded.set(e.requestId, (decoded.get(e.requestId) ?? 0) + e.dataLength));
  client.on('Network.loadingFinished', (e) => {
    const response = urls.get(e.requestId) ?? { url: '', status: 0 };
    finished.push({ ...response, encoded: e.encodedDataLength, decoded: decoded.get(e.requestId) ?? 0 });
  });
  return finished;
}

/** A refresh of the display's pages (or of the baseline's fragment). */
const isRefresh = (url: string) => /\/(dummy\/(board|chart)|fragment)$/.test(new URL(url || 'http://x/').pathname);

/** Resolves with the next finished refresh after the first `from` requests. */
function nextRefresh(finished: ReturnType<typeof watchNetwork>, from: number, status?: number) {
  return new Promise<(typeof finished)[number]>((resolve) => {
    const check = setInterval(() => {
      const found = finished.slice(from).find((f) => isRefresh(f.url) && (status === undefined || f.status === status));
      if (found) {
        clearInterval(check);
        resolve(found);
      }
    }, 5);
  });
}

/** A page in a browser context of its own, at 800×480, its requests and performance metrics watched. */
interface View {
  page: Page;
  client: CDPSession;
  finished: ReturnType<typeof watchNetwork>;
}

async function open(url: string): Promise<View> {
  const page = await (await browser.createBrowserContext()).newPage();
  await page.setViewport({ width: 800, height: 480 });
  const client = await page.createCDPSession();
  const finished = watchNetwork(client);
  await client.send('Network.enable');
  await client.send('Performance.enable');
  await page.goto(url, { waitUntil: 'networkidle0' });
  return { page, client, finished };
}
/**
 * A page no DevTools client watches the network of, as on a wall screen: puppeteer's own pages keep every answer
 * for its network events, which would be counted as the page's memory. Only the Performance domain is on.
 */
async function openUnwatched(url: string): Promise<CDPSession> {
  const root = await browser.target().createCDPSession();
  const { targetId } = await root.send('Target.createTarget', { url: `about:blank${unwatched}` });
  const { sessionId } = await root.send('Target.attachToTarget', { targetId, flatten: true });
  const session = root.connection()?.session(sessionId);
  if (!session) throw new Error('no session for the unwatched page');
  await session.send('Performance.enable');
  await session.send('Emulation.setDeviceMetricsOverride', {
    width: 800,
    height: 480,
    deviceScaleFactor: 1,
    mobile: false,
  });
  await session.send('Page.navigate', { url });
  return session;
}
const openDisplay = (token: string) => open(`${running.url}/kiosk/${token}`);

const metric = async (client: CDPSession, name: string) =>
  (await client.send('Performance.getMetrics')).metrics.find((m) => m.name === name)?.value ?? 0;

/** Seconds the page's main thread spent so far running script, laying out and computing styles. */
async function mainThreadSeconds(client: CDPSession): Promise<number> {
  const values = await Promise.all(
    ['ScriptDuration', 'LayoutDuration', 'RecalcStyleDuration'].map((m) => metric(client, m)),
  );
  return values.reduce((a, b) => a + b, 0);
}

/**
 * Main-thread ms per refresh with the CPU throttled 6×, over `cycles` refreshes: measured from the end of one
 * refresh to the end of the one `cycles` later, so the window holds exactly that many refreshes and their swaps,
 * and whatever else the page does meanwhile (no script of the bench runs in the page). `change` runs right after
 * each refresh, so the next one brings new data; `changed` counts the refreshes that did (HTTP 200).
 */
async function mainThreadPerRefresh(view: View, cycles: number, change: () => Promise<unknown> = async () => {}) {
  await view.client.send('Emulation.setCPUThrottlingRate', { rate: 6 });
  await nextRefresh(view.finished, view.finished.length);
  await change();
  const before = await mainThreadSeconds(view.client);
  let changed = 0;
  for (let i = 0; i < cycles; i += 1) {
    if ((await nextRefresh(view.finished, view.finished.length)).status === 200) changed += 1;
    await change();
  }
  const ms = ((await mainThreadSeconds(view.client)) - before) * 1000;
  await view.client.send('Emulation.setCPUThrottlingRate', { rate: 1 });
  return { ms: ms / cycles, changed };
}

try {
  await modules.installFromDirectory(path.join(repoRoot, 'test', 'fixtures', 'dummy-module'), 'installed', {
    name: 'bench',
  });
  await modules.enable('dummy', { name: 'bench' });
  for (let i = 0; i < 8; i += 1) await db.execute("INSERT INTO dm_item (name, notes) VALUES ($1, 'A')", [`item ${i}`]);
  const settings = { rotateSeconds: 3600, theme: 'dark' as const, filter: { rack: 'A' } };

  // First load and refreshes: one page, a refresh every second.
  const single = await displays.create({ ...settings, name: 'single', pages: ['/dummy/board'], refreshMs: 1000 });
  const { page, client, finished } = await openDisplay(single.token);
  const firstLoad = [...finished];
  const firstLoadKb = firstLoad.reduce((sum, f) => sum + f.encoded, 0) / 1024;
  const uncompressedKb = firstLoad.reduce((sum, f) => sum + f.decoded, 0) / 1024;
  const unchanged = await nextRefresh(finished, finished.length);
  const changedBytes: number[] = [];
  for (let i = 0; i < 10; i += 1) {
    const from = finished.length;
    await rename();
    changedBytes.push((await nextRefresh(finished, from, 200)).encoded);
  }

  // Main-thread time per changed refresh with the CPU throttled 6×, in rounds alternating with the baseline.
  const fragment = await (
    await fetch(`${running.url}/dummy/board`, { headers: { 'X-Display-Token': single.token, 'HX-Request': 'true' } })
  ).text();
  const stylesheets = await page.$$eval('link[rel=stylesheet]', (links) =>
    links.map((link) => (link as HTMLLinkElement).href),
  );
  const bare = await startBareHtmxPage({ fragment, stylesheets, refreshMs: 1000 });
  const bareView = await open(bare.url);
  const rounds: { nxforge: number[]; bare: number[]; changed: number } = { nxforge: [], bare: [], changed: 0 };
  for (let round = 0; round < 3; round += 1) {
    rounds.bare.push((await mainThreadPerRefresh(bareView, 10)).ms);
    const measured = await mainThreadPerRefresh({ page, client, finished }, 10, rename);
    rounds.nxforge.push(measured.ms);
    rounds.changed += measured.changed;
  }
  await bareView.page.close();
  await bare.stop();
  await page.close();

  // Memory over many refreshes: two pages rotating every 2 s, a refresh every 0.1 s, the data always changing.
  const rotating = await displays.create({
    ...settings,
    name: 'rotating',
    pages: ['/dummy/board', '/dummy/chart'],
    rotateSeconds: 2,
    refreshMs: 100,
  });
  let asked = 0;
  running.server.on('request', (request: { url?: string }) => {
    if (request.url?.startsWith('/dummy/')) asked += 1;
  });
  const soak = await openUnwatched(`${running.url}/kiosk/${rotating.token}`);
  let changing = true;
  const changer = (async () => {
    while (changing) {
      await rename();
      await new Promise((resolve) => setTimeout(resolve, 150));
    }
  })();
  const heapAfter = async (count: number) => {
    while (asked < count) await new Promise((resolve) => setTimeout(resolve, 50));
    await soak.send('HeapProfiler.collectGarbage');
    await soak.send('HeapProfiler.collectGarbage');
    return {
      heap: await metric(soak, 'JSHeapUsedSize'),
      nodes: await metric(soak, 'Nodes'),
      listeners: await metric(soak, 'JSEventListeners'),
    };
  };
  const early = await heapAfter(20);
  const warm = await heapAfter(Math.min(200, refreshes));
  const late = await heapAfter(refreshes);
  changing = false;
  await changer;

  const round = (value: number, digits = 1) => Math.round(value * 10 ** digits) / 10 ** digits;
  console.log(
    `first load: ${firstLoad.length} requests, ${round(firstLoadKb)} KB on the wire (${round(uncompressedKb)} KB uncompressed)`,
  );
  console.log(
    `refresh: ${median(changedBytes)} B changed, ${unchanged.encoded} B unchanged (HTTP ${unchanged.status})`,
  );
  const mainThreadMs = median(rounds.nxforge);
  const bareMs = median(rounds.bare);
  console.log(
    `main thread per refresh at 6× CPU: NxForge ${rounds.nxforge.map((v) => round(v)).join(' / ')} ms (${rounds.changed} of 30 refreshes brought new data), htmx alone ${rounds.bare.map((v) => round(v)).join(' / ')} ms`,
  );
  console.log(
    `after 20 refreshes: heap ${round(early.heap / 1024)} KB, ${early.nodes} nodes, ${early.listeners} listeners`,
  );
  console.log(
    `after ${Math.min(200, refreshes)}: heap ${round(warm.heap / 1024)} KB, ${warm.nodes} nodes, ${warm.listeners} listeners`,
  );
  console.log(
    `after ${refreshes}: heap ${round(late.heap / 1024)} KB, ${late.nodes} nodes, ${late.listeners} listeners`,
  );
  printResult({
    bench: 'kiosk',
    first_load_kb: round(firstLoadKb),
    refresh_kb: round(median(changedBytes) / 1024, 2),
    main_thread_ms: round(mainThreadMs),
    heap_growth_pct: round(((late.heap - early.heap) / early.heap) * 100),
    heap_growth_after_200_pct: round(((late.heap - warm.heap) / warm.heap) * 100),
    uncompressed_kb: round(uncompressedKb),
    ratio: round(firstLoadKb / uncompressedKb, 2),
    bare_htmx_ms: round(bareMs),
    main_thread_ratio: round(mainThreadMs / bareMs, 2),
    unchanged_refresh_bytes: unchanged.encoded,
    refreshes,
    dom_nodes: [early.nodes, late.nodes],
  });
} finally {
  await browser.close();
  await running.stop();
  await data.remove();
}
