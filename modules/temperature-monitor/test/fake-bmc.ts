import { randomBytes } from 'node:crypto';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import http from 'node:http';
import https from 'node:https';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/** The DMTF mockup copied into the module's test fixtures (see its LICENSE.md). */
export const mockupDir = fileURLToPath(new URL('../test/fixtures/redfish/public-rackmount1', import.meta.url));

/** Credentials the fake BMC accepts. */
export const bmcCredentials = { username: 'root', password: 'calvin-0' } as const;

/** How the fake BMC misbehaves, when asked to. */
export type BmcMode = 'normal' | 'html' | 'redirect-loop' | 'down';

/** A request the BMC received. */
export interface BmcRequest {
  method: string;
  path: string;
  auth: 'basic' | 'token' | 'none' | 'bad';
}

/**
 * DMTF's public-rackmount1 mockup served on 127.0.0.1 like a BMC: the service root open, everything else behind
 * basic auth or a Redfish session (at most `maxSessions` at once, like iDRAC's limit). Tests change readings,
 * remove resources and switch modes to make it misbehave.
 */
export interface FakeBmc {
  url: string;
  readonly requests: BmcRequest[];
  /** Active session tokens. */
  readonly sessions: Map<string, string>;
  /** Sessions ever created, and refused for the limit. */
  stats: { created: number; refused: number; deleted: number };
  maxSessions: number;
  mode: BmcMode;
  /** A resource by path (`/redfish/v1/Chassis/1U/Thermal`), to change it in place. */
  resource(path: string): Record<string, unknown>;
  /** Sets the `ReadingCelsius` of the Thermal member named `name`. */
  setThermal(name: string, celsius: number | null): void;
  /** Sets the `Reading` of the Sensor at `/redfish/v1/Chassis/1U/Sensors/<id>`. */
  setSensor(id: string, reading: number | null): void;
  /** Removes a resource (it answers 404 from then on). */
  remove(path: string): void;
  /** Ends every session, as a BMC reboot would. */
  dropSessions(): void;
  close(): Promise<void>;
}

/** Loads every `index.json` of the mockup into a map by resource path. */
function loadMockup(): Map<string, Record<string, unknown>> {
  const resources = new Map<string, Record<string, unknown>>();
  const walk = (dir: string, at: string) => {
    for (const entry of readdirSync(dir)) {
      const full = path.join(dir, entry);
      if (statSync(full).isDirectory()) walk(full, `${at}/${entry}`);
      else if (entry === 'index.json')
        resources.set(at, JSON.parse(readFileSync(full, 'utf8')) as Record<string, unknown>);
    }
  };
  walk(mockupDir, '/redfish/v1');
  return resources;
}

