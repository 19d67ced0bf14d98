import { expect } from 'chai';
import { runJob } from '../../../dist/test/helpers/jobs.js';
import { testActor } from '../../../dist/test/helpers/modules.js';
import { testAdminPassword } from '../../../dist/test/helpers/server.js';
import { WebClient } from '../../../dist/test/helpers/web-client.js';
import { bmcCredentials, startFakeBmc, type FakeBmc } from './fake-bmc.js';
import { startTemperatureServer, type TemperatureServer } from './tm-server.js';

const cpu1 = '/redfish/v1/Chassis/1U/Sensors/CPU1Temp';
/** Markup typed by a user (host, room, rack) and sent by a BMC (a sensor's name). */
const hostName = 'web <img src=x class=tm-host-xss>';
const room = '<b class=tm-room-xss>A</b>';
const rack = '<script>rack()</script>';
const sensorName = 'CPU <svg class=tm-sensor-xss onload=alert(1)>';

/** Every page that shows a host, a sensor or an alert prints the names as text: no element is made of them. */
describe('temperature-monitor: markup in a host name, its labels and a sensor name', function () {
  this.timeout(60_000);
  let tm: TemperatureServer;
  let bmc: FakeBmc;
  let web: WebClient;
  let hostId: number;
  let sensorId: number;

  before(async () => {
    [tm, bmc] = await Promise.all([startTemperatureServer(), startFakeBmc()]);
    await tm.server.services.modules.saveSettings('temperature-monitor', { minDurationSeconds: 0 }, testActor);
    bmc.resource(cpu1).Name = sensorName;
    const created = await tm.api('POST', '/hosts', {
      name: hostName,
      address: bmc.url,
      source: 'redfish',
      ...bmcCredentials,
      labels: { room, rack },
    });
    expect(created.status, JSON.stringify(created.body)).to.equal(201);
    hostId = created.body.host.id;
    sensorId = (await tm.api('POST', `/hosts/${hostId}/sensors`, { keys: [cpu1] })).body.sensors[0].id;
    bmc.setSensor('CPU1Temp', 47); // over critical: an alert with the names in it
    await runJob(tm.server, 'temperature-monitor', 'poll-temperatures');
    web = new WebClient(tm.server.url);
    await web.login('admin', testAdminPassword);
  });
  after(async () => {
    await tm?.server.close();
    await bmc?.close();
  });

  it('keeps the names as given in the API', async () => {
    const host = (await tm.api('GET', `/hosts/${hostId}`)).body.host;
    expect(host).to.deep.include({ name: hostName, labels: { room, rack } });
    expect((await tm.api('GET', `/sensors/${sensorId}`)).body.sensor.name).to.equal(sensorName);
  });

  for (const page of [
    '/temperature',
    '/temperature/tiles',
    '/temperature/hosts',
    '/temperature/hosts/:host',
    '/temperature/hosts/:host/edit',
    '/temperature/alerts',
    '/temperature/trends?host=:host',
    '/temperature/trends?host=:host&sensor=:sensor',
    '/temperature/sensors/:sensor',
    '/dashboard/widgets/temperature-monitor/firing-alerts',
  ]) {
    it(`prints them escaped on ${page}`, async () => {
      const response = await web.get(page.replaceAll(':host', String(hostId)).replaceAll(':sensor', String(sensorId)));
      expect(response.status).to.equal(200);
      const html = response.text;
      for (const raw of ['<img src=x', '<b class=tm-room-xss', '<script>rack()', '<svg class=tm-sensor-xss']) {
        expect(html, raw).not.to.contain(raw);
      }
      // At least one of the names is on every page, escaped.
      expect(html).to.match(/&lt;(img src=x|b class=tm-room-xss|script&gt;rack|svg class=tm-sensor-xss)/);
    });
  }
});
