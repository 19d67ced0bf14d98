import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { listenOnLoopback, type LoopbackServer } from '../../../../dist/test/fixtures/loopback.js';

/** The fixture trees under test/fixtures/redfish. */
export const redfishFixtures = fileURLToPath(new URL('../../test/fixtures/redfish/', import.meta.url));

/** A Redfish service on loopback serving a fixture tree (`/redfish/v1/X` → `<tree>/X/index.json`). */
export interface TestRedfish extends LoopbackServer {
  /** Fields merged into the resource at a path, e.g. a sensor's new `Reading`. */
  patches: Map<string, Record<string, unknown>>;
  /** Answer every request with an HTML page (a BMC's web UI where its API should be). */
  html: boolean;
  /** Paths requested, in order. */
  requests: string[];
}

/** Serves `tree` with HTTP basic auth when `credentials` are given. */
export async function startRedfish(
  tree: string,
  credentials?: { username: string; password: string },
): Promise<TestRedfish> {
  const root = path.join(redfishFixtures, tree);
  const state = { patches: new Map<string, Record<string, unknown>>(), html: false, requests: [] as string[] };
  const expected = credentials
    ? `Basic ${Buffer.from(`${credentials.username}:${credentials.password}`).toString('base64')}`
    : undefined;
  const server = await listenOnLoopback(async (request, response) => {
    const url = new URL(request.url ?? '/', 'http://bmc');
    const resource = url.pathname.replace(/\/+$/, '');
    state.requests.push(resource);
    if (expected && request.headers.authorization !== expected) {
      response.writeHead(401, { 'www-authenticate': 'Basic realm="BMC"', 'content-type': 'application/json' });
      return response.end('{"error":{"code":"Base.1.0.NoValidSession"}}');
    }
    if (state.html) {
      response.writeHead(200, { 'content-type': 'text/html' });
      return response.end('<!doctype html><html><body><h1>BMC web console</h1></body></html>');
    }
    const relative = resource.replace(/^\/redfish\/v1/, '');
    if (relative.includes('..') || !/^(\/[\w.-]+)*$/.test(relative)) return void response.writeHead(400).end();
    try {
      const json = JSON.parse(await readFile(path.join(root, relative, 'index.json'), 'utf8')) as Record<
        string,
        unknown
      >;
      response.writeHead(200, { 'content-type': 'application/json' });
      response.end(JSON.stringify({ ...json, ...state.patches.get(resource) }));
    } catch {
      response.writeHead(404, { 'content-type': 'application/json' });
      response.end('{"error":{"code":"Base.1.0.ResourceMissingAtURI"}}');
    }
  });
  return Object.assign(state, { url: server.url, port: server.port, close: server.close });
}
