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
  ctx.ui.get('/temperature/trends', async (request) => {
    const range = trendRangeOf(request.query.range);
    const hosts = await createHostStore(sql).list();
    const all = await sensors.listWithHosts();
    const sensorId = Number(request.query.sensor);
    const hostId = Number(request.query.host);
    const host = Number.isInteger(hostId) && hostId > 0 ? hostId : undefined;
    // A sensor of another host than the one chosen (the host was changed in the form) gives way to the host.
    const sensor = all.find((s) => s.id === sensorId && (host === undefined || s.host_id === host));
    const chosen = sensor ? [sensor] : all.filter((s) => s.host_id === (host ?? all[0]?.host_id));
    const chart = chosen.length > 0 ? await trendChart(sql, chosen, range) : null;
    request.body = ctx.render('trends', {
      title: 'Temperature trends',
      stylesheet,
      range,
      ranges: Object.keys(trendRanges),
      hosts,
      sensors: all,
      hostId: chosen[0]?.host_id ?? null,
      sensorId: sensor?.id ?? null,
      chart,
    });
  });
}
