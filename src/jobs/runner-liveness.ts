import { randomUUID } from 'node:crypto';
import os from 'node:os';
import pg from 'pg';
import { Reconnector } from '../db/reconnector.js';
import type { Logger } from '../logger.js';
import type { Execution, ExecutionStore } from './execution-store.js';

/** A name for this NxForge process in the `runner` column: readable, and unique across restarts. */
export function newRunnerId(): string {
  return `${os.hostname()}:${process.pid}:${randomUUID().slice(0, 8)}`;
}

const lockKey = (runner: string) => `nxforge:runner:${runner}`;

/**
 * Tells live NxForge processes from dead ones, so executions a dead process left queued or running are ended
 * instead of staying "running" forever. Each process holds a PostgreSQL advisory lock named after its runner id
 * on a connection of its own for as long as it lives; PostgreSQL releases it when the process dies, however it
 * dies. A runner whose lock can be taken is gone.
 */
export class RunnerLiveness {
  #client?: pg.Client;
  readonly #reconnector: Reconnector;

  constructor(
    private readonly url: string,
    readonly runner: string,
    private readonly store: ExecutionStore,
    private readonly logger: Logger,
  ) {
    this.#reconnector = new Reconnector(logger, 'runner lock connection', () => this.start());
  }

  /** Takes this process's lock (held until `stop`). */
  async start(): Promise<void> {
    const client = new pg.Client({ connectionString: this.url });
    client.on('error', (error) => {
      if (this.#client === client) this.#client = undefined;
      client.end().catch(() => undefined);
      this.#reconnector.lost(error);
    });
    try {
      await client.connect();
      await client.query('SELECT pg_advisory_lock(hashtext($1))', [lockKey(this.runner)]);
    } catch (error) {
      await client.end().catch(() => undefined);
      throw error;
    }
    if (this.#reconnector.stopped) return void (await client.end());
    this.#client = client;
  }

  /** Ends the unfinished executions of every runner that is gone; returns them. */
  async sweep(): Promise<Execution[]> {
    const client = this.#client;
    if (!client) return [];
    const ended: Execution[] = [];
    for (const runner of await this.store.runnersWithUnfinished(this.runner)) {
      const { rows } = await client.query<{ free: boolean }>('SELECT pg_try_advisory_lock(hashtext($1)) AS free', [
        lockKey(runner),
      ]);
      if (!rows[0]?.free) continue;
      try {
        ended.push(...(await this.store.interruptRunner(runner)));
      } finally {
        await client.query('SELECT pg_advisory_unlock(hashtext($1))', [lockKey(runner)]);
      }
    }
    if (ended.length > 0) this.logger.warn({ executions: ended.length }, 'ended executions left by a stopped process');
    return ended;
  }

  async stop(): Promise<void> {
    this.#reconnector.stop();
    await this.#client?.end().catch(() => undefined);
    this.#client = undefined;
  }
}
