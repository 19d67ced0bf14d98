import { randomBytes } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { demoKw, demoKwh, type DemoRack } from './demo-counter.js';

/** A running simulated device. */
export interface DemoServer {
  port: number;
  close(): Promise<void>;
}

/** Credentials of the simulated PDU's web login and BMC (local devices: fixed, still stored sealed). */
export const demoPduLogin = { username: 'demo', password: 'demo-pdu-password' } as const;
export const demoBmcLogin = { username: 'demo', password: 'demo-bmc-password' } as const;

/** Listens on 127.0.0.1 only: demo devices are never reachable from another machine. */
export async function listenLocal(handler: http.RequestListener, port = 0): Promise<DemoServer> {
  const server = http.createServer(handler);
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => resolve());
  });
  return {
    port: (server.address() as AddressInfo).port,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

const html = (title: string, body: string) =>
  `<!doctype html><html><head><title>${title}</title></head><body><h1>${title}</h1>${body}</body></html>`;

/**
 * A PDU's web interface: a login form, a session cookie, and a status page whose energy reads "loading…" until
 * its script draws the value, as many PDUs' pages do.
 */
export function startDemoPduWeb(rack: DemoRack, port?: number): Promise<DemoServer> {
  const sessions = new Set<string>();
  return listenLocal(async (request, response) => {
    const url = new URL(request.url ?? '/', 'http://pdu');
    const session = /(?:^|;\s*)demo_session=([0-9a-f]+)/.exec(request.headers.cookie ?? '')?.[1];
    const send = (status: number, body: string, headers: Record<string, string> = {}) => {
      response.writeHead(status, { 'content-type': 'text/html; charset=utf-8', ...headers });
      response.end(body);
    };
    if (url.pathname === '/login' && request.method === 'POST') {
      let body = '';
      for await (const chunk of request) body += chunk;
      const form = new URLSearchParams(body);
      if (form.get('user') !== demoPduLogin.username || form.get('pass') !== demoPduLogin.password) {
        return send(200, loginPage('Wrong user name or password.'));
      }
      const id = randomBytes(12).toString('hex');
      sessions.add(id);
      return send(303, '', { location: '/status', 'set-cookie': `demo_session=${id}; Path=/; HttpOnly` });
    }
    if (url.pathname === '/login') return send(200, loginPage());
    if (!session || !sessions.has(session)) return send(303, '', { location: '/login' });
    const kwh = demoKwh(rack).toFixed(1);
    const script = `setTimeout(function () { document.getElementById('energy').textContent = '${Number(kwh).toLocaleString('en-US', { minimumFractionDigits: 1 })} kWh'; }, 400);`;
    return send(
      200,
      html(
        'Rack PDU (demo)',
        `<p>Total energy: <span id="energy">loading…</span></p><p>Load: ${demoKw(rack).toFixed(2)} kW</p><script>${script}</script>`,
      ),
    );
  }, port);
}

function loginPage(message = ''): string {
  return html(
    'PDU sign in (demo)',
    `${message ? `<p>${message}</p>` : ''}<form method="post" action="/login"><label>User <input id="user" name="user"></label>` +
      `<label>Password <input id="pass" name="pass" type="password"></label><button id="login" type="submit">Sign in</button></form>`,
  );
}

/** A meter answering JSON: `{"energy": {"kwh": …}, "power": {"kw": …}}`. */
export function startDemoHttpMeter(rack: DemoRack, port?: number): Promise<DemoServer> {
  return listenLocal((request, response) => {
    if (!request.url?.startsWith('/meter.json')) return void response.writeHead(404).end();
    response.writeHead(200, { 'content-type': 'application/json' });
    response.end(
      JSON.stringify({
        energy: { kwh: Number(demoKwh(rack).toFixed(3)) },
        power: { kw: Number(demoKw(rack).toFixed(3)) },
      }),
    );
  }, port);
}

/** A Redfish service with one chassis: an `EnergykWh` sensor and `PowerControl` (basic auth). */
export function startDemoRedfish(
  rack: DemoRack,
  credentials: { username: string; password: string },
  port?: number,
): Promise<DemoServer> {
  const expected = `Basic ${Buffer.from(`${credentials.username}:${credentials.password}`).toString('base64')}`;
  const link = (path: string) => ({ '@odata.id': `/redfish/v1${path}` });
  const resources: Record<string, () => unknown> = {
    '': () => ({ '@odata.id': '/redfish/v1', Name: 'Demo BMC', RedfishVersion: '1.15.0', Chassis: link('/Chassis') }),
    '/Chassis': () => ({
      '@odata.id': '/redfish/v1/Chassis',
      Members: [link('/Chassis/Demo')],
      'Members@odata.count': 1,
    }),
    '/Chassis/Demo': () => ({
      '@odata.id': '/redfish/v1/Chassis/Demo',
      Id: 'Demo',
      Sensors: link('/Chassis/Demo/Sensors'),
      Power: link('/Chassis/Demo/Power'),
    }),
    '/Chassis/Demo/Sensors': () => ({ Members: [link('/Chassis/Demo/Sensors/Energy')], 'Members@odata.count': 1 }),
    '/Chassis/Demo/Sensors/Energy': () => ({
      '@odata.id': '/redfish/v1/Chassis/Demo/Sensors/Energy',
      Id: 'Energy',
      ReadingType: 'EnergykWh',
      Reading: Number(demoKwh(rack).toFixed(3)),
      ReadingUnits: 'kW.h',
    }),
    '/Chassis/Demo/Power': () => ({
      PowerControl: [{ MemberId: '0', PowerConsumedWatts: Math.round(demoKw(rack) * 1000) }],
    }),
  };
  return listenLocal((request, response) => {
    if (request.headers.authorization !== expected)
      return void response.writeHead(401, { 'www-authenticate': 'Basic realm="BMC"' }).end();
    const path = new URL(request.url ?? '/', 'http://bmc').pathname.replace(/^\/redfish\/v1/, '').replace(/\/$/, '');
    const resource = resources[path];
    if (!resource) return void response.writeHead(404, { 'content-type': 'application/json' }).end('{}');
    response.writeHead(200, { 'content-type': 'application/json' });
    response.end(JSON.stringify(resource()));
  }, port);
}
