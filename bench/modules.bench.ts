import { fork } from 'node:child_process';
import path from 'node:path';
import { alternateLoad, median, printResult, repoRoot, runLoad, signIn, temporaryDataDir } from './lib.js';
import autocannon from 'autocannon';

/**
 * bench:modules — what the module system costs:
 * 1. median time to load + enable and to disable the bench module (20 cycles, no load);
 * 2. 20 disable/enable cycles while autocannon (50 connections) hammers the module's page: every answer must be
 *    200 (enabled) or 403 (disabled) — anything else, and any 5xx, is counted;
 * 3. requests/s of the module page vs the same view served by a core route in the same server (goal ≥ 0.9).
 */
const connections = 50;
const seconds = Number(process.env.BENCH_SECONDS ?? 8);
const password = 'bench-admin-password';

const data = await temporaryDataDir('nxf-bench-modules-');
const child = fork(path.join(repoRoot, 'dist/bench/modules-server.js'), [], {
  env: {
    PATH: process.env.PATH,
    HOME: process.env.HOME,
    PORT: '0',
    NXFORGE_HOST: '127.0.0.1',
    NXFORGE_DATA_DIR: data.dir,
    NXFORGE_ADMIN_PASSWORD: password,
    NXFORGE_LOG_LEVEL: 'warn',
  },
  stdio: ['ignore', 'ignore', 'inherit', 'ipc'],
});
const nextMessage = <T>() => new Promise<T>((resolve) => child.once('message', (message) => resolve(message as T)));
const cycles = async (count: number) =>
  (await (child.send({ cycles: count }), nextMessage<{ result: { enableMs: number[]; disableMs: number[] } }>()))
    .result;

try {
  const { url } = await nextMessage<{ url: string }>();
  const cookie = await signIn(url, 'admin', password);
  const headers = { cookie };

  const quiet = await cycles(20);
  const enableMs = Math.round(median(quiet.enableMs) * 10) / 10;
  const disableMs = Math.round(median(quiet.disableMs) * 10) / 10;
  console.log(`enable (load + mount): median ${enableMs} ms; disable: median ${disableMs} ms (20 cycles)`);

  const statuses: Record<string, number> = {};
  // Without a callback autocannon returns its running instance, which is also a promise of the result.
  const load = autocannon({
    url: `${url}/bench/page`,
    connections,
    duration: 60,
    headers,
  }) as unknown as autocannon.Instance & PromiseLike<autocannon.Result>;
  load.on('response', (_client: unknown, status: number) => {
    statuses[status] = (statuses[status] ?? 0) + 1;
  });
  await new Promise((resolve) => setTimeout(resolve, 1000));
  const underLoad = await cycles(20);
  load.stop();
  await load;
  const unexpected = Object.entries(statuses)
    .filter(([status]) => status !== '200' && status !== '403')
    .reduce((sum, [, n]) => sum + n, 0);
  const serverErrors = Object.entries(statuses)
    .filter(([status]) => Number(status) >= 500)
    .reduce((sum, [, n]) => sum + n, 0);
  console.log(
    `under load, 20 cycles (median enable ${Math.round(median(underLoad.enableMs))} ms): answers ${JSON.stringify(statuses)}`,
  );

  await runLoad(`${url}/bench/page`, { connections, durationSeconds: 2, headers });
  await runLoad(`${url}/bench-core/page`, { connections, durationSeconds: 2, headers });
  const pages = await alternateLoad(
    { module: { url: `${url}/bench/page`, headers }, core: { url: `${url}/bench-core/page`, headers } },
    { connections, rounds: 2, seconds: seconds / 2 },
  );
  const { module: modulePage, core: corePage } = pages as Record<'module' | 'core', { rps: number; p99Ms: number }>;
  console.log(
    `module page ${modulePage.rps} req/s (p99 ${modulePage.p99Ms} ms), core page ${corePage.rps} req/s (p99 ${corePage.p99Ms} ms)`,
  );

  printResult({
    bench: 'modules',
    enable_ms: enableMs,
    disable_ms: disableMs,
    unexpected_responses: unexpected,
    server_errors: serverErrors,
    module_rps: modulePage.rps,
    core_rps: corePage.rps,
    ratio: Math.round((modulePage.rps / corePage.rps) * 100) / 100,
  });
} finally {
  const exited = new Promise((resolve) => child.once('exit', resolve));
  child.kill('SIGTERM');
  await exited;
  await data.remove();
}
