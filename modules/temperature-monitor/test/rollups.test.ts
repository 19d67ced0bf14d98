import { expect } from 'chai';
import { runJob } from '../../../dist/test/helpers/jobs.js';
import { testActor } from '../../../dist/test/helpers/modules.js';
import { createReadingStore } from '../dist/store/reading-store.js';
import { createSql } from '../dist/store/sql.js';
import { startTemperatureServer, type TemperatureServer } from './tm-server.js';

const day = 24 * 3600 * 1000;

describe('temperature-monitor: hourly rollups, retention, and the resolution of readings', function () {
  this.timeout(60_000);
  let tm: TemperatureServer;
  let sensorId: number;
  let store: ReturnType<typeof createReadingStore>;

  before(async () => {
    tm = await startTemperatureServer();
    store = createReadingStore(createSql(tm.server.services.db.sequelize as never));
    const host = await tm.server.services.db.one<{ id: number }>(
      `INSERT INTO tm_host (name, address, source) VALUES ('rollup-host', 'http://127.0.0.1:9', 'redfish') RETURNING id`,
    );
    const sensor = await tm.server.services.db.one<{ id: number }>(
      `INSERT INTO tm_sensor (host_id, key, name) VALUES ($1, 'k', 'CPU') RETURNING id`,
      [host?.id],
    );
    sensorId = sensor!.id;
  });
  after(async () => tm?.server.close());

  const rollups = () =>
    tm.server.services.db.select<{
      hour: Date;
      min_celsius: number;
      max_celsius: number;
      sum_celsius: number;
      count: number;
    }>(
      'SELECT hour, min_celsius, max_celsius, sum_celsius, count FROM tm_rollup_hourly WHERE sensor_id = $1 ORDER BY hour',
      [sensorId],
    );

  it('folds readings into their UTC hour as they arrive; a reading stored twice counts once', async () => {
    const at = (time: string) => new Date(`2025-01-15T${time}Z`);
    await store.record([
      { sensorId, at: at('10:05:00'), celsius: 40 },
      { sensorId, at: at('10:35:00'), celsius: 44 },
    ]);
    await store.record([{ sensorId, at: at('10:59:59'), celsius: 42 }]);
    await store.record([{ sensorId, at: at('10:35:00'), celsius: 44 }]); // the same reading again: ignored
    await store.record([{ sensorId, at: at('11:00:00'), celsius: 50 }]);
    // 10:00: min 40, max 44, sum 40 + 44 + 42 = 126 over 3 readings (average 42); 11:00: the one reading of 50.
    expect(await rollups()).to.deep.equal([
      { hour: at('10:00:00'), min_celsius: 40, max_celsius: 44, sum_celsius: 126, count: 3 },
      { hour: at('11:00:00'), min_celsius: 50, max_celsius: 50, sum_celsius: 50, count: 1 },
    ]);
    // 06:00–12:00 holds all four: min 40, max 50, sum 126 + 50 = 176 over 4 readings.
    const sixHours = await tm.server.services.db.select(
      'SELECT period, min_celsius, max_celsius, sum_celsius, count FROM tm_rollup_6h WHERE sensor_id = $1',
      [sensorId],
    );
    expect(sixHours).to.deep.equal([
      { period: at('06:00:00'), min_celsius: 40, max_celsius: 50, sum_celsius: 176, count: 4 },
    ]);
    const hourly = await store.hourly([sensorId], at('00:00:00'), at('23:00:00'));
    expect(hourly.map((r) => [r.avg, r.count])).to.deep.equal([
      [42, 3],
      [50, 1],
    ]);
  });

  it('serves raw readings for up to 48 hours within the raw retention, hourly rollups beyond', async () => {
    const now = Date.now();
    const hour = Math.floor(now / 3600_000) * 3600_000;
    await store.record([
      { sensorId, at: new Date(hour - 2 * 3600_000 + 60_000), celsius: 30 },
      { sensorId, at: new Date(hour - 2 * 3600_000 + 120_000), celsius: 34 },
    ]);
    const recent = await tm.api(
      'GET',
      `/readings?sensorId=${sensorId}&from=${new Date(now - 6 * 3600_000).toISOString()}`,
    );
    expect(recent.body.resolution).to.equal('raw');
    expect(recent.body.readings.map((r: { celsius: number }) => r.celsius)).to.deep.equal([30, 34]);
    const week = await tm.api('GET', `/readings?sensorId=${sensorId}&from=${new Date(now - 7 * day).toISOString()}`);
    expect(week.body.resolution).to.equal('hourly');
    // The hour of the two readings: min 30, max 34, average (30 + 34) / 2 = 32, count 2.
    expect(week.body.readings).to.deep.equal([
      { at: new Date(hour - 2 * 3600_000).toISOString(), min: 30, avg: 32, max: 34, count: 2 },
    ]);
    const bad = await tm.api('GET', `/readings?sensorId=${sensorId}&from=yesterday`);
    expect(bad.status).to.equal(422);
    expect(bad.body.error.details).to.have.keys(['from']);
    const backwards = await tm.api(
      'GET',
      `/readings?sensorId=${sensorId}&from=2026-11-27T00:00:00Z&to=2026-11-26T00:00:00Z`,
    );
    expect(backwards.body.error.details.from).to.equal('Must be before to.');
    expect((await tm.api('GET', '/readings?sensorId=999999')).status).to.equal(404);
  });

  it('the cleanup job removes raw readings past rawRetentionDays and rollups past two years, and nothing newer', async () => {
    await tm.server.services.modules.saveSettings('temperature-monitor', { rawRetentionDays: 14 }, testActor);
    const now = Date.now();
    await store.record([
      { sensorId, at: new Date(now - 15 * day), celsius: 20 },
      { sensorId, at: new Date(now - 13 * day), celsius: 21 },
    ]);
    await tm.server.services.db.execute(
      `INSERT INTO tm_rollup_hourly (sensor_id, hour, min_celsius, max_celsius, sum_celsius, count) VALUES ($1, $2, 1, 1, 1, 1), ($1, $3, 2, 2, 2, 1)`,
      [sensorId, new Date(now - 731 * day), new Date(now - 729 * day)],
    );
    const execution = await runJob(tm.server, 'temperature-monitor', 'cleanup-readings');
    expect(execution.status).to.equal('succeeded');
    const raw = await tm.server.services.db.select<{ celsius: number }>(
      "SELECT celsius FROM tm_reading WHERE sensor_id = $1 AND recorded_at < now() - interval '12 days' ORDER BY recorded_at",
      [sensorId],
    );
    // Gone: the reading of 15 days ago and the four of 2025-01-15; kept: the one of 13 days ago.
    expect(raw.map((r) => r.celsius)).to.deep.equal([21]);
    const old = await tm.server.services.db.select<{ min_celsius: number }>(
      `SELECT min_celsius FROM tm_rollup_hourly WHERE sensor_id = $1 AND hour < now() - interval '700 days'`,
      [sensorId],
    );
    expect(old.map((r) => r.min_celsius)).to.deep.equal([2]);
    // The rollup of 731 days ago went, that of 729 days ago stayed (2025-01-15's hours are younger than two years).
    expect((execution.result as { data: { readings: number; rollups: number } }).data).to.include({
      readings: 5,
      rollups: 1,
    });
  });
});
