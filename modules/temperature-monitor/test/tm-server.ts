import { fileURLToPath } from 'node:url';
import { apiRequest } from '../../../dist/test/helpers/web-client.js';
import { installAndEnable } from '../../../dist/test/helpers/modules.js';
import { startTestServer, type TestServer, type TestServerOptions } from '../../../dist/test/helpers/server.js';

/** The module's folder: what `modules/temperature-monitor` holds, as NxForge loads it. */
export const moduleDir = fileURLToPath(new URL('..', import.meta.url));

/** The module's API prefix. */
export const apiBase = '/api/v1/m/temperature-monitor';

/** A server with the Temperature Monitor installed and enabled, and an administrator's API token. */
export interface TemperatureServer {
  server: TestServer;
  token: string;
  /** Calls the module's API (`path` relative to its prefix) as the administrator. */
  api(method: string, path: string, body?: unknown): Promise<{ status: number; body: any }>;
}

/** Starts a test server with the module, as a bundled module would be. */
export async function startTemperatureServer(options: TestServerOptions = {}): Promise<TemperatureServer> {
  const server = await startTestServer(options);
  await installAndEnable(server, moduleDir);
  const admin = await server.services.users.findForLogin('admin');
  const { token } = await server.services.apiTokens.create(admin!.user.id, 'tests');
  return {
    server,
    token,
    api: (method, path, body) =>
      apiRequest(server.url, token, method, `${apiBase}${path}`, body) as Promise<{ status: number; body: any }>,
  };
}
