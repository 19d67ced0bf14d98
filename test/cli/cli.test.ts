import { expect } from 'chai';
import { existsSync } from 'node:fs';
import { chmod, mkdtemp, rm, stat } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { runCli, startServeProcess } from '../helpers/cli.js';
import { createTestDatabase, type TestDatabase } from '../helpers/postgres.js';
import { WebClient } from '../helpers/web-client.js';

describe('nxforge command', () => {
  let database: TestDatabase;
  before(async () => {
    database = await createTestDatabase({ migrated: false });
  });
  after(() => database.drop());

  it('migrate applies the core migrations, then reports the database up to date', async () => {
    const first = await runCli(['migrate'], { DATABASE_URL: database.url });
    expect(first.code, first.stderr).to.equal(0);
    expect(first.stdout).to.contain('Applied: 001_users_and_sessions.sql');
    const second = await runCli(['migrate'], { DATABASE_URL: database.url });
    expect(second.stdout.trim()).to.equal('The database is up to date.');
  });

  it('user create makes an account, generating a password when none is given', async () => {
    const given = await runCli(
      ['user', 'create', '--username', 'ops', '--role', 'operator', '--password', 'ops-password-12'],
      {
        DATABASE_URL: database.url,
      },
    );
    expect(given.code, given.stderr).to.equal(0);
    expect(given.stdout).to.contain('Created operator "ops".');
    expect(given.stdout).to.not.contain('Password:');
    const generated = await runCli(['user', 'create', '--username', 'kiosk', '--role', 'viewer'], {
      DATABASE_URL: database.url,
    });
    expect(generated.stdout).to.match(/Password: \S{20}/);
  });

  it('user create explains what is wrong', async () => {
    const badRole = await runCli(
      ['user', 'create', '--username', 'x', '--role', 'root', '--password', 'long-enough-pw'],
      {
        DATABASE_URL: database.url,
      },
    );
    expect(badRole.code).to.equal(1);
    expect(badRole.stderr).to.contain('NXF_VALIDATION').and.to.contain('--role: Choose admin, operator or viewer.');
    const taken = await runCli(['user', 'create', '--username', 'OPS', '--role', 'viewer'], {
      DATABASE_URL: database.url,
    });
    expect(taken.code).to.equal(1);
    expect(taken.stderr).to.contain('NXF_USER_EXISTS');
    const missing = await runCli(['user', 'create', '--username', 'x'], { DATABASE_URL: database.url });
    expect(missing.code).to.equal(1);
    expect(missing.stderr).to.contain('needs --username and --role');
  });

  it('refuses to start with bad configuration, saying what to fix', async () => {
    const result = await runCli(['serve'], { PORT: 'eighty', NXFORGE_SECRET: 'short', DATABASE_URL: database.url });
    expect(result.code).to.equal(1);
    expect(result.stderr).to.contain('NXF_CONFIG_INVALID');
    expect(result.stderr).to.contain('PORT must be an integer');
    expect(result.stderr).to.contain('NXFORGE_SECRET must be at least 32 characters');
  });

  it('prints usage for an unknown command', async () => {
    const result = await runCli(['frobnicate'], {});
    expect(result.code).to.equal(1);
    expect(result.stderr).to.contain('Unknown command: frobnicate').and.to.contain('Usage: nxforge');
  });
});

describe('nxforge serve with the embedded PostgreSQL', function () {
  this.timeout(90_000);
  let dataDir: string;
  before(async () => {
    dataDir = await mkdtemp(path.join(os.tmpdir(), 'nxf-serve-'));
    await chmod(dataDir, 0o755);
  });
  after(() => rm(dataDir, { recursive: true, force: true }));

  it('first boot: starts PostgreSQL under the data dir, prints a generated admin password once; SIGTERM exits 0', async () => {
    const env = { NXFORGE_DATA_DIR: dataDir, PORT: '0', NXFORGE_HOST: '127.0.0.1' };
    const first = await startServeProcess(env);
    const client = new WebClient(first.url);
    try {
      const password = /generated password (\S+) —/.exec(first.output())?.[1];
      expect(password, first.output()).to.have.length(20);
      expect((await fetch(new URL('/healthz', first.url))).status).to.equal(200);
      expect((await client.login('admin', password as string)).status).to.equal(303);
      expect(existsSync(path.join(dataDir, 'postgres', 'postmaster.pid'))).to.equal(true);

      first.child.kill('SIGTERM');
      expect(await first.exited).to.equal(0);
      expect(existsSync(path.join(dataDir, 'postgres', 'postmaster.pid'))).to.equal(false);
      expect(first.output()).to.contain('embedded PostgreSQL stopped');
      // The generated secret and the superuser password are readable by their owner only.
      for (const file of ['secret', 'postgres.password']) {
        expect(((await stat(path.join(dataDir, file))).mode & 0o777).toString(8), file).to.equal('600');
      }
    } finally {
      // A failed assertion must not leave the server (and its PostgreSQL) running.
      if (first.child.exitCode === null && first.child.signalCode === null) {
        first.child.kill('SIGTERM');
        await first.exited;
      }
    }

    // Second boot on the same data: same database, same secret, the browser's session still valid, no new password.
    const second = await startServeProcess(env);
    try {
      expect(second.output()).to.not.contain('generated password');
      const restarted = new WebClient(second.url);
      for (const [name, value] of client.cookies) restarted.cookies.set(name, value);
      expect((await restarted.get('/')).status).to.equal(200);
    } finally {
      second.child.kill('SIGINT');
      expect(await second.exited).to.equal(0);
    }
  });
});
