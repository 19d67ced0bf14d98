import { expect } from 'chai';
import { rm } from 'node:fs/promises';
import { NxfError } from '../../src/errors.js';
import { setupTimeoutMs } from '../../src/modules/module-loader.js';
import { eventually } from '../helpers/jobs.js';
import { copyMinimalModule, copyModuleFixture, installAndEnable, tableExists, testActor } from '../helpers/modules.js';
import { startTestServer, testAdminPassword, type TestServer } from '../helpers/server.js';
import { WebClient } from '../helpers/web-client.js';

type Copy = Awaited<ReturnType<typeof copyModuleFixture>>;

describe('loading modules: what is refused, and nothing left half-mounted', () => {
  let server: TestServer;
  let client: WebClient;
  const copies: Copy[] = [];
  const copy = async (made: Promise<Copy>) => {
    const result = await made;
    copies.push(result);
    return result.dir;
  };

  before(async () => {
    // Setups here finish within their own microtasks, so a short limit stops only the one that waits.
    server = await startTestServer({ moduleSetupTimeoutMs: 500 });
    client = new WebClient(server.url);
    await client.login('admin', testAdminPassword);
  });
  after(async () => {
    await server.close();
    await Promise.all(copies.map((c) => c.remove()));
  });

  /** Installs the module in `dir`, tries to enable it, and returns the error. */
  async function enableFails(dir: string): Promise<NxfError> {
    const { name } = await server.services.modules.installFromDirectory(dir, 'installed', testActor);
    const error = await server.services.modules.enable(name, testActor).then(
      () => expect.fail(`${name} was enabled`),
      (e: unknown) => e,
    );
    expect(error).to.be.instanceOf(NxfError);
    expect(server.services.modules.registry.get(name)).to.equal(undefined);
    const record = await server.services.modules.store.get(name);
    expect(record?.error).to.equal((error as Error).message);
    return error as NxfError;
  }

  async function assertNothingLeft(module: string, table: string): Promise<void> {
    expect(await tableExists(server, table), `${table} was rolled back`).to.equal(false);
    const rows = await server.services.db.select('SELECT 1 FROM module_migrations WHERE module_name = $1', [module]);
    expect(rows, 'module_migrations rows').to.have.length(0);
  }

  it('refuses an API route the manifest does not declare, undoing the migrations that load applied', async () => {
    const dir = await copy(
      copyModuleFixture({ manifest: (m) => (m.routes = m.routes.filter((r) => r.path !== '/events-seen')) }),
    );
    const error = await enableFails(dir);
    expect(error.code).to.equal('NXF_ROUTE_UNDECLARED');
    expect(error.message).to.contain('GET /events-seen');
    await assertNothingLeft('dummy', 'dm_item');
    expect(server.services.events.subscriptionCount, 'its event subscription was ended').to.equal(0);
    expect((await client.get('/dummy/items')).status).to.equal(403);
    await server.services.modules.uninstall('dummy', testActor);
  });

  it('refuses a claim on a core path', async () => {
    const dir = await copy(
      copyMinimalModule('grabby', { manifest: (m) => (m.ui.routes = [{ path: '/admin/*' }, { path: '/grabby/*' }]) }),
    );
    const error = await enableFails(dir);
    expect(error.code).to.equal('NXF_PATH_COLLISION');
    expect(error.message).to.contain("/admin/* overlaps the core's /admin/*");
  });

  it("refuses a claim overlapping another module's", async () => {
    await installAndEnable(server, await copy(copyMinimalModule('alpha')));
    const dir = await copy(
      copyMinimalModule('beta', { manifest: (m) => m.ui.routes.push({ path: '/alpha/reports/*' }) }),
    );
    const error = await enableFails(dir);
    expect(error.code).to.equal('NXF_PATH_COLLISION');
    expect(error.message).to.contain("/alpha/reports/* overlaps alpha's /alpha/*");
    expect((await client.get('/alpha')).status).to.equal(200);
  });

  it('refuses an incompatible core version', async () => {
    const dir = await copy(
      copyMinimalModule('future', { manifest: (m) => (m.dependencies['@nxforge/core'] = '^6.0.0') }),
    );
    const error = await enableFails(dir);
    expect(error.code).to.equal('NXF_CORE_INCOMPATIBLE');
    expect(error.message).to.equal('future 1.0.0 needs NxForge core ^6.0.0; this is 5.0.0.');
  });

  it('refuses a missing entry and an entry without a setup function', async () => {
    const missing = await enableFails(await copy(copyMinimalModule('no-entry', { files: { 'dist/index.js': null } })));
    expect(missing.code).to.equal('NXF_MODULE_FILES');
    expect(missing.message).to.contain('dist/index.js');
    const noSetup = await enableFails(
      await copy(copyMinimalModule('no-setup', { files: { 'dist/index.js': 'export const x = 1;\n' } })),
    );
    expect(noSetup.code).to.equal('NXF_MODULE_ENTRY');
    expect(noSetup.message).to.contain('must export a default async function setup(ctx)');
    const broken = await enableFails(
      await copy(copyMinimalModule('syntax', { files: { 'dist/index.js': 'export default function (' } })),
    );
    expect(broken.code).to.equal('NXF_MODULE_ENTRY');
  });

  it('a module whose setup throws is refused and the server keeps serving', async () => {
    const dir = await copy(
      copyModuleFixture({
        manifest: (m) => (
          (m.name = 'thrower'),
          (m.tablePrefix = 'th_'),
          (m.ui.routes = [{ path: '/thrower/*' }]),
          (m.ui.sidebar.children = []),
          (m.ui.widgets = [])
        ),
        files: {
          'migrations/001_create_items.sql':
            '-- Up migration\nCREATE TABLE th_thing (id int);\n-- Down migration\nDROP TABLE th_thing;\n',
          'migrations/002_add_notes.js': null,
          'migrations/003_adopt_legacy_notes.sql': null,
          'dist/index.js':
            "export default async function setup(ctx) { ctx.ui.get('/thrower/x', () => {}); throw new Error('cannot reach the PDU'); }\n",
        },
      }),
    );
    const error = await enableFails(dir);
    expect(error.code).to.equal('NXF_MODULE_SETUP_FAILED');
    expect(error.message).to.equal('thrower: setup() failed: cannot reach the PDU');
    await assertNothingLeft('thrower', 'th_thing');
    expect((await fetch(new URL('/healthz', server.url))).status).to.equal(200);
    expect((await client.get('/')).status).to.equal(200);
    expect((await client.get('/thrower/x')).status).to.equal(403);
  });

  it('abandons a setup that takes too long, undoing the load; what it started is torn down when it ends', async () => {
    const dir = await copy(
      copyMinimalModule('sluggish', {
        files: {
          'dist/index.js': `export default async function setup(ctx) {
  ctx.ui.get('/sluggish', (request) => { request.body = 'too late'; });
  await new Promise((resolve) => setTimeout(resolve, 800));
  return () => ctx.logger.info('late teardown ran');
}
`,
        },
      }),
    );
    const error = await enableFails(dir);
    expect(error.code).to.equal('NXF_MODULE_SETUP_TIMEOUT');
    expect(error.message).to.equal('sluggish: setup() did not finish within 0.5 s.');
    expect((await client.get('/sluggish')).status).to.equal(403);
    await eventually(async () =>
      (await server.services.modules.logs.list('sluggish', { limit: 20 })).some(
        (entry) => entry.message === 'late teardown ran',
      ),
    );
    expect((await client.get('/sluggish')).status).to.equal(403);
    // The documented limit when none is set.
    expect(setupTimeoutMs).to.equal(30_000);
  });

  it('wraps a setup that throws before its first await like any other', async () => {
    const dir = await copy(
      copyMinimalModule('eager-thrower', {
        files: { 'dist/index.js': "export default function setup() { throw new Error('no PDU configured'); }\n" },
      }),
    );
    const error = await enableFails(dir);
    expect(error.code).to.equal('NXF_MODULE_SETUP_FAILED');
    expect(error.message).to.equal('eager-thrower: setup() failed: no PDU configured');
  });

  it('refuses sidebar links and pages outside the claimed paths', async () => {
    const sidebar = await enableFails(
      await copy(
        copyMinimalModule('stray-link', {
          manifest: (m) => m.ui.sidebar.children.push({ label: 'Elsewhere', path: '/elsewhere' }),
        }),
      ),
    );
    expect(sidebar.code).to.equal('NXF_SIDEBAR_UNCLAIMED');
    const page = await enableFails(
      await copy(
        copyMinimalModule('stray-page', {
          files: { 'dist/index.js': "export default (ctx) => { ctx.ui.get('/elsewhere/page', () => {}); };\n" },
        }),
      ),
    );
    expect(page.code).to.equal('NXF_UI_ROUTE_UNCLAIMED');
    expect(page.message).to.contain('/elsewhere/page');
  });

  it('refuses a module whose dependency is not enabled, and a needed module cannot be disabled', async () => {
    const base = await copy(copyMinimalModule('base-module'));
    await server.services.modules.installFromDirectory(base, 'installed', testActor);
    const dependent = await enableFails(
      await copy(copyMinimalModule('top-module', { dependencies: { 'base-module': '^1.0.0' } })),
    );
    expect(dependent.code).to.equal('NXF_DEPENDENCY_MISSING');
    expect(dependent.message).to.equal('top-module cannot be enabled: base-module ^1.0.0 is not enabled.');

    await server.services.modules.enable('base-module', testActor);
    await server.services.modules.enable('top-module', testActor);
    const refused = await server.services.modules.disable('base-module', testActor).catch((e: unknown) => e);
    expect(refused).to.be.instanceOf(NxfError).with.property('code', 'NXF_MODULE_REQUIRED');
    expect((await client.get('/base-module')).status).to.equal(200);

    const wrongVersion = await enableFails(
      await copy(copyMinimalModule('picky-module', { dependencies: { 'base-module': '^2.0.0' } })),
    );
    expect(wrongVersion.message).to.contain('base-module ^2.0.0 is needed but 1.0.0 is enabled');
  });

  it('refuses a dependency cycle, naming it', async () => {
    await server.services.modules.installFromDirectory(
      await copy(copyMinimalModule('cycle-a', { dependencies: { 'cycle-b': '^1.0.0' } })),
      'installed',
      testActor,
    );
    const error = await enableFails(
      await copy(copyMinimalModule('cycle-b', { dependencies: { 'cycle-a': '^1.0.0' } })),
    );
    expect(error.code).to.equal('NXF_DEPENDENCY_CYCLE');
    expect(error.message).to.contain('cycle-b → cycle-a → cycle-b');
  });
});

