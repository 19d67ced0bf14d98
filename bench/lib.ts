import autocannon from 'autocannon';
import { fork, spawn, type ChildProcess } from 'node:child_process';
import { chmod, mkdtemp, open, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/** Shared plumbing of the benchmarks: child servers, load runs, the one-line JSON result. */

export const repoRoot = fileURLToPath(new URL('../../', import.meta.url));

/** Results of one autocannon run. */
export interface LoadResult {
  rps: number;
  p99Ms: number;
  p50Ms: number;
  non2xx: number;
  errors: number;
  statusCodes: Record<string, number>;
}

/** Runs autocannon against `url` and summarises it. */
export async function runLoad(
  url: string,
  options: { connections: number; durationSeconds: number; headers?: Record<string, string> },
): Promise<LoadResult> {
  const result = await autocannon({
    url,
    connections: options.connections,
    duration: options.durationSeconds,
    headers: options.headers,
  });
  return {
    rps: Math.round(result.requests.average),
    p99Ms: result.latency.p99,
    p50Ms: result.latency.p50,
    non2xx: result.non2xx,
    errors: result.errors + result.timeouts,
    statusCodes: result.statusCodeStats as unknown as Record<string, number>,
  };
}

/** Starts the bare Koa baseline in a child process, busy for `busyMicroseconds` per request (default none). */
export async function startBareKoa(busyMicroseconds = 0): Promise<{ url: string; stop: () => Promise<void> }> {
  const child = fork(path.join(repoRoot, 'dist/bench/bare-koa.js'), ['0', String(busyMicroseconds)], {
    stdio: 'ignore',
  });

  const port = await new Promise<number>((resolve) => child.once('message', (m: { port: number }) => resolve(m.port)));
  return { url: `http://127.0.0.1:${port}`, stop: () => stopChild(child) };
}

/** A data folder the embedded PostgreSQL can use even when run as root. */
export async function temporaryDataDir(prefix: string): Promise<{ dir: string; remove: () => Promise<void> }> {
  const dir = await mkdtemp(path.join(os.tmpdir(), prefix));
  await chmod(dir, 0o755);
  return { dir, remove: () => rm(dir, { recursive: true, force: true }) };
}

/**
 * Starts `nxforge serve` as production runs it (embedded PostgreSQL, info logs) and waits until it listens. Its
 * log goes to `logFile`, as a service manager would send it to a journal: were the benchmark's own process to read
 * it, that reading would compete with the load generator, and only while NxForge is the target.
 */
export async function startNxforgeProcess(
  env: Record<string, string>,
  logFile: string,
): Promise<{ url: string; child: ChildProcess; stop: () => Promise<void> }> {
  const log = await open(logFile, 'a');
  const child = spawn(process.execPath, [path.join(repoRoot, 'bin/nxforge.js'), 'serve'], {
    env: { PATH: process.env.PATH, HOME: process.env.HOME, PORT: '0', NXFORGE_HOST: '127.0.0.1', ...env },
    stdio: ['ignore', log.fd, 'inherit'],
  });
  await log.close();
  let exited: number | null | undefined;
  child.once('exit', (code) => (exited = code));
  for (;;) {
    const match = /"url":"(http:[^"]+)"/.exec(await readFile(logFile, 'utf8'));
    if (match) return { url: match[1] as string, child, stop: () => stopChild(child) };
    if (exited !== undefined) throw new Error(`nxforge exited with ${exited}; its log is in ${logFile}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

async function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null) return;
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  child.kill('SIGTERM');
  await exited;
}

/** Signs in over HTTP and returns the Cookie header of the session. */
export async function signIn(baseUrl: string, username: string, password: string): Promise<string> {
  const loginPage = await fetch(new URL('/login', baseUrl));
  const anonymous = loginPage.headers
    .getSetCookie()
    .map((c) => c.split(';')[0])
    .join('; ');
  const csrf = /<meta name="csrf-token" content="([^"]+)"/.exec(await loginPage.text())?.[1] ?? '';
  const response = await fetch(new URL('/login', baseUrl), {
    method: 'POST',
    redirect: 'manual',
    headers: { 'content-type': 'application/x-www-form-urlencoded', cookie: anonymous },
    body: new URLSearchParams({ username, password, _csrf: csrf }).toString(),
  });
  const session = response.headers.getSetCookie().find((c) => c.startsWith('nxf_session='));
  if (response.status !== 303 || !session) throw new Error(`sign-in failed with ${response.status}`);
  return session.split(';')[0] as string;
}

/** Prints the figures last, as one line of JSON a script can read (bench/README.md). */
export function printResult(result: Record<string, unknown>): void {
  console.log(JSON.stringify(result));
}

/** Median of `values` (0 for none). */
export function median(values: number[]): number {
  if (values.length === 0) return 0;
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1
    ? (sorted[middle] as number)
    : ((sorted[middle - 1] as number) + (sorted[middle] as number)) / 2;
}

/**
 * Resident memory (MB, sum of VmRSS) of the processes rooted at `roots` and all their descendants, read from
 * /proc: one pass over /proc/<pid>/stat for the parent links, then the status of the tree's processes only.
 */
export async function processTreeRssMb(roots: number[]): Promise<number> {
  const { readdir, readFile } = await import('node:fs/promises');
  const read = (file: string) => readFile(file, 'utf8').catch(() => '');
  const children = new Map<number, number[]>();
  for (const entry of await readdir('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    // The parent pid is the 2nd field after the parenthesised command name (which may hold spaces).
    const ppid = Number((await read(`/proc/${entry}/stat`)).split(') ')[1]?.split(' ')[1]);
    if (ppid) children.set(ppid, [...(children.get(ppid) ?? []), Number(entry)]);
  }
  let totalKb = 0;
  const pending = [...roots];
  const seen = new Set<number>();
  while (pending.length > 0) {
    const pid = pending.pop() as number;
    if (seen.has(pid)) continue;
    seen.add(pid);
    totalKb += Number(/^VmRSS:\s+(\d+)/m.exec(await read(`/proc/${pid}/status`))?.[1] ?? 0);
    pending.push(...(children.get(pid) ?? []));
  }
  return Math.round((totalKb / 1024) * 10) / 10;
}

/** A load target: a URL and the headers to send (a session cookie). */
export interface LoadTarget {
  url: string;
  headers?: Record<string, string>;
}

/**
 * Runs the targets in turn, `rounds` times, `seconds` each, so that drift on a shared machine (another process
 * waking up) hits all of them alike; returns per target the median requests/s and the worst p99 of its rounds.
 * Any non-2xx answer or error fails the run.
 */
export async function alternateLoad(
  targets: Record<string, LoadTarget>,
  options: { connections: number; rounds: number; seconds: number },
): Promise<Record<string, { rps: number; p99Ms: number }>> {
  const runs: Record<string, LoadResult[]> = Object.fromEntries(Object.keys(targets).map((name) => [name, []]));
  for (let round = 0; round < options.rounds; round += 1) {
    for (const [name, target] of Object.entries(targets)) {
      const result = await runLoad(target.url, {
        connections: options.connections,
        durationSeconds: options.seconds,
        headers: target.headers,
      });
      if (result.non2xx > 0 || result.errors > 0) {
        throw new Error(
          `${name}: ${result.non2xx} non-2xx answers and ${result.errors} errors: ${JSON.stringify(result.statusCodes)}`,
        );
      }
      runs[name]?.push(result);
    }
  }
  return Object.fromEntries(
    Object.entries(runs).map(([name, results]) => [
      name,
      { rps: Math.round(median(results.map((r) => r.rps))), p99Ms: Math.max(...results.map((r) => r.p99Ms)) },
    ]),
  );
}

/**
 * CPU time (ms) the whole machine has spent busy since boot, summed over its cores, from /proc/stat: the
 * difference over a stretch of work, divided by the work's count and compared with its wall time, shows whether
 * that work is bound by the machine's cores (busy ≈ wall × cores) or waits for something else.
 */
export async function machineBusyMs(): Promise<number> {
  const { readFile } = await import('node:fs/promises');
  const [, user, nice, system, , , irq, softirq] = (await readFile('/proc/stat', 'utf8'))
    .split('\n', 1)[0]!
    .trim()
    .split(/\s+/)
    .map(Number);
  const ticksPerSecond = 100; // USER_HZ on Linux
  return (((user ?? 0) + (nice ?? 0) + (system ?? 0) + (irq ?? 0) + (softirq ?? 0)) * 1000) / ticksPerSecond;
}
