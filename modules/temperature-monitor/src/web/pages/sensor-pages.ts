import type { ModuleContext } from 'nxforge/module';
import { createAlertStore } from '../../store/alert-store.js';
import { createSensorStore, type SensorWithHost } from '../../store/sensor-store.js';
import type { Sql } from '../../store/sql.js';
import { effectiveThresholds, overridableThresholds } from '../../thresholds.js';
import { parseOverrides } from '../sensor-overrides.js';
import { trendRangeOf, trendRanges } from '../trend-chart.js';
import { trendChart } from '../trend-data.js';
import { ageOf } from '../tiles.js';
import { formOf, idParam, stylesheet, type PageRequest } from './page-kit.js';

/** A tracked sensor: its trend, its thresholds and their overrides, its recent alerts. */
export function registerSensorPages(ctx: ModuleContext, sql: Sql): void {
  const { ui } = ctx;
  const sensors = createSensorStore(sql);

  const sensorOf = async (request: PageRequest): Promise<SensorWithHost> =>
    (await sensors.get(idParam(ctx, request))) ?? ctx.fail(404, 'NXF_NOT_FOUND', 'No such tracked sensor.');

  const show = async (
    request: PageRequest,
    sensor: SensorWithHost,
    form: { values?: Record<string, unknown>; errors?: Record<string, string> } = {},
    status?: number,
  ) => {
    const range = trendRangeOf(request.query.range);
    const alerts = await createAlertStore(sql).list({ hostId: sensor.host_id, limit: 200 });
    request.body = ctx.render(
      'sensors/detail',
      {
        title: `${sensor.host_name} · ${sensor.name}`,
        stylesheet,
        sensor,
        age: ageOf(sensor.read_at, new Date()),
        device: effectiveThresholds(sensor.device_thresholds, {}),
        fields: overridableThresholds,
        values: form.values ?? sensor.overrides,
        errors: form.errors ?? {},
        range,
        ranges: Object.keys(trendRanges),
        chart: await trendChart(sql, [sensor], range),
        alerts: alerts.filter((a) => a.sensor_id === sensor.id).slice(0, 20),
      },
      { status },
    );
  };

  ui.get('/temperature/sensors/:id', async (request) => show(request, await sensorOf(request)));

  ui.post('/temperature/sensors/:id/overrides', async (request) => {
    const sensor = await sensorOf(request);
    const form = formOf(request);
    const given = Object.fromEntries(
      overridableThresholds.map((key) => [key, typeof form[key] === 'string' ? (form[key] as string).trim() : '']),
    );
    const parsed = parseOverrides(given, sensor);
    if (!parsed.ok) return show(request, sensor, { values: given, errors: parsed.errors }, 422);
    await sensors.setOverrides(sensor.id, parsed.overrides);
    ctx.flash('success', 'Thresholds saved; they apply from the next reading.');
    request.redirect(`/temperature/sensors/${sensor.id}`);
  });

  ui.post('/temperature/sensors/:id/untrack', async (request) => {
    const sensor = await sensorOf(request);
    await sensors.remove(sensor.id);
    ctx.flash('success', `${sensor.name} is no longer tracked; its readings and alerts were removed.`);
    request.redirect(`/temperature/hosts/${sensor.host_id}`);
  });
}
