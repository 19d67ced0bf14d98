import { fork } from 'node:child_process';
import path from 'node:path';
import { ApiTokenStore } from '../src/auth/api-tokens.js';
import { connectDatabase } from '../src/db/database.js';
import { startEmbeddedPostgres } from '../src/db/embedded-postgres.js';
import { createLogger } from '../src/logger.js';
import { benchBmcCredentials, benchSensorUri } from './fake-redfish.js';
import {
  median,
  printResult,
  repoRoot,
  runLoad,
  signIn,
  startBareKoa,
  startNxforgeProcess,
  temporaryDataDir,
} from './lib.js';

/**
 * bench:temperature — the Temperature Monitor at the size of a full room: 50 Redfish hosts × 20 sensors, with
 * BENCH_RAW_DAYS (default 14, the raw retention) of raw readings at one a minute (20.2 M rows) and 30 days of
 * hourly and six-hour rollups (720 000 and 120 000 rows), generated in SQL. NxForge runs as `npm start` runs it (embedded PostgreSQL, its
 * bundled modules) in a child process, the 50 loopback BMCs in another (bench/bmc-farm.ts); the bench's process
 * generates the load.
 * - trend: the 30-day trend page of one host (20 lines from the six-hour rollups, the SVG drawn), median of 10;
 * - dashboard: the tiles page of the 1000 sensors under autocannon (10 connections, BENCH_SECONDS, default 10),
 *   against a bare Koa hello-world under the same load (the baseline; `ratio` is their requests/s);
 * - poll: one "Run now" of `poll-temperatures` reading the 50 hosts (1000 sensor resources, all written with their
 *   rollups and state machines), from the execution's start to its end; the baseline is the same 1000 GETs made
 *   directly by the bench, 8 hosts at a time and 4 requests per host, as the job does.
 * Goals: trend < 50 ms, dashboard p99 < 50 ms, poll < 5 s.
 */
const hosts = 50;
const sensorsPerHost = 20;
const rawDays = Number(process.env.BENCH_RAW_DAYS ?? 14);
const rollupDays = 30;
const seconds = Number(process.env.BENCH_SECONDS ?? 10);
const password = 'bench-admin-password';
const round = (value: number, digits = 1) => Math.round(value * 10 ** digits) / 10 ** digits;

const data = await temporaryDataDir('nxf-bench-temperature-');
const farm = fork(path.join(repoRoot, 'dist', 'bench', 'bmc-farm.js'), [String(hosts), String(sensorsPerHost)]);
const ask = <T>(message?: string) =>
  new Promise<T>((resolve) => {
    farm.once('message', (answer) => resolve(answer as T));
    if (message) farm.send(message);
  });