/** Starts the fake BMC (HTTPS with `tls`, a self-signed certificate). */
export async function startFakeBmc(
  options: { maxSessions?: number; tls?: { key: string; cert: string }; withoutSensors?: boolean } = {},
): Promise<FakeBmc> {
  const resources = loadMockup();
  if (options.withoutSensors) {
    // An older BMC: only the Thermal resource, no Sensors collection.
    delete resources.get('/redfish/v1/Chassis/1U')?.Sensors;
    for (const key of [...resources.keys()])
      if (key.startsWith('/redfish/v1/Chassis/1U/Sensors')) resources.delete(key);
  }
  const sessions = new Map<string, string>();
  const requests: BmcRequest[] = [];
  const state = {
    mode: 'normal' as BmcMode,
    maxSessions: options.maxSessions ?? 8,
    stats: { created: 0, refused: 0, deleted: 0 },
  };

  const authOf = (request: http.IncomingMessage): BmcRequest['auth'] => {
    const token = request.headers['x-auth-token'];
    if (typeof token === 'string') return [...sessions.values()].includes(token) ? 'token' : 'bad';
    const header = request.headers.authorization ?? '';
    if (!header) return 'none';
    const expected = `Basic ${Buffer.from(`${bmcCredentials.username}:${bmcCredentials.password}`).toString('base64')}`;
    return header === expected ? 'basic' : 'bad';
  };

  const handler: http.RequestListener = (request, response) => {
    const url = new URL(request.url ?? '/', 'http://bmc');
    const resourcePath = url.pathname.replace(/\/+$/, '') || '/';
    const auth = authOf(request);
    requests.push({ method: request.method ?? 'GET', path: resourcePath, auth });
    const json = (status: number, body: unknown, headers: Record<string, string> = {}) => {
      response.writeHead(status, { 'content-type': 'application/json', ...headers });
      response.end(JSON.stringify(body));
    };
    if (state.mode === 'down') return void request.socket.destroy();
    if (state.mode === 'html') {
      response.writeHead(200, { 'content-type': 'text/html' });
      return void response.end('<!doctype html><html><body><form action="/login">Sign in</form></body></html>');
    }
    if (state.mode === 'redirect-loop') {
      response.writeHead(302, {
        location: url.pathname.endsWith('/') ? url.pathname.slice(0, -1) : `${url.pathname}/`,
      });
      return void response.end();
    }
    const sessionsPath = '/redfish/v1/SessionService/Sessions';
    if (request.method === 'POST' && resourcePath === sessionsPath) {
      let body = '';
      request.on('data', (chunk: Buffer) => (body += chunk.toString()));
      request.on('end', () => {
        const given = JSON.parse(body || '{}') as { UserName?: string; Password?: string };
        if (given.UserName !== bmcCredentials.username || given.Password !== bmcCredentials.password) {
          return json(401, { error: { code: 'Base.1.0.NoValidSession' } });
        }
        if (sessions.size >= state.maxSessions) {
          state.stats.refused += 1;
          return json(503, {
            error: {
              code: 'Base.1.8.SessionLimitExceeded',
              message:
                'The session establishment failed due to the number of simultaneous sessions exceeding the limit of the implementation.',
            },
          });
        }
        const id = randomBytes(6).toString('hex');
        const token = randomBytes(16).toString('hex');
        sessions.set(id, token);
        state.stats.created += 1;
        json(
          201,
          { '@odata.id': `${sessionsPath}/${id}`, Id: id, UserName: given.UserName },
          { 'x-auth-token': token, location: `${sessionsPath}/${id}` },
        );
      });
      return;
    }
    // The service root answers without credentials, as the Redfish specification wants.
    if (resourcePath !== '/redfish/v1' && auth !== 'basic' && auth !== 'token')
      return json(401, { error: { code: 'Base.1.0.NoValidSession' } });
    if (request.method === 'DELETE' && resourcePath.startsWith(`${sessionsPath}/`)) {
      const id = resourcePath.slice(sessionsPath.length + 1);
      if (!sessions.delete(id)) return json(404, {});
      state.stats.deleted += 1;
      response.writeHead(204);
      return void response.end();
    }
    const resource = resources.get(resourcePath);
    if (request.method !== 'GET' || !resource) return json(404, { error: { code: 'Base.1.0.ResourceMissingAtURI' } });
    json(200, resource);
  };

  const server = options.tls ? https.createServer(options.tls, handler) : http.createServer(handler);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  const resource = (at: string) => {
    const found = resources.get(at);
    if (!found) throw new Error(`no resource ${at}`);
    return found;
  };
  return {
    url: `${options.tls ? 'https' : 'http'}://127.0.0.1:${port}`,
    requests,
    sessions,
    get stats() {
      return state.stats;
    },
    set stats(value) {
      state.stats = value;
    },
    get maxSessions() {
      return state.maxSessions;
    },
    set maxSessions(value) {
      state.maxSessions = value;
    },
    get mode() {
      return state.mode;
    },
    set mode(value) {
      state.mode = value;
    },
    resource,
    setThermal(name, celsius) {
      const members = resource('/redfish/v1/Chassis/1U/Thermal').Temperatures as Array<Record<string, unknown>>;
      const member = members.find((m) => m.Name === name);
      if (!member) throw new Error(`no Thermal member ${name}`);
      if (celsius === null) delete member.ReadingCelsius;
      else member.ReadingCelsius = celsius;
    },
    setSensor(id, reading) {
      resource(`/redfish/v1/Chassis/1U/Sensors/${id}`).Reading = reading;
    },
    remove(at) {
      resources.delete(at);
    },
    dropSessions() {
      sessions.clear();
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
