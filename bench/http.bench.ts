import { printResult, runLoad, signIn, startBareKoa, startNxforgeProcess, temporaryDataDir } from './lib.js';

/**
 * bench:http — requests/s of the authenticated dashboard of a running NxForge (session lookup in PostgreSQL,
 * sidebar composition, Eta layout, request log line) against a bare Koa hello-world, both measured in this run
 * with the same load: 50 connections. Goal: ratio ≥ 0.25 with p99 under 25 ms.
 */
const connections = 50;
const durationSeconds = Number(process.env.BENCH_SECONDS ?? 10);
const password = 'bench-admin-password';

const data = await temporaryDataDir('nxf-bench-http-');
const bare = await startBareKoa();
const nxforge = await startNxforgeProcess({ NXFORGE_DATA_DIR: data.dir, NXFORGE_ADMIN_PASSWORD: password });
try {
  const cookie = await signIn(nxforge.url, 'admin', password);
  const page = await fetch(new URL('/', nxforge.url), { headers: { cookie } });
  if (page.status !== 200) throw new Error(`dashboard answered ${page.status}`);

  // Warm both up (JIT, connection pools, template cache) before measuring.
  await runLoad(bare.url, { connections, durationSeconds: 2 });
  await runLoad(`${nxforge.url}/`, { connections, durationSeconds: 2, headers: { cookie } });

  const bareRun = await runLoad(bare.url, { connections, durationSeconds });
  const pageRun = await runLoad(`${nxforge.url}/`, { connections, durationSeconds, headers: { cookie } });
  if (pageRun.non2xx > 0 || pageRun.errors > 0) {
    throw new Error(`dashboard run had ${pageRun.non2xx} non-2xx answers and ${pageRun.errors} errors`);
  }
  console.log(`bare Koa:   ${bareRun.rps} req/s, p50 ${bareRun.p50Ms} ms, p99 ${bareRun.p99Ms} ms`);
  console.log(`dashboard:  ${pageRun.rps} req/s, p50 ${pageRun.p50Ms} ms, p99 ${pageRun.p99Ms} ms`);
  printResult({
    bench: 'http',
    connections,
    bare_rps: bareRun.rps,
    page_rps: pageRun.rps,
    ratio: Math.round((pageRun.rps / bareRun.rps) * 100) / 100,
    p99_ms: pageRun.p99Ms,
  });
} finally {
  await nxforge.stop();
  await bare.stop();
  await data.remove();
}
