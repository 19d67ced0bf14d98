import { expect } from 'chai';
import { checkThreshold } from '../dist/collect/threshold.js';
import { EndpointStore } from '../dist/endpoints/endpoint-store.js';
import { recordInterval } from '../dist/ledger/ledger.js';
import { monthToDate } from '../dist/live/month-to-date.js';
import type { Runtime } from '../dist/runtime.js';
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
});
