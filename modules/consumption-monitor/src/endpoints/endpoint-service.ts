import { readWithStoredState } from '../collect/collect.js';
import { forgetLiveTiles } from '../live/live-data.js';
import { numberSetting, type Runtime } from '../runtime.js';
import type { ReadOutcome } from '../sources/read-endpoint.js';
import type { Endpoint } from './endpoint.js';
import { validateEndpoint } from './endpoint-validation.js';

/** The result of saving: the endpoint, or the problems per field and the status to answer with. */
export type SaveResult =
  | { ok: true; endpoint: Endpoint }
  | { ok: false; status: 404 | 409 | 422; code: string; message: string; errors: Record<string, string> };

/** Creates (no `id`) or replaces an endpoint from a client's body, validated as docs/consumption-monitor.md says. */
export async function saveEndpoint(runtime: Runtime, body: unknown, id?: string): Promise<SaveResult> {
  const existing = id ? await runtime.endpoints.get(id) : undefined;
  if (id && !existing)
    return { ok: false, status: 404, code: 'NXF_NOT_FOUND', message: 'No such endpoint.', errors: {} };
  const stored = existing ? await runtime.endpoints.secretsOf(existing.id).catch(() => ({})) : {};
  const { settings, secrets, errors } = validateEndpoint(body, {
    defaultPollInterval: numberSetting(runtime, 'defaultPollInterval', 15),
    stored,
  });
  if (Object.keys(errors).length > 0) {
    return { ok: false, status: 422, code: 'NXF_VALIDATION', message: 'The endpoint has errors; see details.', errors };
  }
  if (await runtime.endpoints.nameTaken(settings.name, id)) {
    const message = `An endpoint named "${settings.name}" exists already.`;
    return { ok: false, status: 409, code: 'NXF_CONFLICT', message, errors: { name: message } };
  }
  try {
    const endpoint = existing
      ? await runtime.endpoints.update(existing.id, settings, secrets)
      : await runtime.endpoints.create(settings, secrets);
    forgetLiveTiles(runtime);
    return { ok: true, endpoint: endpoint! };
  } catch (error) {
    // Two saves racing for one name: the unique index decides.
    if ((error as { name?: string }).name === 'SequelizeUniqueConstraintError') {
      const message = `An endpoint named "${settings.name}" exists already.`;
      return { ok: false, status: 409, code: 'NXF_CONFLICT', message, errors: { name: message } };
    }
    throw error;
  }
}

/** Reads an endpoint once now, storing no reading (the "Test" button). */
export async function testEndpoint(runtime: Runtime, endpoint: Endpoint): Promise<Omit<ReadOutcome, 'cookies'>> {
  const { cookies: _kept, ...outcome } = await readWithStoredState(runtime, endpoint, true);
  forgetLiveTiles(runtime);
  return outcome;
}

/** Deletes an endpoint with its readings and ledger; false when there was none. */
export async function deleteEndpoint(runtime: Runtime, id: string): Promise<boolean> {
  const deleted = await runtime.endpoints.delete(id);
  forgetLiveTiles(runtime);
  return deleted;
}
