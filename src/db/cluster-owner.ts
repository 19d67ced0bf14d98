import { readFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import pg from 'pg';
import { NxfError } from '../errors.js';
import type { Logger } from '../logger.js';

/**
 * The process that started the embedded cluster holds this advisory lock (in the `postgres` database) on a
 * connection of its own for as long as it runs it. PostgreSQL releases it when that process dies however it dies,
 * so a cluster whose lock is free was left behind by a crash.
 */
const ownerLock = "hashtext('nxforge:embedded-cluster-owner')";

/** A postmaster running on a cluster folder, from its `postmaster.pid`. */
export interface RunningPostmaster {
  pid: number;
  port: number;
}

/** The live postmaster of `clusterDir` (its postmaster.pid names the pid and, on line 4, the port), if any. */
export async function runningPostmaster(clusterDir: string): Promise<RunningPostmaster | undefined> {
  let lines: string[];
  try {
    lines = (await readFile(path.join(clusterDir, 'postmaster.pid'), 'utf8')).split('\n');
  } catch {
    return undefined;
  }
  const pid = Number(lines[0]);
  const port = Number(lines[3]);
  if (!Number.isInteger(pid) || !Number.isInteger(port) || pid <= 0) return undefined;
  return isAlive(pid) ? { pid, port } : undefined; // else a stale file from a crash: PostgreSQL clears it
}

/**
 * Whether a live NxForge process owns the cluster at `adminUrl`: true when its lock is held, false when it is
 * free (left by a crash), undefined when the cluster does not answer with our password (not ours to judge).
 */
export async function clusterHasOwner(adminUrl: string): Promise<boolean | undefined> {
  const client = new pg.Client({ connectionString: adminUrl });
  client.on('error', () => undefined);
  try {
    await client.connect();
  } catch {
    return undefined;
  }
  try {
    const { rows } = await client.query<{ free: boolean }>(`SELECT pg_try_advisory_lock(${ownerLock}) AS free`);
    return !rows[0]?.free;
  } finally {
    await client.end().catch(() => undefined);
  }
}

/** Takes the owner lock of the cluster at `adminUrl`; the returned function lets it go. */
export async function holdOwnership(adminUrl: string): Promise<() => Promise<void>> {
  const client = new pg.Client({ connectionString: adminUrl, application_name: 'nxforge cluster owner' });
  // Lost when the postmaster dies; the keeper takes it again once the cluster is back.
  client.on('error', () => undefined);
  await client.connect();
  await client.query(`SELECT pg_advisory_lock(${ownerLock})`);
  return () => client.end().catch(() => undefined);
}

/**
 * Shuts down a postmaster a crashed NxForge left running (fast shutdown: SIGINT), so this process can start the
 * cluster as its own and stop it when it stops. It is not this process's child, so its exit is polled for.
 */
export async function stopLeftPostmaster(postmaster: RunningPostmaster, logger: Logger, timeoutMs = 60_000) {
  logger.warn({ pid: postmaster.pid }, 'stopping the embedded PostgreSQL that a stopped NxForge left running');
  process.kill(postmaster.pid, 'SIGINT');
  for (const deadline = Date.now() + timeoutMs; isAlive(postmaster.pid);) {
    if (Date.now() > deadline) {
      throw new NxfError(
        'NXF_DATABASE_LOST',
        `The embedded PostgreSQL left running (pid ${postmaster.pid}) did not stop within ${timeoutMs / 1000} s.`,
      );
    }
    await delay(50);
  }
}

/** True while `pid` runs; an exited process that nobody has reaped yet (a zombie, on Linux) counts as gone. */
function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
  try {
    return readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]?.[0] !== 'Z';
  } catch {
    return true; // no /proc: the signal said it exists
  }
}
