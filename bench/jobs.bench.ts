import path from 'node:path';
import { Worker } from 'node:worker_threads';
import { loadConfig } from '../src/config.js';
import type { NxfEvent } from '../src/events/event-bus.js';
import { startNxforge } from '../src/nxforge.js';
import { median, printResult, repoRoot, temporaryDataDir } from './lib.js';

/**
 * bench:jobs — 200 manual runs of a no-op job, one after the other, each triggered through the JSON API
 * (`POST /api/v1/jobs/jobs-bench/noop/run`) of an NxForge running as production does (embedded PostgreSQL):
 * - trigger → handler start: from just before the API call to the handler's first statement (its worker's clock);
 * - handler end → execution final: from the handler's return to the `job.completed` event, which follows the
 *   execution row's final update;
 * - executions recorded vs triggered.
 * Baseline in the same process: a bare worker thread's start (new Worker → its first line). Also shown: the same
 * job in a module declaring `network:outbound` (20 runs), and a burst of 50 runs asked for at once. Goal: median
 * trigger → start < 100 ms.
 */
const runs = Number(process.env.BENCH_RUNS ?? 200);
const warmUp = 10;
const password = 'bench-admin-password';
const now = () => performance.timeOrigin + performance.now();
const round = (value: number) => Math.round(value * 10) / 10;
const percentile = (values: number[], p: number) =>
  [...values].sort((a, b) => a - b)[Math.min(values.length - 1, Math.ceil((p / 100) * values.length) - 1)] as number;

async function bareWorkerStarts(count: number): Promise<number[]> {
  const starts: number[] = [];
  for (let i = 0; i < count; i += 1) {
    const created = now();
    const worker = new Worker(path.join(repoRoot, 'dist', 'bench', 'bare-worker.js'));
    const started = await new Promise<number>((resolve) => worker.once('message', resolve));
    starts.push(started - created);
    await worker.terminate();
  }
  return starts;
}

const data = await temporaryDataDir('nxf-bench-jobs-');
const running = await startNxforge(
  loadConfig({
    PORT: '0',
    NXFORGE_HOST: '127.0.0.1',
    NXFORGE_DATA_DIR: data.dir,
    NXFORGE_ADMIN_PASSWORD: password,
    NXFORGE_LOG_LEVEL: 'warn',
  }),
  { bundledModulesDir: path.join(repoRoot, 'bench', 'fixtures', 'no-bundled-modules') },
);
try {
  const { modules, users, apiTokens, events, executions } = running.services;
  const actor = { name: 'bench' };
  await modules.installFromDirectory(path.join(repoRoot, 'bench', 'fixtures', 'jobs-bench-module'), 'installed', actor);
  await modules.enable('jobs-bench', actor);
  await modules.installFromDirectory(
    path.join(repoRoot, 'bench', 'fixtures', 'jobs-bench-net-module'),
    'installed',
    actor,
  );
  await modules.enable('jobs-bench-net', actor);
  const admin = await users.findForLogin('admin');
  const { token } = await apiTokens.create(admin!.user.id, 'bench');

  // When each execution's end was announced (job.completed follows the row's final update).
  const ended = new Map<string, number>();
  const waiting = new Map<string, () => void>();
  const onEnd = (event: NxfEvent) => {
    const id = (event.payload as { executionId: string }).executionId;
    ended.set(id, now());
    waiting.get(id)?.();
  };
  events.subscribe('job.completed', onEnd);
  events.subscribe('job.failed', onEnd);
  const endOf = (id: string) =>
    ended.has(id) ? Promise.resolve() : new Promise<void>((resolve) => waiting.set(id, resolve));

  /** Runs a module's no-op job `count` times one after the other (after `warm` unmeasured runs). */
  const measure = async (module: string, count: number, warm: number) => {
    const measured = { startMs: [] as number[], finishMs: [] as number[], ids: [] as string[] };
    for (let i = 0; i < warm + count; i += 1) {
      const triggered = now();
      const response = await fetch(`${running.url}/api/v1/jobs/${module}/noop/run`, {
        method: 'POST',
        headers: { authorization: `Bearer ${token}` },
      });
      const { executionId } = (await response.json()) as { executionId: string };
      await endOf(executionId);
      if (i < warm) continue;
      measured.ids.push(executionId);
      const execution = await executions.getExecution(executionId);
      const result = execution?.result as { data?: { startedAt: number; endedAt: number } } | undefined;
      if (execution?.status !== 'succeeded' || !result?.data) continue;
      measured.startMs.push(result.data.startedAt - triggered);
      measured.finishMs.push((ended.get(executionId) as number) - result.data.endedAt);
    }
    return measured;
  };
  const { startMs, finishMs, ids } = await measure('jobs-bench', runs, warmUp);
  const withServices = await measure('jobs-bench-net', 20, 2);
  const succeeded = (list: string[]) =>
    running.services.db.one<{ count: number }>(
      `SELECT count(*)::int AS count FROM executions WHERE id = ANY($1::uuid[]) AND status = 'succeeded'`,
      [list],
    );
  const recorded = await succeeded(ids);

  // A burst: 50 runs asked for at once queue behind each other (one worker per job at a time); none is lost.
  const burstStarted = now();
  const burst = await Promise.all(
    Array.from({ length: 50 }, async () => {
      const response = await fetch(`${running.url}/api/v1/jobs/jobs-bench/noop/run`, {
        method: 'POST',
        headers: { authorization: `Bearer ${token}` },
      });
      const { executionId } = (await response.json()) as { executionId: string };
      await endOf(executionId);
      return executionId;
    }),
  );
  const burstMs = now() - burstStarted;
  const burstRecorded = await succeeded(burst);
  const bare = await bareWorkerStarts(50);

  const startP50 = round(median(startMs));
  const startP95 = round(percentile(startMs, 95));
  const finishP50 = round(median(finishMs));
  const bareP50 = round(median(bare));
  console.log(
    `trigger → handler start: median ${startP50} ms, p95 ${startP95} ms over ${startMs.length} runs (goal: median < 100 ms)`,
  );
  console.log(`handler end → execution final: median ${finishP50} ms, p95 ${round(percentile(finishMs, 95))} ms`);
  console.log(`executions recorded: ${recorded?.count} of ${ids.length} triggered`);
  console.log(
    `a module declaring network:outbound (its workers load the HTTP and browser clients): trigger → handler start median ${round(median(withServices.startMs))} ms over 20 runs`,
  );
  console.log(
    `burst: 50 runs triggered at once, ${burstRecorded?.count} recorded as succeeded, all done after ${Math.round(burstMs)} ms`,
  );
  console.log(
    `baseline: a bare worker thread starts in median ${bareP50} ms (50 starts); ratio ${round(startP50 / bareP50)}`,
  );
  printResult({
    bench: 'jobs',
    start_p50_ms: startP50,
    start_p95_ms: startP95,
    finish_p50_ms: finishP50,
    triggered: ids.length,
    recorded: recorded?.count ?? 0,
    bare_worker_p50_ms: bareP50,
    ratio: round(startP50 / bareP50),
  });
} finally {
  await running.stop();
  await data.remove();
}
