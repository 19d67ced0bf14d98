import path from 'node:path';
import { availableParallelism } from 'node:os';
import {
  alternateLoad,
  printResult,
  runLoad,
  signIn,
  startBareKoa,
  startNxforgeProcess,
  temporaryDataDir,
} from './lib.js';

/**
 * bench:http — requests/s of the authenticated dashboard of a running NxForge (session check, sidebar, Eta page
 * and layout, module states, one request log line) against a bare Koa hello-world, with the same load: 50
 * connections. NxForge runs as `npm start` runs it with NXFORGE_WORKERS=auto (one server process per core, the
 * setting for a server under load; NXFORGE_WORKERS in the bench's environment changes it), and, for comparison,
 * as one process on the same data. The targets alternate, three rounds of BENCH_SECONDS / 3 each (default 12 s),
 * medians compared. Goal: ratio ≥ 0.25 with p99 under 25 ms.
 */
const connections = 50;
const seconds = Number(process.env.BENCH_SECONDS ?? 12) / 3;
const password = 'bench-admin-password';

/**
 * With BENCH_CALIBRATE=1: the bare Koa made to keep the CPU busy for 25, 50 and 100 µs per request, against the
 * bare one — the ratio this machine gives a server that does that much work per request (see bench/README.md).
 */
async function calibrate(bareRps: number): Promise<void> {
  for (const busyMicroseconds of [25, 50, 100]) {
    const busy = await startBareKoa(busyMicroseconds);
    try {
      await runLoad(busy.url, { connections, durationSeconds: 2 });
      const { rps } = await runLoad(busy.url, { connections, durationSeconds: seconds });
      console.log(
        `bare Koa busy ${busyMicroseconds} µs per request: ${rps} req/s, ratio ${(rps / bareRps).toFixed(2)}`,
      );
    } finally {
      await busy.stop();
    }
  }
}

const data = await temporaryDataDir('nxf-bench-http-');
const workers = process.env.NXFORGE_WORKERS ?? 'auto';
const bare = await startBareKoa();
const nxforge = await startNxforgeProcess(
  { NXFORGE_DATA_DIR: data.dir, NXFORGE_ADMIN_PASSWORD: password, NXFORGE_WORKERS: workers },
  path.join(data.dir, 'nxforge.log'),
);
// The same NxForge as one process, on the same data and database, for comparison.
const single = await startNxforgeProcess(
  { NXFORGE_DATA_DIR: data.dir, NXFORGE_WORKERS: '1' },
  path.join(data.dir, 'nxforge-single.log'),
);
try {
  const cookie = await signIn(nxforge.url, 'admin', password);
  for (const url of [nxforge.url, single.url]) {
    const page = await fetch(new URL('/', url), { headers: { cookie } });
    if (page.status !== 200) throw new Error(`dashboard of ${url} answered ${page.status}`);
  }

  // Warm them up (JIT, connection pools, template cache) before measuring.
  for (const url of [bare.url, `${nxforge.url}/`, `${single.url}/`]) {
    await runLoad(url, { connections, durationSeconds: 2, headers: { cookie } });
  }

  const results = await alternateLoad(
    {
      bare: { url: bare.url },
      page: { url: `${nxforge.url}/`, headers: { cookie } },
      single: { url: `${single.url}/`, headers: { cookie } },
    },
    { connections, rounds: 3, seconds },
  );
  const {
    bare: bareRun,
    page: pageRun,
    single: singleRun,
  } = results as Record<'bare' | 'page' | 'single', { rps: number; p99Ms: number }>;
  const ratio = (rps: number) => Math.round((rps / bareRun.rps) * 100) / 100;
  console.log(`bare Koa:   ${bareRun.rps} req/s (median of 3), worst p99 ${bareRun.p99Ms} ms`);
  console.log(
    `dashboard:  ${pageRun.rps} req/s (median of 3), worst p99 ${pageRun.p99Ms} ms, NXFORGE_WORKERS=${workers}`,
  );
  console.log(
    `dashboard:  ${singleRun.rps} req/s (median of 3), worst p99 ${singleRun.p99Ms} ms, one process (ratio ${ratio(singleRun.rps)})`,
  );
  if (process.env.BENCH_CALIBRATE === '1') await calibrate(bareRun.rps);
  printResult({
    bench: 'http',
    connections,
    workers: workers === 'auto' ? availableParallelism() : Number(workers),
    bare_rps: bareRun.rps,
    page_rps: pageRun.rps,
    ratio: ratio(pageRun.rps),
    p99_ms: pageRun.p99Ms,
    single_process_rps: singleRun.rps,
    single_process_ratio: ratio(singleRun.rps),
  });
} finally {
  await single.stop();
  await nxforge.stop();
  await bare.stop();
  await data.remove();
}
