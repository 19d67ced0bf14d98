import { expect } from 'chai';
import pg from 'pg';
import { runJob } from '../helpers/jobs.js';
import { copyModuleFixture, installAndEnable, testActor } from '../helpers/modules.js';
import { startTestServer, type TestServer } from '../helpers/server.js';
import type { TestDatabase } from '../helpers/postgres.js';
import { apiRequest } from '../helpers/web-client.js';

/** What the dummy module's `/tables/:table` route and the lab module's `reads` job answer. */
interface Probe {
  ok: boolean;
  count?: number;
  code?: string;
  message?: string;
}

const adminUrl = () => process.env.NXF_TEST_PG_ADMIN_URL as string;

/** Runs SQL as the test cluster's superuser, in the maintenance database or in `database`. */
async function asSuperuser<T>(work: (client: pg.Client) => Promise<T>, database?: string): Promise<T> {
  const url = new URL(adminUrl());
  if (database) url.pathname = `/${database}`;
  const client = new pg.Client({ connectionString: url.toString() });
  await client.connect();
  try {
    return await work(client);
  } finally {
    await client.end();
  }
}

/** A database owned by a login role of its own (`attributes` e.g. CREATEROLE), empty: NxForge migrates it. */
async function databaseOwnedBy(user: string, attributes: string): Promise<TestDatabase> {
  const password = `pw-${user}`;
  await asSuperuser(async (client) => {
    await client.query(`CREATE ROLE ${user} LOGIN PASSWORD '${password}' ${attributes}`);
    await client.query(`CREATE DATABASE ${user} OWNER ${user} TEMPLATE template0`);
  });
  const url = new URL(adminUrl());
  url.username = user;
  url.password = password;
  url.pathname = `/${user}`;
  return {
    name: user,
    url: url.toString(),
    drop: () =>
      asSuperuser(async (client) => {
        await client.query(`DROP DATABASE IF EXISTS ${user} WITH (FORCE)`);
        // Roles left by modules that were not purged belong to this database alone (their names carry its OID).
        const { rows } = await client.query<{ rolname: string }>(
          `SELECT rolname FROM pg_roles WHERE rolname LIKE 'nxfm\\_%' AND pg_has_role($1, oid, 'MEMBER')`,
          [user],
        );
        for (const { rolname } of rows) await client.query(`DROP ROLE IF EXISTS ${rolname}`);
        await client.query(`DROP ROLE IF EXISTS ${user}`);
      }),
  };
}

