import type { ModuleContext } from 'nxforge/module';
import { createHostStore } from '../../store/host-store.js';
import { createSensorStore } from '../../store/sensor-store.js';
import type { Sql } from '../../store/sql.js';
import { trendRangeOf, trendRanges } from '../trend-chart.js';
import { trendChart } from '../trend-data.js';
import { stylesheet } from './page-kit.js';

/** Trends of a host (every tracked sensor) or of one sensor over 24 h, 7 d or 30 d. */
export function registerTrendsPage(ctx: ModuleContext, sql: Sql): void {
  const sensors = createSensorStore(sql);
  const hosts = createHostStore(sql);
  const positive = (value: unknown) => {
    const number = Number(value);
    return Number.isInteger(number) && number > 0 ? number : undefined;
  };
  ctx.ui.get('/temperature/trends', async (request) => {
    const range = trendRangeOf(request.query.range);
    const allHosts = await hosts.list();
    const askedSensor = positive(request.query.sensor);
    const askedHost = positive(request.query.host);
    const sensor = askedSensor === undefined ? undefined : await sensors.get(askedSensor);
    // A sensor of another host than the one chosen (the host was changed in the form) gives way to the host.
    const hostId = askedHost ?? sensor?.host_id ?? allHosts[0]?.id;
    const ofHost = hostId === undefined ? [] : await sensors.listWithHosts(hostId);
    const chosen = sensor && sensor.host_id === hostId ? [sensor] : ofHost;
    const chart = chosen.length > 0 ? await trendChart(sql, chosen, range) : null;
    request.body = ctx.render('trends', {
      title: 'Temperature trends',
      stylesheet,
      range,
      ranges: Object.keys(trendRanges),
      hosts: allHosts,
      sensors: ofHost,
      hostId: hostId ?? null,
      sensorId: chosen.length === 1 && sensor ? sensor.id : null,
      chart,
    });
  });
}
