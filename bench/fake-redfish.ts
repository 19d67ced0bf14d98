import http from 'node:http';
import type { AddressInfo } from 'node:net';

/** Credentials of the bench's BMCs. */
export const benchBmcCredentials = { username: 'bench', password: 'bench-bmc-password' };

/** The URI of sensor `n` of a bench BMC. */
export const benchSensorUri = (n: number) => `/redfish/v1/Chassis/1U/Sensors/Temp${n}`;

/**
 * A BMC for the benchmark on 127.0.0.1: `sensors` temperature Sensor resources (the ThermalSubsystem schema) behind
 * basic auth, each reading a little differently every time it is read, as a real one would.
 */
export async function startBenchBmc(
  sensors: number,
): Promise<{ url: string; requests: () => number; close: () => Promise<void> }> {
  const expected = `Basic ${Buffer.from(`${benchBmcCredentials.username}:${benchBmcCredentials.password}`).toString('base64')}`;
  let requests = 0;
  const server = http.createServer((request, response) => {
    requests += 1;
    const match = /^\/redfish\/v1\/Chassis\/1U\/Sensors\/Temp(\d+)$/.exec(request.url ?? '');
    if (request.headers.authorization !== expected) return void response.writeHead(401).end();
    if (!match || Number(match[1]) >= sensors) return void response.writeHead(404).end();
    const n = Number(match[1]);
    const body = {
      '@odata.id': benchSensorUri(n),
      Id: `Temp${n}`,
      Name: `Temperature ${n}`,
      ReadingType: 'Temperature',
      ReadingUnits: 'Cel',
      Reading: 30 + (n % 7) + Math.round(Math.random() * 10) / 10,
      Status: { State: 'Enabled', Health: 'OK' },
      Thresholds: { UpperCaution: { Reading: 70 }, UpperCritical: { Reading: 80 }, UpperFatal: { Reading: 90 } },
    };
    response.writeHead(200, { 'content-type': 'application/json' });
    response.end(JSON.stringify(body));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    requests: () => requests,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
