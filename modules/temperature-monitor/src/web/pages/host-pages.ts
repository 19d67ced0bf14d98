import type { ModuleContext } from 'nxforge/module';
import { parseHostInput } from '../../hosts/host-input.js';
import type { HostActions } from '../../hosts/host-actions.js';
import { pollHosts } from '../../poll/poll-hosts.js';
import type { PollDeps } from '../../poll/poll-host.js';
import { createHostStore } from '../../store/host-store.js';
import { createSensorStore } from '../../store/sensor-store.js';
import type { Sql } from '../../store/sql.js';
import { formErrors, hostBodyFromForm, hostFormValues, submittedValues } from '../host-form.js';
import { presentDiscovered } from '../present.js';
import { ageOf } from '../tiles.js';
import { formOf, idParam, stylesheet, type PageRequest } from './page-kit.js';

/** Hosts: the list, adding and changing one, discovering and tracking its sensors, polling it now. */
export function registerHostPages(ctx: ModuleContext, sql: Sql, actions: HostActions, pollDeps: () => PollDeps): void {
  const { ui } = ctx;
  const hosts = createHostStore(sql);
  const sensors = createSensorStore(sql);

  const showForm = (
    request: PageRequest,
    data: { host?: { id: number; name: string }; values: Record<string, unknown>; errors: Record<string, string> },
    status?: number,
  ) => {
    const title = data.host ? `Change ${data.host.name}` : 'Add a host';
    request.body = ctx.render('hosts/form', { title, stylesheet, ...data }, { status });
  };

  ui.get('/temperature/hosts', async (request) => {
    const now = new Date();
    const rows = (await hosts.list()).map((host) => ({ ...host, age: ageOf(host.last_polled_at, now) }));
    request.body = ctx.render('hosts/index', { title: 'Hosts', stylesheet, hosts: rows });
  });

  ui.get('/temperature/hosts/new', (request) => showForm(request, { values: hostFormValues(), errors: {} }));

  ui.post('/temperature/hosts', async (request) => {
    const form = formOf(request);
    const parsed = parseHostInput(hostBodyFromForm(form));
    if (!parsed.ok) return showForm(request, { values: submittedValues(form), errors: formErrors(parsed.errors) }, 422);
    const host = await actions.create(parsed.value);
    ctx.flash('success', `${host.name} added. Discover its sensors to choose which to track.`);
    request.redirect(`/temperature/hosts/${host.id}`);
  });

  ui.get('/temperature/hosts/:id', async (request) => {
    const host = await actions.found(idParam(ctx, request));
    const tracked = await sensors.ofHost(host.id);
    request.body = ctx.render('hosts/detail', {
      title: host.name,
      stylesheet,
      host,
      tracked,
      age: ageOf(host.last_polled_at, new Date()),
    });
  });

  ui.get('/temperature/hosts/:id/edit', async (request) => {
    const host = await actions.found(idParam(ctx, request));
    showForm(request, { host, values: hostFormValues(host), errors: {} });
  });

  ui.post('/temperature/hosts/:id', async (request) => {
    const host = await actions.found(idParam(ctx, request));
    const form = formOf(request);
    const parsed = parseHostInput(hostBodyFromForm(form), host);
    if (!parsed.ok)
      return showForm(request, { host, values: submittedValues(form), errors: formErrors(parsed.errors) }, 422);
    await actions.update(host.id, parsed.value);
    ctx.flash('success', `${parsed.value.name} saved.`);
    request.redirect(`/temperature/hosts/${host.id}`);
  });

  ui.post('/temperature/hosts/:id/delete', async (request) => {
    const host = await actions.found(idParam(ctx, request));
    await actions.remove(host.id);
    ctx.flash('success', `${host.name} removed, with its sensors, readings and alerts.`);
    request.redirect('/temperature/hosts');
  });

  ui.post('/temperature/hosts/:id/discover', async (request) => {
    const host = await actions.found(idParam(ctx, request));
    const trackedKeys = new Set((await sensors.ofHost(host.id)).map((s) => s.key));
    let discovered: Array<ReturnType<typeof presentDiscovered> & { tracked: boolean }> = [];
    let error: string | null = null;
    try {
      discovered = (await actions.discover(host.id)).map((s) => ({
        ...presentDiscovered(s),
        tracked: trackedKeys.has(s.key),
      }));
    } catch (failure) {
      const { code, message } = failure as { code?: string; message?: string };
      if (!code || code === 'NXF_NOT_FOUND') throw failure;
      error = `${message} (${code})`;
    }
    request.body = ctx.render('hosts/discover', {
      title: `Sensors of ${host.name}`,
      stylesheet,
      host,
      discovered,
      error,
    });
  });

  ui.post('/temperature/hosts/:id/track', async (request) => {
    const host = await actions.found(idParam(ctx, request));
    const picked = formOf(request).keys;
    const keys = (Array.isArray(picked) ? picked : picked === undefined ? [] : [picked]).filter(
      (k): k is string => typeof k === 'string',
    );
    if (keys.length === 0) {
      ctx.flash('warning', 'Pick at least one sensor to track.');
      return request.redirect(`/temperature/hosts/${host.id}`);
    }
    const tracked = await actions.track(host.id, keys);
    ctx.flash('success', `Tracking ${tracked.length} sensor${tracked.length === 1 ? '' : 's'} of ${host.name}.`);
    request.redirect(`/temperature/hosts/${host.id}`);
  });

  ui.post('/temperature/hosts/:id/poll', async (request) => {
    const host = await actions.found(idParam(ctx, request));
    const summary = await pollHosts(pollDeps(), { all: true, concurrency: 1, hostId: host.id });
    const after = await hosts.get(host.id);
    if (after?.state === 'ok') ctx.flash('success', `${host.name} read: ${summary.readings} readings.`);
    else ctx.flash('error', `${host.name}: ${after?.error_message ?? 'not read'} (${after?.error_code ?? '?'})`);
    request.redirect(`/temperature/hosts/${host.id}`);
  });
}
