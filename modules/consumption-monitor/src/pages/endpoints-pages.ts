import { SELECT } from '../db.js';
import type { ModuleContext, RequestContext } from 'nxforge/module';
import { endpointJson } from '../endpoints/endpoint-view.js';
import { deleteEndpoint, saveEndpoint, testEndpoint } from '../endpoints/endpoint-service.js';
import { storedSecretNames } from '../endpoints/endpoint-store.js';
import type { DemoDevices } from '../demo/demo-devices.js';
import { addDemoDevices } from '../api/demo-api.js';
import { numberSetting, type Runtime } from '../runtime.js';
import { endpointToForm, formErrors, formToBody } from './endpoint-form.js';

const base = '/consumption/endpoints';

/** An htmx request for part of the page (the core's rule: `HX-Request-Type: partial`). */
export const isFragment = (request: RequestContext) => request.get('HX-Request-Type') === 'partial';

/** After a write: htmx is told to load `path` (a fetch would follow a redirect silently); a browser is redirected. */
export function goTo(request: RequestContext, path: string): void {
  if (request.get('HX-Request')) {
    request.set('HX-Redirect', path);
    request.status = 200;
    request.body = '';
  } else {
    request.status = 303;
    request.redirect(path);
  }
}

/** The Endpoints page: list, create/edit dialog, delete with confirmation, Test. */
export function registerEndpointPages(ctx: ModuleContext, runtime: Runtime, demo: DemoDevices): void {
  const rows = async () => {
    const [endpoints, latest] = await Promise.all([runtime.endpoints.list(), runtime.readings.latest()]);
    const now = new Date();
    return endpoints.map(
      (endpoint) =>
        ({ ...endpointJson(endpoint, { latest: latest.get(endpoint.id), secrets: [], now }), now }) as Record<
          string,
          unknown
        >,
    );
  };
  const canWrite = (request: RequestContext) => request.state.user?.role !== 'viewer';
  const listPage = async (request: RequestContext, extra: Record<string, unknown> = {}, status?: number) => {
    const endpoints = await rows();
    request.body = ctx.render(
      'endpoints',
      {
        title: 'Endpoints',
        endpoints,
        canWrite: canWrite(request),
        demo: endpoints.some((e) => e.demo === true),
        ...extra,
      },
      { status },
    );
  };
  const formData = async (
    request: RequestContext,
    id: string | undefined,
    values?: Record<string, unknown>,
    errors = {},
  ) => ({
    title: id ? 'Edit endpoint' : 'Add endpoint',
    id,
    values:
      values ??
      endpointToForm(
        id ? await runtime.endpoints.get(id) : undefined,
        numberSetting(runtime, 'defaultPollInterval', 15),
      ),
    errors,
    stored: id ? await runtime.endpoints.get(id).then((e) => (e ? storedSecretNames(runtime.endpoints, e) : [])) : [],
    action: id ? `${base}/${id}` : base,
  });
  const showForm = async (request: RequestContext, id?: string) => {
    if (id && !(await runtime.endpoints.get(id))) return ctx.fail(404, 'NXF_NOT_FOUND', 'No such endpoint.');
    const data = await formData(request, id);
    // htmx: the dialog alone, into the page; otherwise the list with the dialog open on it.
    if (isFragment(request)) request.body = ctx.render('_endpoint-dialog', data);
    else await listPage(request, { dialog: data });
  };
  const submit = async (request: RequestContext, id?: string) => {
    const form = (request.request.body ?? {}) as Record<string, unknown>;
    const saved = await saveEndpoint(runtime, formToBody(form), id);
    if (saved.ok) {
      return goTo(request, base);
    }
    if (saved.status === 404) return ctx.fail(404, saved.code, saved.message);
    const data = await formData(request, id, form, formErrors(saved.errors));
    if (isFragment(request)) request.body = ctx.render('_endpoint-dialog', data, { status: 422 });
    else await listPage(request, { dialog: data }, 422);
  };

  ctx.ui.get('/consumption', (request) => request.redirect('/consumption/live'));
  ctx.ui.get(base, (request) => listPage(request));
  ctx.ui.get(`${base}/rows`, async (request) => {
    request.body = ctx.render('_endpoint-rows', { endpoints: await rows(), canWrite: canWrite(request) });
  });
  ctx.ui.get(`${base}/new`, (request) => showForm(request));
  ctx.ui.get(`${base}/:id/edit`, (request) => showForm(request, request.params.id));
  ctx.ui.post(base, (request) => submit(request));
  ctx.ui.post(`${base}/:id`, (request) => submit(request, request.params.id));
  ctx.ui.post('/consumption/demo-devices', async (request) => {
    await addDemoDevices(ctx, demo);
    goTo(request, '/consumption/live');
  });
  ctx.ui.post('/consumption/demo-devices/remove', async (request) => {
    await demo.remove();
    goTo(request, base);
  });
  ctx.ui.get(`${base}/:id/delete`, async (request) => {
    const endpoint =
      (await runtime.endpoints.get(request.params.id!)) ?? ctx.fail(404, 'NXF_NOT_FOUND', 'No such endpoint.');
    const [count] = await runtime.db.query<{ n: string }>(
      'SELECT count(*) AS n FROM cm_reading WHERE endpoint_id = $1',
      { bind: [endpoint.id], type: SELECT },
    );
    request.body = ctx.render('endpoint-delete', {
      title: `Delete ${endpoint.name}`,
      endpoint,
      readings: Number(count?.n ?? 0),
    });
  });
  ctx.ui.post(`${base}/:id/delete`, async (request) => {
    if (!(await deleteEndpoint(runtime, request.params.id!)))
      return ctx.fail(404, 'NXF_NOT_FOUND', 'No such endpoint.');
    goTo(request, base);
  });
  ctx.ui.post(`${base}/:id/test`, async (request) => {
    const endpoint =
      (await runtime.endpoints.get(request.params.id!)) ?? ctx.fail(404, 'NXF_NOT_FOUND', 'No such endpoint.');
    const result = await testEndpoint(runtime, endpoint);
    const data = { endpoint, result, title: `Test of ${endpoint.name}` };
    if (isFragment(request)) request.body = ctx.render('_test-result', data);
    else await listPage(request, { tested: data });
  });
  ctx.ui.get(`${base}/:id/screenshot`, async (request) => {
    const path = String(request.query.path ?? '');
    if (!/^screenshots\/[\w./-]+\.png$/.test(path) || path.includes('..'))
      return ctx.fail(400, 'NXF_VALIDATION', 'Not a screenshot path.');
    request.type = 'image/png';
    request.body = await runtime.services.storage.readFile(path);
  });
}
