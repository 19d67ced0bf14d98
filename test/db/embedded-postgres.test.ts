import { expect } from 'chai';
import { readFileSync } from 'node:fs';
import { chmod, mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { Writable } from 'node:stream';
import pg from 'pg';
import { startEmbeddedPostgres } from '../../src/db/embedded-postgres.js';
import { parallelWorkersPerQuery, sharedBuffersMb } from '../../src/db/postgres-process.js';
import { createLogger } from '../../src/logger.js';

describe('embedded PostgreSQL', function () {
  this.timeout(60_000);
  let dataDir: string;
  before(async () => {
    dataDir = await mkdtemp(path.join(os.tmpdir(), 'nxf-embedded-'));
    await chmod(dataDir, 0o755);
  });
  after(() => rm(dataDir, { recursive: true, force: true }));

  it('sizes the buffer cache and parallel query by the machine: an eighth of its memory, workers above 2 cores', async () => {
    const gib = 2 ** 30;
    expect([0.5, 2, 4, 24].map((memory) => sharedBuffersMb(memory * gib))).to.deep.equal([128, 256, 512, 1024]);
    expect([1, 2, 4, 16].map((cores) => parallelWorkersPerQuery(cores))).to.deep.equal([0, 0, 2, 2]);
    const server = await startEmbeddedPostgres(path.join(dataDir, 'sized'), createLogger('silent'));
    const client = new pg.Client({ connectionString: server.url });
    await client.connect();
    try {
      const { rows } = await client.query<{ setting: string }>(
        "SELECT setting::int * 8 / 1024 AS setting FROM pg_settings WHERE name = 'shared_buffers'",
      );
      expect(Number(rows[0]?.setting)).to.equal(sharedBuffersMb());
      const parallel = await client.query<{ max_parallel_workers_per_gather: string }>(
        'SHOW max_parallel_workers_per_gather',
      );
      expect(Number(parallel.rows[0]?.max_parallel_workers_per_gather)).to.equal(parallelWorkersPerQuery());
    } finally {
      await client.end();
      await server.stop();
    }
  });

  it('reports a postmaster that died under NxForge, and still stops cleanly', async () => {
    const lines: Array<{ msg: string; signal?: string }> = [];
    const logger = createLogger(
      'info',
      new Writable({
        write(chunk: Buffer, _encoding, done) {
          lines.push(JSON.parse(chunk.toString()));
          done();
        },
      }),
    );
    const server = await startEmbeddedPostgres(path.join(dataDir, 'postgres'), logger);
    const client = new pg.Client({ connectionString: server.url });
    await client.connect();
    const { rows } = await client.query<{ pid: number }>(
      "SELECT pid FROM pg_stat_activity WHERE backend_type = 'checkpointer'",
    );
    await client.end();
    // The checkpointer's parent is the postmaster.
    const checkpointerStat = readFileSync(`/proc/${rows[0]?.pid}/stat`, 'utf8');
    process.kill(Number(checkpointerStat.split(') ')[1]?.split(' ')[1]), 'SIGKILL');

    const deadline = Date.now() + 10_000;
    while (!lines.some((line) => line.msg === 'embedded PostgreSQL stopped unexpectedly') && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    expect(lines.find((line) => line.msg === 'embedded PostgreSQL stopped unexpectedly')).to.include({
      signal: 'SIGKILL',
    });
    await server.stop(); // resolves instead of waiting for an exit that already happened
    expect(lines.map((line) => line.msg)).to.not.include('embedded PostgreSQL stopped');
  });
});
