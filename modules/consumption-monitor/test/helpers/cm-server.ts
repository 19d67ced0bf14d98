import { cp, mkdir, mkdtemp, rm } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { startTestServer, type TestServer, type TestServerOptions } from '../../../../dist/test/helpers/server.js';
import { apiRequest } from '../../../../dist/test/helpers/web-client.js';

/** The module's folder (manifest, dist, views, migrations, public). */
export const moduleRoot = fileURLToPath(new URL('../../', import.meta.url));
export const moduleName = 'consumption-monitor';

/** A NxForge with the consumption monitor bundled (and nothing else), an admin API token and API helpers. */
export interface CmServer {
  server: TestServer;
  token: string;
  /** Calls `/api/v1/m/consumption-monitor<path>`. */
  api(method: string, path: string, body?: unknown): Promise<{ status: number; body: any }>;
  /** Calls any API path. */
  core(method: string, path: string, body?: unknown): Promise<{ status: number; body: any }>;
  close(): Promise<void>;
}

/** Copies the module as the only bundled one and starts a server that installs and enables it at start. */
export async function startCmServer(options: TestServerOptions = {}): Promise<CmServer> {
  // Inside the installation, as bundled modules are: their packages resolve from the project's node_modules.
  const cache = path.join(moduleRoot, '..', '..', 'node_modules', '.cache');
  await mkdir(cache, { recursive: true });
  const bundled = await mkdtemp(path.join(cache, 'nxf-cm-bundled-'));
  await copyModule(path.join(bundled, moduleName));
  const server = await startTestServer({ bundledModulesDir: bundled, ...options });
  const admin = (await server.services.users.findForLogin('admin'))!.user;
  const { token } = await server.services.apiTokens.create(admin.id, 'cm-tests');
  return {
    server,
    token,
    api: (method, route, body) =>
      apiRequest(server.url, token, method, `/api/v1/m/${moduleName}${route}`, body) as Promise<{
        status: number;
        body: any;
      }>,
    core: (method, route, body) =>
      apiRequest(server.url, token, method, route, body) as Promise<{ status: number; body: any }>,
    close: async () => {
      await server.close();
      await rm(bundled, { recursive: true, force: true });
    },
  };
}

/** The module's files as a bundled folder holds them (no tests). */
export async function copyModule(target: string): Promise<void> {
  await cp(moduleRoot, target, {
    recursive: true,
    filter: (source) => !/[/\\](test|dist-test|node_modules)([/\\]|$)/.test(source.slice(moduleRoot.length - 1)),
  });
}