const bmcs = (await ask<{ urls: string[] }>()).urls.map((url) => ({ url }));
const requestsServed = async () => (await ask<{ requests: number }>('requests')).requests;
const bare = await startBareKoa();
const nxforge = await startNxforgeProcess(
  { NXFORGE_DATA_DIR: data.dir, NXFORGE_ADMIN_PASSWORD: password },
  path.join(data.dir, 'nxforge.log'),
);
// The cluster NxForge started: the bench reaches it the way `nxforge user create` would.
const cluster = await startEmbeddedPostgres(path.join(data.dir, 'postgres'), createLogger('silent'));
const db = await connectDatabase(cluster.url, { poolMax: 2 });
try {
  const admin = await db.one<{ id: string }>(`SELECT id FROM users WHERE username = 'admin'`);
  const { token } = await new ApiTokenStore(db).create(admin!.id, 'bench');
  const api = async (method: string, route: string, body?: unknown) => {
    const response = await fetch(new URL(route, nxforge.url), {
      method,
      headers: { authorization: `Bearer ${token}`, ...(body ? { 'content-type': 'application/json' } : {}) },
      body: body ? JSON.stringify(body) : undefined,
    });
    if (response.status >= 300) throw new Error(`${method} ${route}: ${response.status} ${await response.text()}`);
    return response.status === 204 ? undefined : ((await response.json()) as Record<string, any>);
  };

  // Only the measured poll reads the BMCs: the schedule is paused ("Run now" still runs).
  await api('POST', '/api/v1/jobs/temperature-monitor/poll-temperatures/pause');
  // 50 hosts through the API (their passwords sealed by the module), 20 tracked sensors each.
  const hostIds: number[] = [];
  for (const [index, bmc] of bmcs.entries()) {
    const { host } = (await api('POST', '/api/v1/m/temperature-monitor/hosts', {
      name: `bench-${String(index).padStart(2, '0')}`,
      address: bmc.url,
      source: 'redfish',
      ...benchBmcCredentials,
      labels: { room: `R${Math.floor(index / 25) + 1}`, rack: `rack-${Math.floor(index / 5)}` },
    })) as { host: { id: number } };
    hostIds.push(host.id);
  }
  await db.execute(
    `INSERT INTO tm_sensor (host_id, key, name, device_thresholds, state, reading, read_at)
     SELECT h, '/redfish/v1/Chassis/1U/Sensors/Temp' || n, 'Temperature ' || n,
            '{"upperWarning": 70, "upperCritical": 80, "upperFatal": 90}', 'ok', 35, now()
       FROM unnest($1::int[]) h, generate_series(0, ${sensorsPerHost - 1}) n ORDER BY h, n`,
    [hostIds],
  );
  if (benchSensorUri(0) !== '/redfish/v1/Chassis/1U/Sensors/Temp0') throw new Error('sensor keys out of step');

  // Readings: one a minute, sensor by sensor (the primary key then grows at its end), one host per statement.
  const generated = Date.now();
  const sensors = await db.select<{ id: number; host_id: number }>('SELECT id, host_id FROM tm_sensor ORDER BY id');
  const minutes = rawDays * 1440;
  for (const hostId of hostIds) {
    await db.execute(
      `INSERT INTO tm_reading (sensor_id, recorded_at, celsius)
       SELECT s, date_trunc('minute', now()) - make_interval(mins => ${minutes} - m), 30 + 6 * sin((m + s * 37) / 229.0) + (s % 7)
         FROM unnest($1::int[]) s, generate_series(0, ${minutes - 1}) m ORDER BY s, m`,
      [sensors.filter((s) => s.host_id === hostId).map((s) => s.id)],
    );
  }
  // Hourly rollups for 30 days, as the poll keeps them (60 readings an hour).
  await db.execute(
    `INSERT INTO tm_rollup_hourly (sensor_id, hour, min_celsius, max_celsius, sum_celsius, count)
     SELECT s.id, date_trunc('hour', now(), 'UTC') - make_interval(hours => h), 28 + (s.id % 7), 38 + (s.id % 7),
            60 * (33 + 5 * sin((h + s.id) / 7.0) + (s.id % 7)), 60
       FROM tm_sensor s, generate_series(1, ${rollupDays * 24}) h ORDER BY s.id, h`,
  );
  // And their six-hour rollups (120 000 rows), as the poll keeps them beside the hourly ones.
  await db.execute('DELETE FROM tm_rollup_6h');
  await db.execute(
    `INSERT INTO tm_rollup_6h (sensor_id, period, min_celsius, max_celsius, sum_celsius, count)
     SELECT sensor_id, date_bin('6 hours', hour, TIMESTAMPTZ '2000-01-01Z'), min(min_celsius), max(max_celsius), sum(sum_celsius), sum(count)
       FROM tm_rollup_hourly GROUP BY 1, 2 ORDER BY 1, 2`,
  );
  for (const table of ['tm_reading', 'tm_rollup_hourly', 'tm_rollup_6h']) await db.execute(`VACUUM ANALYZE ${table}`);
  const rows = await db.one<{ readings: string; rollups: string }>(
    'SELECT (SELECT count(*) FROM tm_reading) AS readings, (SELECT count(*) FROM tm_rollup_hourly) AS rollups',
  );
  console.log(
    `generated ${rows?.readings} readings and ${rows?.rollups} rollups in ${round((Date.now() - generated) / 1000)} s`,
  );

  // The 30-day trend of one host, as its page draws it.
  const cookie = await signIn(nxforge.url, 'admin', password);
  const trendUrl = new URL(`/temperature/trends?host=${hostIds[0]}&range=30d`, nxforge.url);
  const trendTimes: number[] = [];
  for (let i = 0; i < 12; i += 1) {
    const started = performance.now();
    const response = await fetch(trendUrl, { headers: { cookie } });
    const html = await response.text();
    if (response.status !== 200 || !html.includes('<svg')) throw new Error(`trend page answered ${response.status}`);
    if (i >= 2) trendTimes.push(performance.now() - started);
  }

  // The dashboard's 1000 tiles under load, against a bare Koa.
  const dashboardUrl = `${nxforge.url}/temperature`;
  const dashboardBytes = (await (await fetch(dashboardUrl, { headers: { cookie } })).arrayBuffer()).byteLength;
  await runLoad(dashboardUrl, { connections: 10, durationSeconds: 2, headers: { cookie } });
  await runLoad(bare.url, { connections: 10, durationSeconds: 2 });
  const dashboard = await runLoad(dashboardUrl, { connections: 10, durationSeconds: seconds, headers: { cookie } });
  const baseline = await runLoad(bare.url, { connections: 10, durationSeconds: seconds });
  if (dashboard.non2xx > 0 || dashboard.errors > 0)
    throw new Error(`dashboard: ${JSON.stringify(dashboard.statusCodes)}`);

  // One poll of the 50 hosts, then the same GETs made directly.
  const before = await requestsServed();
  const { executionId } = (await api('POST', '/api/v1/jobs/temperature-monitor/poll-temperatures/run')) as {
    executionId: string;
  };
  let execution: { status: string; startedAt: string; finishedAt: string; result?: { data?: Record<string, number> } };
  for (;;) {
    execution = ((await api('GET', `/api/v1/executions/${executionId}`)) as { execution: typeof execution }).execution;
    if (!['queued', 'running'].includes(execution.status)) break;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  if (execution.status !== 'succeeded') throw new Error(`the poll ${execution.status}: ${JSON.stringify(execution)}`);
  const pollSeconds = (Date.parse(execution.finishedAt) - Date.parse(execution.startedAt)) / 1000;
  const requested = (await requestsServed()) - before;
  const directStarted = performance.now();
  const auth = `Basic ${Buffer.from(`${benchBmcCredentials.username}:${benchBmcCredentials.password}`).toString('base64')}`;
  const queue = [...bmcs];
  await Promise.all(
    Array.from({ length: 8 }, async () => {
      for (let bmc = queue.shift(); bmc; bmc = queue.shift()) {
        const uris = Array.from({ length: sensorsPerHost }, (_, n) => benchSensorUri(n));
        await Promise.all(
          Array.from({ length: 4 }, async () => {
            for (let uri = uris.shift(); uri; uri = uris.shift())
              await (await fetch(new URL(uri, bmc.url), { headers: { authorization: auth } })).json();
          }),
        );
      }
    }),
  );
  const directSeconds = (performance.now() - directStarted) / 1000;

  const trendP50 = round(median(trendTimes));
  console.log(`trend page of one host over 30 days: median ${trendP50} ms of ${trendTimes.length}`);
  console.log(
    `dashboard (1000 tiles): ${dashboard.rps} req/s, p50 ${dashboard.p50Ms} ms, p99 ${dashboard.p99Ms} ms; bare Koa ${baseline.rps} req/s, p99 ${baseline.p99Ms} ms`,
  );
  console.log(
    `poll of ${hosts} hosts: ${round(pollSeconds, 2)} s, ${requested} requests to the BMCs, ${JSON.stringify(execution.result?.data)}; the same GETs directly: ${round(directSeconds, 2)} s`,
  );
  printResult({
    bench: 'temperature',
    trend_p50_ms: trendP50,
    dashboard_p99_ms: dashboard.p99Ms,
    poll_50_s: round(pollSeconds, 2),
    dashboard_rps: dashboard.rps,
    dashboard_kb: round(dashboardBytes / 1024),
    ratio: round(dashboard.rps / baseline.rps, 3),
    direct_get_s: round(directSeconds, 2),
    raw_readings: Number(rows?.readings),
  });
} catch (error) {
  // Named before the cleanup, which could fail too and hide it.
  console.error('bench:temperature failed:', error);
  process.exitCode = 1;
} finally {
  await db.close();
  await nxforge.stop();
  await cluster.stop();
  await bare.stop();
  farm.disconnect();
  await data.remove();
}