describe('module database isolation: a PostgreSQL role per module', function () {
  this.timeout(90_000);

  describe('NxForge as the cluster superuser (the embedded PostgreSQL)', () => {
    let server: TestServer;
    let token: string;
    let lab: Awaited<ReturnType<typeof copyModuleFixture>>;
    const dummy = (path: string) =>
      apiRequest(server.url, token, 'GET', `/api/v1/m/dummy${path}`) as Promise<{ status: number; body: Probe }>;
    const labReads = async (table: string) =>
      ((await runJob(server, 'lab', 'reads', { table })).result as { data: Probe }).data;
    const ownerOf = async (table: string) =>
      (
        await server.services.db.one<{ owner: string }>(
          'SELECT pg_get_userbyid(relowner) AS owner FROM pg_class WHERE relname = $1',
          [table],
        )
      )?.owner;

    before(async () => {
      server = await startTestServer();
      await installAndEnable(server, (await copyModuleFixture()).dir);
      lab = await copyModuleFixture({ fixture: 'lab-module' });
      await installAndEnable(server, lab.dir);
      const admin = await server.services.users.findForLogin('admin');
      token = (await server.services.apiTokens.create(admin!.user.id, 'isolation')).token;
    });
    after(async () => {
      await server?.close();
      await lab?.remove();
    });

    it("runs each module's migrations under its role, which owns what they made", async () => {
      expect(server.services.moduleRoles.isolated).to.equal(true);
      const role = server.services.moduleRoles.roleOf('dm_');
      expect(role).to.match(/^nxfm_\d+_dm$/);
      expect(await ownerOf('dm_item')).to.equal(role);
      expect(await ownerOf('lab_runs')).to.equal(server.services.moduleRoles.roleOf('lab_'));
      const columns = await server.services.db.select<{ column_name: string }>(
        `SELECT column_name FROM information_schema.columns WHERE table_name = 'dm_item' ORDER BY ordinal_position`,
      );
      expect(columns.map((c) => c.column_name)).to.include('notes'); // 002_add_notes.js ran too
    });

    it("a module's pages and API reach its own tables, and get PostgreSQL's permission error for the core's and another module's", async () => {
      expect((await dummy('/tables/dm_item')).body).to.deep.equal({ ok: true, count: 0 });
      for (const table of ['users', 'sessions', 'module_migrations', 'lab_runs']) {
        const { body } = await dummy(`/tables/${table}`);
        expect(body, table).to.include({ ok: false, code: '42501' });
        expect(body.message).to.equal(`permission denied for table ${table}`);
      }
    });

    it("a module's jobs do too, from their worker threads", async () => {
      expect(await labReads('lab_runs')).to.deep.equal({ ok: true, count: 0 });
      expect(await labReads('users')).to.include({ ok: false, code: '42501' });
      expect(await labReads('dm_item')).to.include({
        ok: false,
        code: '42501',
        message: 'permission denied for table dm_item',
      });
    });

    it('a migration reaching for a core table through dynamic SQL, which no reading of the text catches, is refused by PostgreSQL', async () => {
      const sneaky = await copyModuleFixture({
        fixture: 'minimal-module',
        manifest: (m) => {
          m.name = 'sneaky';
          m.tablePrefix = 'sn_';
          m.ui.routes = [{ path: '/sneaky/*' }];
          m.ui.sidebar.children = [{ label: 'Home', path: '/sneaky' }];
        },
        files: {
          'migrations/001_grab.sql': `-- Up migration\nDO $$ BEGIN EXECUTE 'UPDATE us' || 'ers SET role = ''admin'''; END $$;\n-- Down migration\n`,
        },
      });
      await server.services.modules.installFromDirectory(sneaky.dir, 'installed', testActor);
      let failure: Error | undefined;
      await server.services.modules.enable('sneaky', testActor).catch((error: Error) => (failure = error));
      expect(failure?.message).to.contain('permission denied for table users');
      const roles = await server.services.db.select<{ role: string }>(`SELECT DISTINCT role FROM users`);
      expect(roles.map((r) => r.role)).to.deep.equal(['admin']); // nothing changed: only the admin exists
      await server.services.modules.uninstall('sneaky', testActor, { purge: true });
      await sneaky.remove();
    });

    it('takes over tables a module made before isolation, when it is loaded again', async () => {
      await server.services.db.execute('ALTER TABLE dm_item OWNER TO CURRENT_USER');
      expect(await ownerOf('dm_item')).to.equal('postgres');
      await server.services.modules.disable('dummy', testActor);
      await server.services.modules.enable('dummy', testActor);
      expect(await ownerOf('dm_item')).to.equal(server.services.moduleRoles.roleOf('dm_'));
      expect((await dummy('/tables/dm_item')).body).to.include({ ok: true });
    });

    it('keeps the role when uninstalling keeps the data, and drops it with a purge', async () => {
      const role = server.services.moduleRoles.roleOf('dm_');
      const exists = async () =>
        (await server.services.db.select('SELECT 1 FROM pg_roles WHERE rolname = $1', [role])).length === 1;
      await server.services.modules.disable('dummy', testActor);
      await server.services.modules.uninstall('dummy', testActor);
      expect(await exists()).to.equal(true);
      const reinstalled = await copyModuleFixture();
      await server.services.modules.installFromDirectory(reinstalled.dir, 'installed', testActor);
      await server.services.modules.uninstall('dummy', testActor, { purge: true });
      expect(await exists()).to.equal(false);
      expect(await ownerOf('dm_item')).to.equal(undefined);
      await reinstalled.remove();
    });
  });

  describe('several NxForge processes on one database', () => {
    let first: TestServer;
    let second: TestServer;
    before(async () => {
      first = await startTestServer();
      second = await startTestServer({ database: first.database });
    });
    after(async () => {
      await second?.close();
      await first?.close();
    });

    it('prepare the same module role at the same moment without tripping over each other', async () => {
      const roles = await Promise.all([
        first.services.moduleRoles.prepare('tw_'),
        second.services.moduleRoles.prepare('tw_'),
        first.services.moduleRoles.prepare('tw_'),
      ]);
      expect(new Set(roles).size).to.equal(1);
      const found = await first.services.db.select('SELECT 1 FROM pg_roles WHERE rolname = $1', [roles[0]]);
      expect(found).to.have.length(1);
      await first.services.moduleRoles.drop('tw_');
    });
  });

  describe('NxForge as a user with CREATEROLE owning its database (a managed PostgreSQL)', () => {
    let server: TestServer;
    let database: TestDatabase;
    before(async () => {
      database = await databaseOwnedBy(`nxf_creator_${process.pid}`, 'CREATEROLE');
      server = await startTestServer({ database });
      await installAndEnable(server, (await copyModuleFixture()).dir);
    });
    after(async () => {
      await server?.close();
      await database?.drop();
    });

    it('gives modules their roles all the same, and drops them at purge', async () => {
      expect(server.services.moduleRoles.isolated).to.equal(true);
      const admin = await server.services.users.findForLogin('admin');
      const { token } = await server.services.apiTokens.create(admin!.user.id, 't');
      const users = await apiRequest(server.url, token, 'GET', '/api/v1/m/dummy/tables/users');
      expect(users.body).to.include({ ok: false, code: '42501' });
      await server.services.modules.disable('dummy', testActor);
      await server.services.modules.uninstall('dummy', testActor, { purge: true });
      const left = await server.services.db.select('SELECT 1 FROM pg_roles WHERE rolname = $1', [
        server.services.moduleRoles.roleOf('dm_'),
      ]);
      expect(left).to.deep.equal([]);
    });
  });

  describe('NxForge as a user without CREATEROLE', () => {
    let server: TestServer;
    let database: TestDatabase;
    before(async () => {
      database = await databaseOwnedBy(`nxf_plain_${process.pid}`, 'NOCREATEROLE');
      server = await startTestServer({ database });
      await installAndEnable(server, (await copyModuleFixture()).dir);
    });
    after(async () => {
      await server?.close();
      await database?.drop();
    });

    it('runs with isolation off (a warning at start, see docs/modules.md): modules work, sharing its privileges', async () => {
      expect(server.services.moduleRoles.isolated).to.equal(false);
      expect(server.services.moduleRoles.roleOf('dm_')).to.equal(undefined);
      const admin = await server.services.users.findForLogin('admin');
      const { token } = await server.services.apiTokens.create(admin!.user.id, 't');
      const own = await apiRequest(server.url, token, 'GET', '/api/v1/m/dummy/tables/dm_item');
      expect(own.body).to.deep.equal({ ok: true, count: 0 });
      const owner = await server.services.db.one<{ owner: string }>(
        `SELECT pg_get_userbyid(relowner) AS owner FROM pg_class WHERE relname = 'dm_item'`,
      );
      expect(owner?.owner).to.equal(`nxf_plain_${process.pid}`);
    });
  });
});
