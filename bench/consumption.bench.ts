import { fork } from 'node:child_process';
import path from 'node:path';
import puppeteer from 'puppeteer-core';
import { loadConfig } from '../src/config.js';
import { startNxforge } from '../src/nxforge.js';
import { chromiumArgs, headlessModeFor, resolveChromiumExecutable } from '../src/services/scraping/chromium.js';
import { pduCredentials, pduLoginForm, startFakePdu, type FakePdu } from '../test/fixtures/fake-pdu.js';
import { startSnmpd } from '../test/fixtures/snmpd.js';
import { readdir, readFile } from 'node:fs/promises';
import { benchLedger } from './consumption-ledger.js';
import { machineBusyMs, printResult, repoRoot, signIn, temporaryDataDir, type LoadResult } from './lib.js';

/**
 * bench:consumption — the consumption monitor's collection and dashboard, in an NxForge running as production
 * does (embedded PostgreSQL, the bundled module, jobs in worker threads):
 * - 100 `browser` endpoints behind form logins (a fake PDU each, on loopback) read by the real job, once to sign
 *   in and once more as every 15 minutes (`collect_100_s`: the second, with the kept sessions), vs the naive way —
 *   a browser launched and a login made per read — timed over `BENCH_NAIVE` reads and scaled to 100 (`ratio`);
 * - 1000 `snmp` endpoints of Debian's snmpd read by the job (`snmp_1000_s`);
 * - the Live Dashboard with 100 endpoints and a year of 15-minute readings (3.5 M rows, generated in SQL, with
 *   their ledger) under autocannon in a process of its own (`dashboard_p99_ms`).
 * Goals: ratio ≥ 8, collect_100_s < 15, snmp_1000_s < 5, dashboard_p99_ms < 50.
 */
const naiveReads = Number(process.env.BENCH_NAIVE ?? 10);
const loadSeconds = Number(process.env.BENCH_SECONDS ?? 10);
const browserBatch = Number(process.env.BENCH_BATCH ?? 8);
/** Which parts to run (all by default): `collect`, `snmp`, `dashboard`, `ledger` (bench/consumption-ledger.ts). */
const parts = new Set((process.env.BENCH_PARTS ?? 'collect,snmp,dashboard,ledger').split(','));
const password = 'bench-admin-password';
const round = (value: number, digits = 2) => Number(value.toFixed(digits));
const seconds = (from: number) => (performance.now() - from) / 1000;

