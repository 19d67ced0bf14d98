import type { ModuleContext } from 'nxforge/module';
import { endpointJson } from '../endpoints/endpoint-view.js';
import { deleteEndpoint, saveEndpoint, testEndpoint } from '../endpoints/endpoint-service.js';
import { storedSecretNames } from '../endpoints/endpoint-store.js';
import type { Endpoint } from '../endpoints/endpoint.js';
import type { Runtime } from '../runtime.js';

/** `/endpoints…` of the JSON API (docs/consumption-monitor.md pins the shapes). */
export function registerEndpointsApi(ctx: ModuleContext, runtime: Runtime): void {
  const present = async (endpoint: Endpoint) => {
    const latest = (await runtime.readings.latest()).get(endpoint.id);
    return endpointJson(endpoint, { latest, secrets: storedSecretNames(runtime.endpoints, endpoint), now: new Date() });
  };
  const find = async (id: string) =>
    (await runtime.endpoints.get(id)) ?? ctx.fail(404, 'NXF_NOT_FOUND', `No endpoint ${id}.`);

  ctx.api.get('/endpoints', async (request) => {
    const [endpoints, latest] = await Promise.all([runtime.endpoints.list(), runtime.readings.latest()]);
    const now = new Date();
    request.body = {
      endpoints: endpoints.map((endpoint) =>
        endpointJson(endpoint, {
          latest: latest.get(endpoint.id),
          secrets: storedSecretNames(runtime.endpoints, endpoint),
          now,
        }),
      ),
    };
  });
  ctx.api.get('/endpoints/:id', async (request) => {
    request.body = await present(await find(request.params.id!));
  });
  ctx.api.post('/endpoints', async (request) => {
    const saved = await saveEndpoint(runtime, request.request.body);
    if (!saved.ok) return ctx.fail(saved.status, saved.code, saved.message, saved.errors);
    request.status = 201;
    request.body = await present(saved.endpoint);
  });
  ctx.api.put('/endpoints/:id', async (request) => {
    const saved = await saveEndpoint(runtime, request.request.body, (await find(request.params.id!)).id);
    if (!saved.ok) return ctx.fail(saved.status, saved.code, saved.message, saved.errors);
    request.body = await present(saved.endpoint);
  });
  ctx.api.delete('/endpoints/:id', async (request) => {
    if (!(await deleteEndpoint(runtime, request.params.id!)))
      ctx.fail(404, 'NXF_NOT_FOUND', `No endpoint ${request.params.id}.`);
    request.status = 204;
  });
  ctx.api.post('/endpoints/:id/test', async (request) => {
    request.body = await testEndpoint(runtime, await find(request.params.id!));
  });
}
