import http from 'node:http';
import https from 'node:https';
import type { ModuleServices } from 'nxforge/module';
import { notRedfish, redfishFailure, statusOf } from './redfish-errors.js';
import { createRedfishSessions, type SessionStore } from './redfish-sessions.js';

/** A Redfish resource: a JSON object with `@odata.id` links. */
export type RedfishResource = Record<string, unknown>;

/** How to reach one BMC's Redfish service. */
export interface RedfishTarget {
  /** The service's base URL (`https://10.0.9.5`); `/redfish/v1` is below it. */
  baseUrl: string;
  username: string;
  password: string;
  /** Basic auth on every request, or one Redfish session reused (kept in a `SessionStore`). */
  auth: 'basic' | 'session';
  /** Refuse certificates that are not trusted (default); off for a BMC's self-signed certificate. */
  verifyTls: boolean;
}

/** GETs of one BMC's resources, authenticated; closes its connections when done. */
export interface RedfishClient {
  /** The resource at a path (`/redfish/v1/Chassis`) or a full URL on the BMC. */
  get(path: string): Promise<RedfishResource>;
  /** Closes kept-alive connections. */
  close(): void;
}

/** A timeout per request: a BMC is slow, but a poll must not stall on one. */
const requestTimeoutMs = 10_000;

/** Connection agents for one BMC: a few kept-alive sockets, certificates checked unless switched off. */
export function redfishAgents(verifyTls: boolean): { httpAgent: http.Agent; httpsAgent: https.Agent } {
  const options = { keepAlive: true, maxSockets: 4 };
  return {
    httpAgent: new http.Agent(options),
    httpsAgent: new https.Agent({ ...options, rejectUnauthorized: verifyTls }),
  };
}

/** Creates a client over the core HTTP service (`ctx.services.http`). */
export function createRedfishClient(
  httpService: ModuleServices['http'],
  target: RedfishTarget,
  sessionStore?: SessionStore,
): RedfishClient {
  const agents = redfishAgents(target.verifyTls);
  const { httpAgent, httpsAgent } = agents;
  const sessions =
    target.auth === 'session' && sessionStore
      ? createRedfishSessions(httpService, { ...target, agents }, sessionStore)
      : undefined;
  const client = httpService.createClient({
    baseURL: target.baseUrl,
    timeout: requestTimeoutMs,
    retries: 1,
    headers: { Accept: 'application/json' },
  });
  const request = async (path: string, token?: string) =>
    client.get<unknown>(path, {
      httpAgent,
      httpsAgent,
      maxRedirects: 5,
      responseType: 'text',
      ...(target.auth === 'basic'
        ? { auth: { username: target.username, password: target.password } }
        : { headers: { 'X-Auth-Token': token ?? '' } }),
    });

  const getOnce = async (path: string): Promise<RedfishResource> => {
    if (target.auth === 'basic' || !sessions) return parse(await request(path), path);
    const session = await sessions.current();
    try {
      return parse(await request(path, session.token), path);
    } catch (error) {
      if (statusOf(error) !== 401) throw error;
      // The BMC ended the session (timeout, reboot): sign in again once.
      const renewed = await sessions.renew(session);
      return parse(await request(path, renewed.token), path);
    }
  };

  return {
    get: async (path) => {
      try {
        return await getOnce(path);
      } catch (error) {
        throw redfishFailure(error, path);
      }
    },
    close: () => {
      httpAgent.destroy();
      httpsAgent.destroy();
    },
  };
}

/** The body as a Redfish object; an HTML page or anything else is a clear error. */
function parse(response: { data: unknown; headers: Record<string, unknown> }, path: string): RedfishResource {
  const type = String(response.headers['content-type'] ?? '');
  const text = typeof response.data === 'string' ? response.data : JSON.stringify(response.data);
  if (/text\/html/i.test(type) || /^\s*</.test(text)) throw notRedfish(path, 'it answered an HTML page');
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    throw notRedfish(path, `it answered ${type || 'something'} that is not JSON`);
  }
  if (body === null || typeof body !== 'object' || Array.isArray(body)) throw notRedfish(path, 'not a JSON object');
  return body as RedfishResource;
}
