import { readFile } from 'node:fs/promises';
import { expect } from 'chai';
import pg from 'pg';
import { eventually } from '../../../dist/test/helpers/jobs.js';
import { createTestDatabase, type TestDatabase } from '../../../dist/test/helpers/postgres.js';
import { lineOf } from './helpers/billing.js';
import { startCmServer, type CmServer } from './helpers/cm-server.js';

/**
 * NxForge v4's `endpoint` and `consumption_reading` (test/fixtures/v4-schema.sql), with rows, taken over by the
 * module's migration when it is installed on that database: every row kept, under the module's role, the ledger
 * built for them.
 */
describe('consumption monitor: taking over the tables of NxForge v4', function () {
  this.timeout(60_000);
  let database: TestDatabase;
  let cm: CmServer;
  const r1 = '5b8e9a4e-0d6b-4d43-9a53-0c7d9b0d1a01';
  const r2 = '5b8e9a4e-0d6b-4d43-9a53-0c7d9b0d1a02';
  const select = <T extends object>(sql: string, bind: unknown[] = []) => cm.server.services.db.select<T>(sql, bind);

  before(async () => {
    database = await createTestDatabase();
    const client = new pg.Client({ connectionString: database.url });
    await client.connect();
    try {
      await client.query(await readFile(new URL('../test/fixtures/v4-schema.sql', import.meta.url), 'utf8'));
      await client.query(
        `INSERT INTO endpoint (id, name, url, selector, customer, rack) VALUES
           ($1, 'R1 PDU', 'http://10.0.7.21/status.htm', '#energy', 'Acme', 'R1'),
           ($2, 'R2 PDU', 'http://10.0.7.22/status.htm', '#energy', NULL, 'R2')`,
        [r1, r2],
      );
      await client.query(
        `INSERT INTO consumption_reading (endpoint_id, "timestamp", value, status, error_message, raw_value) VALUES
           ($1, '2026-03-31T23:45:00Z', 100, 'success', NULL, '100.0 kWh'),
           ($1, '2026-04-01T00:15:00Z', 101, 'success', NULL, '101.0 kWh'),
           ($1, '2026-04-01T00:30:00Z', NULL, 'failed', 'timeout', NULL),
           ($1, '2026-04-01T00:45:00Z', 102.5, 'success', NULL, '102.5 kWh'),
           ($2, '2026-04-02T12:00:00Z', 7, 'success', NULL, '7 kWh')`,
        [r1, r2],
      );
    } finally {
      await client.end();
    }
    cm = await startCmServer({ database });
    await eventually(
      async () => (await select("SELECT 1 FROM events WHERE name = 'consumption-monitor.ledger_built'")).length > 0,
    );
  });
  after(async () => {
    await cm?.close();
    await database?.drop();
  });

  it('renames the tables into cm_, keeps every row, maps v4 statuses, gives them to the module role', async () => {
    expect(await select("SELECT to_regclass('endpoint') AS e, to_regclass('consumption_reading') AS r")).to.deep.equal([
      { e: null, r: null },
    ]);
    const endpoints = await select<{ id: string; name: string; customer: string | null; kind: string }>(
      'SELECT id, name, customer, kind FROM cm_endpoint ORDER BY name',
    );
    expect(endpoints).to.deep.equal([
      { id: r1, name: 'R1 PDU', customer: 'Acme', kind: 'counter' },
      { id: r2, name: 'R2 PDU', customer: null, kind: 'counter' },
    ]);
    const readings = await select<{ id: string; status: string; error_message: string | null; raw: string | null }>(
      'SELECT id, status, error_message, raw FROM cm_reading ORDER BY id',
    );
    expect(readings.map((r) => [Number(r.id), r.status, r.error_message ?? r.raw])).to.deep.equal([
      [1, 'ok', '100.0 kWh'],
      [2, 'ok', '101.0 kWh'],
      [3, 'error', 'timeout'],
      [4, 'ok', '102.5 kWh'],
      [5, 'ok', '7 kWh'],
    ]);
    const owners = await select<{ owner: string }>(
      `SELECT DISTINCT pg_get_userbyid(relowner) AS owner FROM pg_class
       WHERE relname IN ('cm_endpoint', 'cm_reading', 'cm_endpoint_pkey', 'cm_reading_pkey', 'cm_reading_id_seq')`,
    );
    expect(owners).to.deep.equal([{ owner: cm.server.services.moduleRoles.roleOf('cm_') }]);
  });

  it('ties the readings to their endpoint as a cascading foreign key does, and renames the indexes', async () => {
    // Migration 000 makes v4's foreign key cascade; 004 moves its check to once per statement (docs).
    const nobody = '00000000-0000-4000-8000-000000000000';
    const refused = await cm.server.services.db
      .execute(`INSERT INTO cm_reading (endpoint_id, recorded_at, status) VALUES ($1, now(), 'error')`, [nobody])
      .then(
        () => 'stored',
        (error: { original?: { code?: string } }) => error.original?.code,
      );
    expect(refused).to.equal('23503');
    const indexes = await select<{ name: string }>(
      "SELECT indexname AS name FROM pg_indexes WHERE tablename IN ('cm_endpoint', 'cm_reading') ORDER BY 1",
    );
    expect(indexes.map((i) => i.name)).to.deep.equal([
      'cm_endpoint_name_key',
      'cm_endpoint_pkey',
      'cm_reading_endpoint_time_idx',
      'cm_reading_endpoint_time_key',
      'cm_reading_pkey',
    ]);
  });

  it('builds the ledger for the readings taken over, and the endpoints work as v5 ones', async () => {
    // 23:45 → 00:15 is 1 kWh over 30 min: 0.5 in March, 0.5 in April; the failed read does not count, so
    // 00:15 → 00:45 is 1.5 kWh. April: 2 kWh, the counter 100.5 at the start and 102.5 at the last reading.
    expect(await lineOf(cm, '2026-04', r1)).to.include({ kwh: 2, startKwh: 100.5, endKwh: 102.5, customer: 'Acme' });
    expect(await lineOf(cm, '2026-03', r1)).to.include({ kwh: 0.5 });
    const endpoint = await cm.api('GET', `/endpoints/${r1}`);
    expect(endpoint.body).to.include({
      name: 'R1 PDU',
      source: 'browser',
      selector: '#energy',
      pollIntervalMinutes: 15,
    });
    // Deleting an endpoint takes its readings and ledger with it (the cascade).
    expect((await cm.api('DELETE', `/endpoints/${r2}`)).status).to.equal(204);
    expect(await select('SELECT 1 FROM cm_reading WHERE endpoint_id = $1', [r2])).to.deep.equal([]);
  });
});
