import type { ModuleContext } from 'nxforge/module';
import { parseHostInput } from '../hosts/host-input.js';
import type { HostActions } from '../hosts/host-actions.js';
import { readSettings } from '../settings.js';
import { createAlertStore } from '../store/alert-store.js';
import { createHostStore } from '../store/host-store.js';
import { createReadingStore } from '../store/reading-store.js';
import { createSensorStore } from '../store/sensor-store.js';
import type { Sql } from '../store/sql.js';
import { presentAlert, presentDiscovered, presentHost, presentSensor } from './present.js';
import { readingsRange } from './readings-query.js';
import { parseOverrides } from './sensor-overrides.js';

type Request = Parameters<Parameters<ModuleContext['api']['get']>[1]>[0];

const idOf = (request: Request) => Number(request.params.id);
const bodyOf = (request: Request): unknown => (request.request as { body?: unknown }).body;

/** The JSON API under `/api/v1/m/temperature-monitor` (docs/temperature-monitor.md lists every route and shape). */
export function registerApiRoutes(ctx: ModuleContext, sql: Sql, actions: HostActions): void {
  const { api } = ctx;
  const sensors = createSensorStore(sql);
  const invalid = (errors: Record<string, string>): never =>
    ctx.fail(422, 'NXF_VALIDATION', `Invalid: ${Object.keys(errors).join(', ')}.`, errors);

  api.get('/hosts', async (request) => {
    request.body = { hosts: (await createHostStore(sql).list()).map(presentHost) };
  });
  api.post('/hosts', async (request) => {
    const parsed = parseHostInput(bodyOf(request));
    if (!parsed.ok) return invalid(parsed.errors);
    request.status = 201;
    request.body = { host: presentHost(await actions.create(parsed.value)) };
  });
  api.get('/hosts/:id', async (request) => {
    request.body = { host: presentHost(await actions.found(idOf(request))) };
  });
  api.put('/hosts/:id', async (request) => {
    const current = await actions.found(idOf(request));
    const parsed = parseHostInput(bodyOf(request), current);
    if (!parsed.ok) return invalid(parsed.errors);
    request.body = { host: presentHost(await actions.update(current.id, parsed.value)) };
  });
  api.delete('/hosts/:id', async (request) => {
    await actions.remove(idOf(request));
    request.status = 204;
  });
  api.post('/hosts/:id/discover', async (request) => {
    request.body = { sensors: (await actions.discover(idOf(request))).map(presentDiscovered) };
  });
  api.post('/hosts/:id/sensors', async (request) => {
    const body = bodyOf(request) as { keys?: unknown } | undefined;
    const tracked = await actions.track(idOf(request), body?.keys);
    request.status = 201;
    request.body = { sensors: tracked.map(presentSensor) };
  });

  api.get('/sensors', async (request) => {
    const hostId = request.query.hostId === undefined ? undefined : Number(request.query.hostId);
    if (hostId !== undefined && !Number.isInteger(hostId)) return invalid({ hostId: 'A host id.' });
    request.body = { sensors: (await sensors.listWithHosts(hostId)).map(presentSensor) };
  });
  const sensorOf = async (request: Request) =>
    (await sensors.get(idOf(request))) ?? ctx.fail(404, 'NXF_NOT_FOUND', `No tracked sensor ${request.params.id}.`);
  api.get('/sensors/:id', async (request) => {
    request.body = { sensor: presentSensor(await sensorOf(request)) };
  });
  api.put('/sensors/:id', async (request) => {
    const sensor = await sensorOf(request);
    const parsed = parseOverrides((bodyOf(request) as { overrides?: unknown } | undefined)?.overrides, sensor);
    if (!parsed.ok) return invalid(parsed.errors);
    await sensors.setOverrides(sensor.id, parsed.overrides);
    request.body = { sensor: presentSensor((await sensors.get(sensor.id))!) };
  });
  api.delete('/sensors/:id', async (request) => {
    const sensor = await sensorOf(request);
    await sensors.remove(sensor.id);
    request.status = 204;
  });

  api.get('/readings', async (request) => {
    const sensor = Number(request.query.sensorId);
    if (!Number.isInteger(sensor)) return invalid({ sensorId: 'The id of a tracked sensor.' });
    if (!(await sensors.get(sensor))) ctx.fail(404, 'NXF_NOT_FOUND', `No tracked sensor ${sensor}.`);
    const parsed = readingsRange(request.query, readSettings(ctx.settings));
    if (!parsed.ok) return invalid(parsed.errors);
    const { from, to, resolution } = parsed.range;
    const store = createReadingStore(sql);
    const readings =
      resolution === 'raw'
        ? (await store.raw([sensor], from, to)).map((r) => ({ at: r.at, celsius: r.celsius }))
        : (await store.hourly([sensor], from, to)).map(({ sensor_id: _, ...rollup }) => rollup);
    request.body = { sensorId: sensor, resolution, from, to, readings };
  });

  api.get('/alerts', async (request) => {
    const state = request.query.state;
    if (state !== undefined && state !== 'firing' && state !== 'resolved')
      return invalid({ state: 'firing or resolved.' });
    const limit = request.query.limit === undefined ? 100 : Number(request.query.limit);
    if (!Number.isInteger(limit) || limit < 1 || limit > 500) return invalid({ limit: 'From 1 to 500.' });
    const rows = await createAlertStore(sql).list({ state: state as 'firing' | 'resolved' | undefined, limit });
    request.body = { alerts: rows.map(presentAlert) };
  });
}
