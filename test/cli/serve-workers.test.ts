import { expect } from 'chai';
import { existsSync, readFileSync } from 'node:fs';
import { chmod, mkdtemp, rm } from 'node:fs/promises';
import { once } from 'node:events';
import http from 'node:http';
import net, { type AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { runCli, startServeProcess } from '../helpers/cli.js';
import { WebClient } from '../helpers/web-client.js';

/** GET on a connection of its own: the supervisor hands each new connection to the next worker. */
function getOnNewConnection(url: string, cookie: string): Promise<number> {
  return new Promise((resolve, reject) => {
    http
      .get(url, { agent: false, headers: { cookie } }, (response) => {
        response.resume();
        resolve(response.statusCode ?? 0);
      })
      .on('error', reject);
  });
}

/** Resolves once `output()` matches `pattern` `times` times. */
async function waitForOutput(output: () => string, pattern: RegExp, times = 1): Promise<void> {
  const deadline = Date.now() + 30_000;
  while ((output().match(new RegExp(pattern, 'g')) ?? []).length < times) {
    if (Date.now() > deadline) throw new Error(`no ${pattern} ×${times} in:\n${output()}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/** The NxForge worker processes under `supervisor` (its other child is the embedded PostgreSQL). */
function workerPids(supervisor: number): number[] {
  return readFileSync(`/proc/${supervisor}/task/${supervisor}/children`, 'utf8')
    .trim()
    .split(/\s+/)
    .map(Number)
    .filter((pid) => readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes('nxforge.js'));
}

/** Workers (by id) whose request lines show a 200 for `path`. */
function workersThatServed(output: string, path: string): Set<number> {
  const served = output
    .split('\n')
    .filter((line) => line.includes('"msg":"request"'))
    .map((line) => JSON.parse(line) as { worker?: number; path: string; status: number })
    .filter((line) => line.path === path && line.status === 200);
  return new Set(served.map((line) => line.worker as number));
}

describe('nxforge serve with NXFORGE_WORKERS', function () {
  this.timeout(90_000);
  let dataDir: string;
  before(async () => {
    dataDir = await mkdtemp(path.join(os.tmpdir(), 'nxf-workers-'));
    await chmod(dataDir, 0o755);
  });
  after(() => rm(dataDir, { recursive: true, force: true }));

  it('prepares once, serves from every worker, replaces a killed one, and stops them all with SIGTERM', async () => {
    const server = await startServeProcess({
      NXFORGE_DATA_DIR: dataDir,
      NXFORGE_WORKERS: '2',
      NXFORGE_ADMIN_PASSWORD: 'workers-admin-password',
      PORT: '0',
      NXFORGE_HOST: '127.0.0.1',
    });
    try {
      await waitForOutput(server.output, /with 2 worker processes/);
      expect(server.output().match(/created the first administrator/g)).to.have.length(1);
      expect(server.output().match(/applied core migrations/g)).to.have.length(1);

      const client = new WebClient(server.url);
      expect((await client.login('admin', 'workers-admin-password')).status).to.equal(303);
      const cookie = [...client.cookies].map(([name, value]) => `${name}=${value}`).join('; ');
      for (let i = 0; i < 6; i += 1) expect(await getOnNewConnection(`${server.url}/`, cookie)).to.equal(200);
      await waitForOutput(server.output, /"path":"\/","status":200/, 6);
      expect([...workersThatServed(server.output(), '/')].sort()).to.deep.equal([1, 2]);

      const [victim] = workerPids(server.child.pid as number);
      process.kill(victim as number, 'SIGKILL');
      await waitForOutput(server.output, /a worker exited; starting another/);
      await waitForOutput(server.output, /with 2 worker processes/, 2);
      expect(workerPids(server.child.pid as number))
        .to.have.length(2)
        .and.not.include(victim);
      // The session lives in the database: every worker, the new one too, knows it.
      for (let i = 0; i < 6; i += 1) expect(await getOnNewConnection(`${server.url}/`, cookie)).to.equal(200);
      await waitForOutput(server.output, /"path":"\/","status":200/, 12);
      expect(workersThatServed(server.output(), '/')).to.include(3);
    } finally {
      server.child.kill('SIGTERM');
    }
    expect(await server.exited).to.equal(0);
    expect(server.output().match(/"msg":"stopped"/g)).to.have.length(3); // two workers and the supervisor
    expect(server.output()).to.contain('embedded PostgreSQL stopped');
    expect(existsSync(path.join(dataDir, 'postgres', 'postmaster.pid'))).to.equal(false);
  });

  it('gives up with exit code 1 when the workers cannot start (the port is taken)', async () => {
    const squatter = net.createServer().listen(0, '127.0.0.1');
    await once(squatter, 'listening');
    try {
      const result = await runCli(['serve'], {
        NXFORGE_DATA_DIR: dataDir,
        NXFORGE_WORKERS: '2',
        PORT: String((squatter.address() as AddressInfo).port),
        NXFORGE_HOST: '127.0.0.1',
      });
      expect(result.code).to.equal(1);
      expect(result.stderr).to.contain('EADDRINUSE');
      expect(result.stdout).to.contain('workers keep exiting; stopping NxForge');
      expect(result.stdout).to.contain('embedded PostgreSQL stopped');
    } finally {
      squatter.close();
    }
  });
});