describe('restarting restores every module to its recorded state', () => {
  it('enabled modules come back mounted, disabled ones stay 403, missing files are reported and the server starts', async () => {
    const first = await startTestServer();
    const enabled = await copyMinimalModule('stays-on');
    const disabled = await copyMinimalModule('stays-off');
    const vanishing = await copyMinimalModule('vanishing');
    try {
      await installAndEnable(first, enabled.dir);
      await installAndEnable(first, disabled.dir);
      await first.services.modules.disable('stays-off', testActor);
      await installAndEnable(first, vanishing.dir);
      await first.close({ keep: true });
      await rm(vanishing.dir, { recursive: true, force: true });

      const second = await startTestServer({ database: first.database, dataDir: first.dataDir });
      try {
        const client = new WebClient(second.url);
        await client.login('admin', testAdminPassword);
        expect((await client.get('/stays-on')).status).to.equal(200);
        expect((await client.get('/stays-off')).status).to.equal(403);
        expect((await client.get('/vanishing')).status).to.equal(403);
        const record = await second.services.modules.store.get('vanishing');
        expect(record).to.include({ status: 'ENABLED', enabled: true });
        expect(record?.error).to.match(/^No manifest\.json in /);
        const page = await client.get('/admin/modules');
        expect(page.text).to.contain('No manifest.json in');
      } finally {
        await second.close();
      }
    } finally {
      await first.database.drop();
      await Promise.all([enabled.remove(), disabled.remove(), vanishing.remove()]);
    }
  });
});
