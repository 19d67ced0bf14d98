import type { ModuleServices } from 'nxforge/module';
import { SourceError } from '../source-types.js';
import { redfishFailure, statusOf } from './redfish-errors.js';

/** A Redfish session: the token sent as `X-Auth-Token`, and the session's URI to delete it. */
export interface RedfishSession {
  token: string;
  uri: string;
}

/**
 * Where a host's one session is kept between polls (the host's row), so that every poll, in any job run or
 * process, reuses it: a BMC allows few sessions and must never be run out of them.
 */
export interface SessionStore {
  /** The stored session, if any. */
  load(): Promise<RedfishSession | null>;
  /**
   * Under a lock on the host: returns the stored session unless it is `stale` (or there is none), in which case
   * `create` makes one and it is stored. Two polls that find the session expired create one new session, not two.
   */
  replace(stale: RedfishSession | null, create: () => Promise<RedfishSession>): Promise<RedfishSession>;
}

/** The session of one host, created on first use and renewed when the BMC ends it. */
export interface RedfishSessions {
  current(): Promise<RedfishSession>;
  renew(stale: RedfishSession): Promise<RedfishSession>;
}

/** How a session is signed into and out of. */
export interface SessionEndpoint {
  baseUrl: string;
  username: string;
  password: string;
  /** The agents of the host's client (certificate checking as configured). */
  agents: { httpAgent: unknown; httpsAgent: unknown };
}

const sessionsPath = '/redfish/v1/SessionService/Sessions';

/** Sessions of one host over the core HTTP service, kept in `store`. */
export function createRedfishSessions(
  http: ModuleServices['http'],
  endpoint: SessionEndpoint,
  store: SessionStore,
): RedfishSessions {
  let known: RedfishSession | null | undefined;
  const create = () => openSession(http, endpoint);
  return {
    current: async () => {
      known ??= await store.load();
      known ??= await store.replace(null, create);
      return known;
    },
    renew: async (stale) => {
      known = await store.replace(stale, create);
      return known;
    },
  };
}

/** Signs in: POST to the session collection; the BMC answers the token in a header and the session's URI. */
export async function openSession(http: ModuleServices['http'], endpoint: SessionEndpoint): Promise<RedfishSession> {
  const client = http.createClient({ baseURL: endpoint.baseUrl, timeout: 10_000, retries: 0 });
  let response;
  try {
    response = await client.post(
      sessionsPath,
      { UserName: endpoint.username, Password: endpoint.password },
      { ...endpoint.agents, maxRedirects: 0 },
    );
  } catch (error) {
    const status = statusOf(error);
    if (status !== undefined && status !== 401 && status !== 403) {
      throw new SourceError(
        'TM_REDFISH_SESSION_REFUSED',
        `The BMC refused a new Redfish session (HTTP ${status}); it may have reached its session limit. Sessions NxForge opened are reused and deleted when it stops; end stale ones on the BMC or use basic auth for this host.`,
        'error',
        { cause: error },
      );
    }
    throw redfishFailure(error, sessionsPath);
  }
  const token = String(response.headers['x-auth-token'] ?? '');
  const body = (response.data ?? {}) as { '@odata.id'?: string };
  const location = String(response.headers.location ?? body['@odata.id'] ?? '');
  if (!token || !location) {
    throw new SourceError(
      'TM_REDFISH_SESSION_REFUSED',
      'The BMC answered the sign-in without an X-Auth-Token header or a session location.',
      'error',
    );
  }
  return { token, uri: new URL(location, `${endpoint.baseUrl}/`).pathname };
}

/** Signs out: DELETE the session. A session the BMC already ended is gone either way. */
export async function closeSession(
  http: ModuleServices['http'],
  endpoint: Pick<SessionEndpoint, 'baseUrl' | 'agents'>,
  session: RedfishSession,
): Promise<void> {
  const client = http.createClient({ baseURL: endpoint.baseUrl, timeout: 5_000, retries: 0 });
  try {
    await client.delete(session.uri, { ...endpoint.agents, headers: { 'X-Auth-Token': session.token } });
  } catch (error) {
    const status = statusOf(error);
    if (status !== 401 && status !== 404) throw redfishFailure(error, session.uri);
  }
}