const data = await temporaryDataDir('nxf-bench-cm-');
const running = await startNxforge(
  loadConfig({
    PORT: '0',
    NXFORGE_HOST: '127.0.0.1',
    NXFORGE_DATA_DIR: data.dir,
    NXFORGE_ADMIN_PASSWORD: password,
    NXFORGE_LOG_LEVEL: 'warn',
  }),
  { bundledModulesDir: path.join(repoRoot, 'modules') },
);
const pdus: FakePdu[] = [];
let snmpd: Awaited<ReturnType<typeof startSnmpd>> | undefined;
try {
  const { db, scheduler, users, apiTokens, executions } = running.services;
  const admin = await users.findForLogin('admin');
  const { token } = await apiTokens.create(admin!.user.id, 'bench');
  const api = async (method: string, route: string, body?: unknown) => {
    const response = await fetch(`${running.url}/api/v1/m/consumption-monitor${route}`, {
      method,
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    if (response.status >= 300) throw new Error(`${method} ${route}: ${response.status} ${await response.text()}`);
    return (await response.json()) as { id: string };
  };
  const collect = async (endpointIds: string[]) => {
    const started = performance.now();
    const queued = await scheduler.executeJob('consumption-monitor', 'collect-consumption', {
      data: { endpointIds },
      actor: 'bench',
    });
    for (;;) {
      const execution = await executions.getExecution(queued.id);
      if (execution && ['succeeded', 'failed', 'timed_out', 'cancelled'].includes(execution.status)) {
        const result = (execution.result as { data?: { ok: number; errors: number } } | null)?.data;
        return { s: seconds(started), status: execution.status, ok: result?.ok ?? 0, errors: result?.errors ?? 0 };
      }
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
  };

  const result: Record<string, unknown> = { bench: 'consumption' };
  // 1. 100 browser endpoints behind form logins.
  if (parts.has('collect')) {
    pdus.push(...(await Promise.all(Array.from({ length: 100 }, () => startFakePdu()))));
    const browserIds: string[] = [];
    for (const [i, pdu] of pdus.entries()) {
      const { id } = await api('POST', '/endpoints', {
        name: `Bench PDU ${i + 1}`,
        source: 'browser',
        url: `${pdu.url}/form/meter`,
        selector: '#energy',
        auth: { type: 'form', ...pduCredentials, loginUrl: `${pdu.url}/form/login`, ...pduLoginForm },
      });
      browserIds.push(id);
    }
    await scheduler.saveJobConfig('consumption-monitor', 'collect-consumption', { batchSize: browserBatch }, 'bench');
    const firstRun = await collect(browserIds);
    const loginsBefore = pdus.reduce((sum, pdu) => sum + pdu.logins, 0);
    const cpu = await cpuSampler();
    const keptRun = await collect(browserIds);
    const keptCpu = await cpu.stop();
    const loginsDuring = pdus.reduce((sum, pdu) => sum + pdu.logins, 0) - loginsBefore;
    console.log(
      `100 browser endpoints: first run ${round(firstRun.s)} s (${firstRun.ok} ok, ${loginsBefore} logins), ` +
        `then ${round(keptRun.s)} s (${keptRun.ok} ok, ${loginsDuring} logins)`,
    );
    console.log(`  CPU of the kept-session run: ${keptCpu}`);

    const naiveMs = await naiveReadsMs(pdus.slice(0, naiveReads));
    const naive100 = ((naiveMs.reduce((a, b) => a + b, 0) / naiveMs.length) * 100) / 1000;
    console.log(
      `naive (a browser and a login per read): ${round(naive100 / 100, 3)} s per read over ${naiveMs.length} reads → ${round(naive100)} s for 100`,
    );
    await db.execute('UPDATE cm_endpoint SET enabled = false');
    Object.assign(result, {
      collect_100_s: round(keptRun.s),
      first_run_s: round(firstRun.s),
      naive_100_s: round(naive100),
      ratio: round(naive100 / keptRun.s),
      logins_kept_run: loginsDuring,
    });
  }

  // 2. 1000 SNMP endpoints of snmpd (sysUpTime: a number that rises, as a counter does).
  if (parts.has('snmp')) {
    snmpd = await startSnmpd();
    const snmpIds: string[] = [];
    for (let i = 0; i < 1000; i += 1) {
      const { id } = await api('POST', '/endpoints', {
        name: `Bench SNMP ${i + 1}`,
        source: 'snmp',
        snmp: {
          host: '127.0.0.1',
          port: snmpd.port,
          version: '2c',
          community: 'nxf-test-community',
          oid: '1.3.6.1.2.1.1.3.0',
          scale: 0.01,
        },
      });
      snmpIds.push(id);
    }
    await scheduler.saveJobConfig('consumption-monitor', 'collect-consumption', { batchSize: 50 }, 'bench');
    await collect(snmpIds.slice(0, 50)); // warm: the worker's first SNMP session
    const cpu = await cpuSampler();
    const snmpRun = await collect(snmpIds);
    const snmpCpu = await cpu.stop();
    console.log(`1000 SNMP endpoints: ${round(snmpRun.s)} s (${snmpRun.ok} ok, ${snmpRun.errors} errors)`);
    console.log(`  CPU of the run: ${snmpCpu}`);
    result.snmp_1000_s = round(snmpRun.s);
  }

  // 3. The Live Dashboard over 100 endpoints with a year of 15-minute readings.
  if (parts.has('dashboard')) {
    await db.execute('DELETE FROM cm_endpoint');
    // No scheduled run during the load: the generated endpoints' address answers nothing.
    await scheduler.pauseJob('consumption-monitor', 'collect-consumption', 'bench');
    const rows = await yearOfReadings(db);
    const cookie = await signIn(running.url, 'admin', password);
    const load = await loadInChild(`${running.url}/consumption/live`, { cookie });
    console.log(
      `Live Dashboard, ${rows} readings: ${load.rps} req/s, p50 ${load.p50Ms} ms, p99 ${load.p99Ms} ms, ${load.non2xx} non-2xx`,
    );

    Object.assign(result, { dashboard_p99_ms: load.p99Ms, dashboard_rps: load.rps, rows });
  }
  // 4. Billing: a year of readings through the import, then monthly and yearly summaries.
  if (parts.has('ledger')) Object.assign(result, await benchLedger(running.url, token, db, api));
  printResult(result);
} finally {
  await running.stop();
  await snmpd?.stop();
  await Promise.all(pdus.map((pdu) => pdu.close()));
  await data.remove();
}

/**
 * CPU seconds spent during a stretch by this process tree — the bench with NxForge, its job workers and fake
 * devices (node), PostgreSQL, Chromium, snmpd — by program, and by the whole machine (other work included): what
 * a run is bound by. A process's exited children count through its cutime/cstime once it has reaped them.
 */
async function cpuSampler(): Promise<{ stop(): Promise<string> }> {
  const before = await treeCpu();
  const machineBefore = await machineBusyMs();
  const started = performance.now();
  return {
    async stop() {
      const after = await treeCpu();
      const wall = (performance.now() - started) / 1000;
      const machine = ((await machineBusyMs()) - machineBefore) / 1000;
      const parts = [...after]
        .map(([name, s]) => [name, s - (before.get(name) ?? 0)] as const)
        .filter(([, s]) => s > 0.05);
      const ours = parts.reduce((sum, [, s]) => sum + s, 0);
      const byName = parts.map(([name, s]) => `${name} ${round(s, 1)}`).join(', ');
      return `ours ${round(ours, 1)} s (${byName}); machine ${round(machine, 1)} s of ${round(wall * 2, 1)} core-s`;
    },
  };
}

async function treeCpu(): Promise<Map<string, number>> {
  const stats = new Map<number, { ppid: number; name: string; s: number }>();
  for (const entry of await readdir('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    const text = await readFile(`/proc/${entry}/stat`, 'utf8').catch(() => '');
    const close = text.lastIndexOf(')');
    if (close < 0) continue;
    const name = text.slice(text.indexOf('(') + 1, close).split(/[ :]/)[0]!;
    const fields = text.slice(close + 2).split(' ');
    // After the name: state(3) ppid(4) … utime(14) stime(15) cutime(16) cstime(17), in ticks of 1/100 s.
    const ticks = [11, 12, 13, 14].reduce((sum, i) => sum + Number(fields[i]), 0);
    stats.set(Number(entry), { ppid: Number(fields[1]), name, s: ticks / 100 });
  }
  const inTree = (pid: number): boolean => {
    for (let at = stats.get(pid); at; at = stats.get(at.ppid)) if (at.ppid === process.pid) return true;
    return pid === process.pid;
  };
  const byName = new Map<string, number>();
  for (const [pid, stat] of stats) {
    if (!inTree(pid)) continue;
    const name = stat.name.startsWith('chrom') ? 'chromium' : stat.name.startsWith('postgres') ? 'postgres' : stat.name;
    byName.set(name, (byName.get(name) ?? 0) + stat.s);
  }
  return byName;
}

/** The naive way, one read after the other: launch Chromium, sign in through the form, read, close. */
async function naiveReadsMs(targets: FakePdu[]): Promise<number[]> {
  const executablePath = resolveChromiumExecutable();
  const times: number[] = [];
  for (const pdu of targets) {
    const started = performance.now();
    const browser = await puppeteer.launch({
      executablePath,
      headless: headlessModeFor(executablePath),
      args: [...chromiumArgs],
    });
    try {
      const page = await browser.newPage();
      await page.goto(`${pdu.url}/form/login`);
      await page.type(pduLoginForm.usernameSelector, pduCredentials.username);
      await page.type(pduLoginForm.passwordSelector, pduCredentials.password);
      await Promise.all([page.waitForNavigation(), page.click(pduLoginForm.submitSelector)]);
      const text = await page.$eval('#energy', (element) => element.textContent);
      if (!text?.includes('kWh')) throw new Error('the naive read found no value');
    } finally {
      await browser.close();
    }
    times.push(performance.now() - started);
  }
  return times;
}

/**
 * 100 enabled endpoints, each with a year of 15-minute ok readings up to now (a counter rising at its own steady
 * draw), and their ledger: with a steady draw each 15-minute interval holds draw × 0.25 kWh and each hour four
 * of them, which is what the billing rule makes of such readings. Generated in SQL.
 */
async function yearOfReadings(db: typeof running.services.db): Promise<number> {
  await db.execute(
    `INSERT INTO cm_endpoint (id, name, source, url, json_path, unit, kind, poll_interval_minutes, customer, rack)
     SELECT gen_random_uuid(), 'Rack ' || i, 'http', 'http://127.0.0.1:9/meter.json', '$.kwh', 'kWh', 'counter', 15,
            'Customer ' || (i % 12), 'R' || i
     FROM generate_series(1, 100) i`,
  );
  const start = `date_trunc('hour', now()) - interval '365 days'`;
  // Each endpoint draws 1 + (its number mod 7) kW: its counter rises by a quarter of that every 15 minutes.
  const draw = `(1 + (row_number() OVER (ORDER BY e.id) % 7))`;
  await db.execute(
    `CREATE TEMPORARY TABLE bench_draw AS SELECT e.id, ${draw}::double precision AS kw FROM cm_endpoint e`,
  );
  await db.execute(
    `INSERT INTO cm_reading (endpoint_id, recorded_at, value, status, raw)
     SELECT d.id, ${start} + make_interval(mins => 15 * s), 1000 + d.kw * 0.25 * s, 'ok', NULL
     FROM bench_draw d, generate_series(0, 35039) s`,
  );
  await db.execute(
    `INSERT INTO cm_energy_interval (endpoint_id, start_at, end_at, start_value, end_value, milliwatt_hours, gap, reset, estimated)
     SELECT d.id, ${start} + make_interval(mins => 15 * (s - 1)), ${start} + make_interval(mins => 15 * s),
            1000 + d.kw * 0.25 * (s - 1), 1000 + d.kw * 0.25 * s, round(d.kw * 250000), false, false, false
     FROM bench_draw d, generate_series(1, 35039) s`,
  );
  await db.execute(
    `INSERT INTO cm_energy_hour (endpoint_id, hour, milliwatt_hours, covered_ms)
     SELECT endpoint_id, date_trunc('hour', start_at), sum(milliwatt_hours), sum(extract(epoch FROM end_at - start_at) * 1000)
     FROM cm_energy_interval GROUP BY 1, 2`,
  );
  await db.execute('ANALYZE cm_reading');
  await db.execute('ANALYZE cm_energy_hour');
  const count = await db.one<{ n: string }>('SELECT count(*) AS n FROM cm_reading');
  return Number(count?.n ?? 0);
}

/** autocannon against `url` from a child process (not this event loop, which serves the requests). */
function loadInChild(url: string, headers: Record<string, string>): Promise<LoadResult> {
  const child = fork(path.join(repoRoot, 'dist', 'bench', 'load-child.js'), [
    JSON.stringify({ url, headers, connections: 10, durationSeconds: loadSeconds }),
  ]);
  return new Promise((resolve, reject) => {
    child.once('message', (result) => resolve(result as LoadResult));
    child.once('exit', (code) => (code ? reject(new Error(`the load process exited with ${code}`)) : undefined));
  });
}
