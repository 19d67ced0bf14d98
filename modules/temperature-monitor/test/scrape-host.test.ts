import { expect } from 'chai';
import { listenOnLoopback, type LoopbackServer } from '../../../dist/test/fixtures/loopback.js';
import { runJob } from '../../../dist/test/helpers/jobs.js';
import { testActor } from '../../../dist/test/helpers/modules.js';
import { startTemperatureServer, type TemperatureServer } from './tm-server.js';

describe('temperature-monitor: a host read from its web page', function () {
  this.timeout(90_000);
  let tm: TemperatureServer;
  let device: LoopbackServer;
  const page = { cpu: '<span id="cpu">45.5 °C</span>', inlet: '<td id="inlet">22 °C</td>' };

  before(async () => {
    device = await listenOnLoopback((request, response) => {
      if (request.headers.authorization !== `Basic ${Buffer.from('admin:page-pass').toString('base64')}`) {
        response.writeHead(401, { 'www-authenticate': 'Basic realm="ups"' });
        return void response.end();
      }
      response.writeHead(200, { 'content-type': 'text/html' });
      response.end(
        `<!doctype html><html><body><h1>UPS environment</h1>${page.cpu}<table><tr>${page.inlet}</tr></table></body></html>`,
      );
    });
    tm = await startTemperatureServer();
    await tm.server.services.modules.saveSettings('temperature-monitor', { minDurationSeconds: 0 }, testActor);
  });
  after(async () => {
    await tm?.server.close();
    await device?.close();
  });

  it('discovers, tracks and polls the selectors; one that vanishes or is not a number leaves the other read', async () => {
    const created = await tm.api('POST', '/hosts', {
      name: 'ups-room-a',
      source: 'scrape',
      username: 'admin',
      password: 'page-pass',
      scrape: {
        url: `${device.url}/env.html`,
        sensors: [
          { name: 'CPU', selector: '#cpu' },
          { name: 'Inlet', selector: '#inlet' },
        ],
      },
    });
    expect(created.status, JSON.stringify(created.body)).to.equal(201);
    const id = created.body.host.id;
    expect(created.body.host.address).to.equal(new URL(device.url).host);
    const { body } = await tm.api('POST', `/hosts/${id}/discover`);
    expect(
      body.sensors.map((s: { key: string; reading: number; thresholds: unknown }) => [s.key, s.reading]),
    ).to.deep.equal([
      ['CPU', 45.5],
      ['Inlet', 22],
    ]);
    await tm.api('POST', `/hosts/${id}/sensors`, { keys: ['CPU', 'Inlet'] });
    // A page has no thresholds of its own: they are set as overrides.
    const inlet = (await tm.api('GET', `/sensors?hostId=${id}`)).body.sensors.find(
      (s: { key: string }) => s.key === 'Inlet',
    );
    await tm.api('PUT', `/sensors/${inlet.id}`, { overrides: { upperWarning: 27, upperCritical: 32 } });

    page.cpu = '<span id="cpu">n/a</span>';
    page.inlet = '<td id="inlet">28.5 °C</td>';
    await runJob(tm.server, 'temperature-monitor', 'poll-temperatures');
    let sensors = (await tm.api('GET', `/sensors?hostId=${id}`)).body.sensors;
    expect(
      sensors.map((s: { key: string; state: string; reading: number }) => [s.key, s.state, s.reading]),
    ).to.deep.equal([
      ['CPU', 'unknown', null],
      ['Inlet', 'warning', 28.5],
    ]);
    page.cpu = '';
    await runJob(tm.server, 'temperature-monitor', 'poll-temperatures');
    sensors = (await tm.api('GET', `/sensors?hostId=${id}`)).body.sensors;
    expect(sensors.map((s: { state: string }) => s.state)).to.deep.equal(['unknown', 'warning']);
    expect((await tm.api('GET', `/hosts/${id}`)).body.host.state).to.equal('ok');
  });
});
