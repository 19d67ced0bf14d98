import { expect } from 'chai';
import { checkThreshold } from '../dist/collect/threshold.js';
import { EndpointStore } from '../dist/endpoints/endpoint-store.js';
import { recordInterval } from '../dist/ledger/ledger.js';
import { importReadings as importRows } from '../dist/import/import-readings.js';
import { ImportRequestError } from '../dist/import/import-source.js';
import { BinaryRows, uuidBytes } from '../dist/ledger/copy-binary.js';
import { inTransaction } from '../dist/ledger/pg-session.js';
import { RecountThread } from '../dist/ledger/recount-thread.js';
import { monthToDate } from '../dist/live/month-to-date.js';
import type { Runtime } from '../dist/runtime.js';
import { eventually } from '../../../dist/test/helpers/jobs.js';
import { addEndpoint, importReadings } from './helpers/billing.js';
import { startCmServer, type CmServer } from './helpers/cm-server.js';

/** The ledger the collector fills: intervals and hours by the billing rule, month to date, the threshold alert. */
describe('consumption monitor: energy ledger', function () {
  let cm: CmServer;
  let runtime: Runtime;
  const emitted: { name: string; payload: any }[] = [];
  before(async () => {
    cm = await startCmServer();
    const db = cm.server.services.db.sequelize;
    const settings: Record<string, unknown> = { timezone: 'UTC', alertThreshold: 1000 };
    runtime = {
      db,
      settings,
      logger: { debug() {}, info() {}, warn() {}, error() {} },
      emit: async (name: string, payload: unknown) => void emitted.push({ name, payload }),
      endpoints: new EndpointStore(db, { seal: (v: string) => v, open: (v: string) => v } as never),
    } as unknown as Runtime;
  });
  after(() => cm?.close());

  it('adds each interval to the hours it spans, and sums the month in the module time zone', async () => {
    const created = await cm.api('POST', '/endpoints', {
      name: 'Ledger PDU',
      source: 'http',
      url: 'http://127.0.0.1:9/',
      jsonPath: '$.kwh',
      kind: 'counter',
      unit: 'kWh',
      alertThresholdKwh: 4,
    });
    const endpoint = (await runtime.endpoints.get(created.body.id))!;
    const at = (iso: string) => new Date(iso);
    const r0 = { at: at('2026-11-30T23:45:00Z'), value: 100 };
    const r1 = { at: at('2026-12-01T00:15:00Z'), value: 103 };
    const r2 = { at: at('2026-12-01T00:30:00Z'), value: 104.5 };
    for (const reading of [r0, r1, r2]) {
      await cm.server.services.db.execute(
        `INSERT INTO cm_reading (endpoint_id, recorded_at, value, status) VALUES ($1, $2, $3, 'ok')`,
        [endpoint.id, reading.at, reading.value],
      );
    }
    expect(await recordInterval(runtime, endpoint, undefined, r0)).to.equal(undefined); // a first reading: no interval
    await recordInterval(runtime, endpoint, r0, r1);
    await recordInterval(runtime, endpoint, r1, r2);
    // Recording the same interval again adds nothing (the ledger row is there).
    expect(await recordInterval(runtime, endpoint, r1, r2)).to.equal(undefined);
    const hours = await cm.server.services.db.select<{ hour: Date; mwh: string }>(
      'SELECT hour, milliwatt_hours AS mwh FROM cm_energy_hour WHERE endpoint_id = $1 ORDER BY hour',
      [endpoint.id],
    );
    // 23:45 → 00:15 is 3 kWh over 30 minutes, spread evenly: 1.5 kWh in the 23:00 hour, 1.5 in the 00:00 hour;
    // 00:15 → 00:30 adds 1.5 kWh to the 00:00 hour: 3 kWh. In whole mWh: 1 500 000 and 3 000 000.
    expect(hours.map((h) => [new Date(h.hour).toISOString(), Number(h.mwh)])).to.deep.equal([
      ['2026-11-30T23:00:00.000Z', 1_500_000],
      ['2026-12-01T00:00:00.000Z', 3_000_000],
    ]);
    // December in UTC starts at 00:00Z: 3.0 kWh so far. In Europe/Berlin (UTC+1) it starts at 23:00Z on the
    // 30th: 1.5 + 3.0 = 4.5 kWh.
    const now = at('2026-12-01T01:00:00Z');
    expect((await monthToDate(runtime, [endpoint], now)).get(endpoint.id)).to.equal(3);
    (runtime.settings as Record<string, unknown>).timezone = 'Europe/Berlin';
    expect((await monthToDate(runtime, [endpoint], now)).get(endpoint.id)).to.equal(4.5);
    // 4.5 kWh passes the endpoint's own threshold of 4 kWh: one alert for December, not a second.
    expect(await checkThreshold(runtime, endpoint, now)).to.equal(true);
    expect(await checkThreshold(runtime, endpoint, now)).to.equal(false);
    expect(emitted).to.have.length(1);
    expect(emitted[0]).to.deep.include({ name: 'threshold_exceeded' });
    expect(emitted[0]!.payload).to.include({
      subject: 'Ledger PDU',
      month: '2026-12',
      kwh: 4.5,
      thresholdKwh: 4,
      timezone: 'Europe/Berlin',
    });
  });

  it('answers the energy per hour and the monthly summary from the ledger (the server cuts months in UTC)', async () => {
    const { body: list } = await cm.api('GET', '/endpoints');
    const id = list.endpoints.find((e: { name: string }) => e.name === 'Ledger PDU').id;
    const energy = await cm.api(
      'GET',
      `/consumption/energy?endpointId=${id}&from=2026-11-30T00:00:00Z&to=2026-12-02T00:00:00Z&bucket=hour`,
    );
    expect(energy.body.points.map((p: { at: string; kwh: number }) => [p.at, p.kwh])).to.deep.equal([
      ['2026-11-30T23:00:00.000Z', 1.5],
      ['2026-12-01T00:00:00.000Z', 3],
    ]);
    const { body } = await cm.api('GET', '/consumption/monthly-summary?month=2026-12');
    const line = body.endpoints.find((e: { endpointId: string }) => e.endpointId === id);
    // December from 00:00Z: the counter there is 100 + 3 × 15/30 = 101.5 kWh (23:45 → 00:15 spread evenly), and
    // 104.5 kWh at the last reading; 3.0 kWh in between.
    expect(line).to.include({ kwh: 3, startKwh: 101.5, endKwh: 104.5, resets: 0, estimated: false });
    expect(body).to.include({ month: '2026-12', timezone: 'UTC', closed: false });
    expect((await cm.api('GET', '/consumption/monthly-summary?month=December')).status).to.equal(400);
  });

  it('ties every ledger row to an endpoint, as a foreign key with ON DELETE CASCADE does', async () => {
    const db = cm.server.services.db;
    const newEndpoint = async (name: string) =>
      (
        await cm.api('POST', '/endpoints', {
          name,
          source: 'http',
          url: 'http://127.0.0.1:9/',
          jsonPath: '$.kwh',
          kind: 'counter',
          unit: 'kWh',
        })
      ).body.id as string;
    const kept = await newEndpoint('Tie kept');
    const removed = await newEndpoint('Tie removed');
    const addHour = (id: string, hour: string) =>
      db.execute('INSERT INTO cm_energy_hour (endpoint_id, hour, milliwatt_hours) VALUES ($1, $2, 1000)', [id, hour]);
    const addInterval = (id: string) =>
      db.execute(
        `INSERT INTO cm_energy_interval (endpoint_id, start_at, end_at, start_value, end_value, milliwatt_hours, gap, reset, estimated)
         VALUES ($1, '2026-10-01T00:00Z', '2026-10-01T00:15Z', 1, 2, 1000000, false, false, false)`,
        [id],
      );
    const sqlState = (work: Promise<unknown>) =>
      work.then(
        () => 'stored',
        (error: { original?: { code?: string }; code?: string }) => error.original?.code ?? error.code,
      );
    // A row naming no endpoint is refused as a foreign key refuses it, and so is a statement that mixes it in.
    const nobody = '00000000-0000-4000-8000-000000000000';
    expect(await sqlState(addHour(nobody, '2026-10-01T00:00Z'))).to.equal('23503');
    expect(await sqlState(addInterval(nobody))).to.equal('23503');
    expect(
      await sqlState(
        db.execute(
          `INSERT INTO cm_energy_hour (endpoint_id, hour) VALUES ($1, '2026-10-01T01:00Z'), ($2, '2026-10-01T01:00Z')`,
          [kept, nobody],
        ),
      ),
    ).to.equal('23503');
    for (const id of [kept, removed]) {
      await addHour(id, '2026-10-01T00:00Z');
      await addInterval(id);
    }
    expect(
      await sqlState(db.execute('UPDATE cm_energy_hour SET endpoint_id = $1 WHERE endpoint_id = $2', [nobody, kept])),
    ).to.equal('23503');
    // Neither the mixed statement nor the update left anything: the endpoint kept has its one hour, nobody none.
    expect(
      await db.select('SELECT endpoint_id, hour FROM cm_energy_hour WHERE endpoint_id = ANY($1::uuid[])', [
        [kept, nobody],
      ]),
    ).to.deep.equal([{ endpoint_id: kept, hour: new Date('2026-10-01T00:00Z') }]);
    // A transaction writing an endpoint's ledger holds the endpoint: deleting it waits for the end of that
    // transaction and then takes the rows written there with it.
    let deletion: Promise<unknown> | undefined;
    await inTransaction(db.sequelize, async (session) => {
      await session.execute(
        `INSERT INTO cm_energy_hour (endpoint_id, hour, milliwatt_hours) VALUES ($1, '2026-10-01T02:00Z', 1000)`,
        [removed],
      );
      deletion = cm.api('DELETE', `/endpoints/${removed}`);
      await eventually(async () => {
        const waiting = await db.select(
          `SELECT 1 FROM pg_stat_activity WHERE wait_event_type = 'Lock' AND query LIKE 'DELETE FROM%cm_endpoint%'`,
        );
        return waiting.length > 0;
      });
    });
    expect((await deletion) as { status: number }).to.include({ status: 204 });
    const left = await db.select<{ endpoint_id: string; rows: number }>(
      `SELECT endpoint_id, count(*)::int AS rows FROM (
         SELECT endpoint_id FROM cm_energy_hour UNION ALL SELECT endpoint_id FROM cm_energy_interval) AS ledger
       WHERE endpoint_id = ANY($1::uuid[]) GROUP BY endpoint_id`,
      [[kept, removed]],
    );
    expect(left).to.deep.equal([{ endpoint_id: kept, rows: 2 }]);
  });

  it('writes binary COPY rows that PostgreSQL reads back as they were: negative and large numbers, old times, text', async () => {
    const id = '0f8e7d6c-5b4a-4938-8271-605f4e3d2c1b';
    // Epoch milliseconds on both sides of PostgreSQL's epoch (2000-01-01): before it the microseconds are negative.
    const times = ['1999-12-31T23:59:59.999Z', '1970-01-01T00:00:00.000Z', '2026-03-29T01:00:00.000Z'];
    // Integers whose high 32 bits are 0, negative, and as large as JavaScript holds exactly.
    const integers = [7, -1, -(2 ** 40) - 5, 2 ** 53 - 1];
    const rows = new BinaryRows();
    for (let i = 0; i < integers.length; i++) {
      rows
        .row(7)
        .uuid(uuidBytes(id))
        .timestamptz(Date.parse(times[i % times.length]!))
        .float8(i - 0.1);
      rows
        .int64(integers[i]!)
        .int32(1 - i)
        .bool(i % 2 === 1)
        .text(i === 0 ? null : `Zähler ${i} — ok`);
    }
    const back = await inTransaction(runtime.db, async (session) => {
      await session.execute(`CREATE TEMP TABLE copied (u uuid, t timestamptz, f float8, b bigint, i integer,
        flag boolean, note text) ON COMMIT DROP`);
      await session.copyBinary('copied', ['u'], []); // the header and the trailer alone: a COPY of no rows
      await session.copyBinary('copied', ['u', 't', 'f', 'b', 'i', 'flag', 'note'], [rows.bytes()]);
      return session.query<Record<string, unknown>>(
        `SELECT u, to_char(t AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') AS t, f, b::text, i, flag, note
         FROM copied ORDER BY i DESC`,
      );
    });
    expect(back).to.deep.equal(
      integers.map((n, i) => ({
        u: id,
        t: times[i % times.length],
        f: i - 0.1,
        b: String(n),
        i: 1 - i,
        flag: i % 2 === 1,
        note: i === 0 ? null : `Zähler ${i} — ok`,
      })),
    );
    expect(() => new BinaryRows().int64(1.5)).to.throw(RangeError);
    expect(() => uuidBytes('not-a-uuid')).to.throw('not a uuid');
  });

  it('keeps the sum of each endpoint’s hours per UTC day, whoever writes the hours', async () => {
    const id = await addEndpoint(cm, 'Day PDU', { poll: 30 });
    const endpoint = (await runtime.endpoints.get(id))!;
    const db = cm.server.services.db;
    const days = async () => {
      const rows = await db.select<Record<string, unknown>>(
        `SELECT day, milliwatt_hours AS mwh, covered_ms AS covered, estimated_hours, resets FROM cm_energy_day
         WHERE endpoint_id = $1 ORDER BY day`,
        [id],
      );
      return rows.map((r) => [new Date(r.day as Date).toISOString().slice(0, 10), Number(r.mwh), Number(r.covered)]);
    };
    // 23:30 → 00:30 over midnight, 1 kWh in an hour (not a gap: 60 min ≤ 3 × 30): half of it, and 30 min, each day.
    await importReadings(cm, id, [
      ['2025-06-01T23:30:00Z', 100],
      ['2025-06-02T00:30:00Z', 101],
    ]);
    expect(await days()).to.deep.equal([
      ['2025-06-01', 500_000, 1_800_000],
      ['2025-06-02', 500_000, 1_800_000],
    ]);
    // A reading imported at midnight splits the interval (the hours deleted and written again): 0.8 kWh before
    // midnight (100 → 100.8), 0.2 after (100.8 → 101).
    await importReadings(cm, id, [['2025-06-02T00:00:00Z', 100.8]]);
    expect(await days()).to.deep.equal([
      ['2025-06-01', 800_000, 1_800_000],
      ['2025-06-02', 200_000, 1_800_000],
    ]);
    // The collector's upsert into hour 00:00 (00:30 → 01:00 lies in it, 0.5 kWh): June 2 holds 0.2 + 0.5 = 0.7 kWh
    // over 30 + 30 = 60 minutes.
    const last = { at: new Date('2025-06-02T00:30:00Z'), value: 101 };
    await recordInterval(runtime, endpoint, last, { at: new Date('2025-06-02T01:00:00Z'), value: 101.5 });
    expect(await days()).to.deep.equal([
      ['2025-06-01', 800_000, 1_800_000],
      ['2025-06-02', 700_000, 3_600_000],
    ]);
    // Every day equals the sum of its hours, and an endpoint's days go with it.
    const [mismatches] = await db.select<{ count: string }>(
      `SELECT count(*) FROM (SELECT endpoint_id, date_trunc('day', hour, 'UTC') AS day, sum(milliwatt_hours) AS mwh,
         sum(covered_ms) AS covered, count(*) FILTER (WHERE estimated) AS estimated_hours, sum(resets) AS resets
         FROM cm_energy_hour GROUP BY 1, 2) h
       FULL JOIN cm_energy_day d USING (endpoint_id, day)
       WHERE coalesce(h.mwh, 0) <> coalesce(d.milliwatt_hours, 0) OR coalesce(h.covered, 0) <> coalesce(d.covered_ms, 0)
         OR coalesce(h.estimated_hours, 0) <> coalesce(d.estimated_hours, 0)
         OR coalesce(h.resets, 0) <> coalesce(d.resets, 0)`,
    );
    expect(Number(mismatches!.count)).to.equal(0);
    expect((await cm.api('DELETE', `/endpoints/${id}`)).status).to.be.oneOf([200, 204]);
    expect(await days()).to.deep.equal([]);
  });

  it('refuses an import whose endpoint is deleted while its rows arrive, and stores none of its rows', async () => {
    const vanishing = await addEndpoint(cm, 'Vanishing PDU');
    const staying = await addEndpoint(cm, 'Staying PDU');
    async function* rows() {
      yield [
        { line: 2, endpoint: 'Vanishing PDU', timestamp: '2025-07-01T00:00:00Z', value: 1 },
        { line: 3, endpoint: 'Staying PDU', timestamp: '2025-07-01T00:00:00Z', value: 5 },
      ];
      expect((await cm.api('DELETE', `/endpoints/${vanishing}`)).status).to.be.oneOf([200, 204]);
      yield [{ line: 4, endpoint: 'Vanishing PDU', timestamp: '2025-07-01T00:15:00Z', value: 2 }];
    }
    const refused = await importRows(runtime, rows()).catch((error: unknown) => error);
    expect(refused).to.be.instanceOf(ImportRequestError);
    expect(refused).to.include({
      status: 422,
      message: 'The endpoint "Vanishing PDU" was deleted while the import ran; nothing was imported.',
    });
    const [stored] = await cm.server.services.db.select<{ count: string }>(
      'SELECT count(*) FROM cm_reading WHERE endpoint_id = ANY($1)',
      [[vanishing, staying]],
    );
    expect(Number(stored!.count)).to.equal(0);
  });

  it('counts recounts in their own thread, in order; a plan it cannot count fails alone, with the reason', async () => {
    const thread = new RecountThread();
    try {
      const plan = (endpointId: string, values: number[]) => ({
        endpointId,
        kind: 'counter' as const,
        poll: 15,
        from: new Date('2025-08-01T00:00:00Z'),
        hourFrom: new Date('2025-08-01T00:00:00Z'),
        stored: [],
        kept: [],
        added: {
          at: Float64Array.from(values, (_, i) => Date.parse('2025-08-01T00:00:00Z') + i * 900_000),
          value: Float64Array.from(values),
        },
      });
      const [first, failed, last] = await Promise.allSettled([
        thread.count(plan('0f8e7d6c-5b4a-4938-8271-605f4e3d2c1b', [10, 11, 13])),
        thread.count(plan('not-a-uuid', [1, 2])),
        thread.count(plan('1f8e7d6c-5b4a-4938-8271-605f4e3d2c1b', [5, 6])),
      ]);
      // 10 → 11 → 13: three new readings, two intervals; then 5 → 6: two readings.
      expect(first).to.have.property('status', 'fulfilled');
      expect((first as PromiseFulfilledResult<{ stored: number }>).value.stored).to.equal(3);
      expect(failed).to.have.property('status', 'rejected');
      expect(String((failed as PromiseRejectedResult).reason)).to.contain('not-a-uuid is not a uuid');
      expect((last as PromiseFulfilledResult<{ stored: number }>).value.stored).to.equal(2);
    } finally {
      await thread.close();
    }
    await thread.count({} as never).then(
      () => expect.fail('a closed thread counted'),
      (error: Error) => expect(error.message).to.contain('the recount thread stopped'),
    );
  });
});
