import { expect } from 'chai';
import { prefixViolations } from '../../src/modules/migrations/sql-object-scan.js';
import { copyMinimalModule, copyModuleFixture, installAndEnable, tableExists, testActor } from '../helpers/modules.js';
import { startTestServer, type TestServer } from '../helpers/server.js';

/** A manifest's `adopts`: legacy tables a module may take over into its prefix, keeping their rows. */
describe('module migrations: adopting legacy tables', function () {
  this.timeout(30_000);
  let server: TestServer;
  const removals: Array<() => Promise<void>> = [];
  before(async () => {
    server = await startTestServer();
  });
  after(async () => {
    await server?.close();
    await Promise.all(removals.map((remove) => remove()));
  });

  it('lets a migration alter and rename only the tables adopted, and what is named after them', () => {
    const takeOver =
      'ALTER TABLE endpoint RENAME TO cm_endpoint; ALTER INDEX endpoint_pkey RENAME TO cm_endpoint_pkey;';
    expect(prefixViolations(takeOver, 'cm_', ['endpoint'])).to.deep.equal([]);
    expect(prefixViolations(takeOver, 'cm_')).to.have.length(2);
    // Adopting a table allows renaming it, not writing to it or dropping it, and no other table.
    expect(
      prefixViolations('INSERT INTO endpoint VALUES (1); DROP TABLE endpoint;', 'cm_', ['endpoint']),
    ).to.have.length(2);
    expect(prefixViolations('ALTER TABLE users RENAME TO cm_users;', 'cm_', ['endpoint'])).to.have.length(1);
  });

  it("takes over a legacy table with its rows: renamed into the prefix, owned by the module's role", async () => {
    await server.services.db.execute('CREATE TABLE legacy_note (id serial PRIMARY KEY, text text NOT NULL)');
    await server.services.db.execute("INSERT INTO legacy_note (text) VALUES ('rack 7 moved'), ('PDU B replaced')");
    const dummy = await copyModuleFixture();
    removals.push(dummy.remove);
    await installAndEnable(server, dummy.dir);
    expect(await tableExists(server, 'legacy_note')).to.equal(false);
    const rows = await server.services.db.select<{ id: number; text: string }>(
      'SELECT id, text FROM dm_legacy_note ORDER BY id',
    );
    expect(rows).to.deep.equal([
      { id: 1, text: 'rack 7 moved' },
      { id: 2, text: 'PDU B replaced' },
    ]);
    const [owner] = await server.services.db.select<{ owner: string }>(
      "SELECT pg_get_userbyid(relowner) AS owner FROM pg_class WHERE relname IN ('dm_legacy_note', 'dm_legacy_note_pkey', 'dm_legacy_note_id_seq') GROUP BY 1",
    );
    expect(owner!.owner).to.equal(server.services.moduleRoles.roleOf('dm_'));
  });

  it("refuses a module that would adopt one of NxForge's own tables", async () => {
    const thief = await copyMinimalModule('adopter', { manifest: (m) => (m.adopts = ['users']) });
    removals.push(thief.remove);
    let failure: Error | undefined;
    await server.services.modules
      .installFromDirectory(thief.dir, 'installed', testActor)
      .then(() => server.services.modules.enable('adopter', testActor))
      .catch((error: Error) => (failure = error));
    expect(failure?.message).to.contain('adopter may not adopt users: a module adopts legacy tables only');
  });
});
