import type { HostRow } from '../store/host-store.js';

/** The host form's fields, named as the API's JSON paths (`labels.rack`), as text. */
export type HostFormValues = Record<string, string | boolean>;

/**
 * The form as flat `a.b` keys: the body parser reads dotted names as nested objects (`labels.room` →
 * `{labels: {room}}`), the form's own names are the dotted ones.
 */
export function flattenForm(form: Record<string, unknown>, prefix = ''): Record<string, unknown> {
  const flat: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(form)) {
    if (value !== null && typeof value === 'object' && !Array.isArray(value))
      Object.assign(flat, flattenForm(value as Record<string, unknown>, `${prefix}${key}.`));
    else flat[`${prefix}${key}`] = value;
  }
  return flat;
}

/** Form fields → the API's JSON shape, for `parseHostInput`. An unchecked checkbox sends nothing: false. */
export function hostBodyFromForm(nested: Record<string, unknown>): Record<string, unknown> {
  const form = flattenForm(nested);
  const text = (key: string) => (typeof form[key] === 'string' ? (form[key] as string) : '');
  const checked = (key: string) => form[key] === 'true' || form[key] === 'on';
  return {
    name: text('name'),
    address: text('address'),
    source: text('source'),
    username: text('username'),
    password: text('password') === '' ? undefined : text('password'),
    pollIntervalSeconds: text('pollIntervalSeconds').trim() === '' ? null : text('pollIntervalSeconds').trim(),
    enabled: checked('enabled'),
    labels: { rack: text('labels.rack'), room: text('labels.room') },
    redfish: { auth: text('redfish.auth') || 'basic', verifyTls: checked('redfish.verifyTls') },
    ipmi: { interface: text('ipmi.interface') || 'lanplus', cipherSuite: text('ipmi.cipherSuite').trim() },
    scrape: { url: text('scrape.url').trim(), sensors: sensorLines(text('scrape.sensors')) },
  };
}

/** `name | selector` per line. */
function sensorLines(text: string): Array<{ name: string; selector: string }> {
  return text
    .split(/\r?\n/)
    .filter((line) => line.trim() !== '')
    .map((line) => {
      const bar = line.indexOf('|');
      return bar === -1
        ? { name: line.trim(), selector: '' }
        : { name: line.slice(0, bar).trim(), selector: line.slice(bar + 1).trim() };
    });
}

/** A host's values for the edit form (the password is never filled in). */
export function hostFormValues(host?: HostRow): HostFormValues {
  return {
    name: host?.name ?? '',
    address: host?.address ?? '',
    source: host?.source ?? 'redfish',
    username: host?.username ?? '',
    pollIntervalSeconds:
      host?.poll_interval_seconds === null || host === undefined ? '' : String(host.poll_interval_seconds),
    enabled: host?.enabled ?? true,
    'labels.rack': host?.rack ?? '',
    'labels.room': host?.room ?? '',
    'redfish.auth': host?.options.redfish?.auth ?? 'basic',
    'redfish.verifyTls': host?.options.redfish?.verifyTls ?? true,
    'ipmi.interface': host?.options.ipmi?.interface ?? 'lanplus',
    'ipmi.cipherSuite':
      host?.options.ipmi?.cipherSuite === null || !host?.options.ipmi ? '' : String(host.options.ipmi.cipherSuite),
    'scrape.url': host?.options.scrape?.url ?? '',
    'scrape.sensors': (host?.options.scrape?.sensors ?? []).map((s) => `${s.name} | ${s.selector}`).join('\n'),
  };
}

/** The form's values as submitted, to show them again next to their errors. */
export function submittedValues(nested: Record<string, unknown>): HostFormValues {
  const form = flattenForm(nested);
  const values: HostFormValues = {};
  for (const [key, value] of Object.entries(form))
    if (typeof value === 'string' && key !== 'password') values[key] = value;
  for (const box of ['enabled', 'redfish.verifyTls']) values[box] = form[box] === 'true' || form[box] === 'on';
  return values;
}

/** Per-field errors keyed for the form: every scrape sensor's error becomes the textarea's, naming the line. */
export function formErrors(errors: Record<string, string>): Record<string, string> {
  const result: Record<string, string> = {};
  for (const [key, message] of Object.entries(errors)) {
    const line = /^scrape\.sensors\[(\d+)\]/.exec(key);
    if (line) result['scrape.sensors'] ??= `Line ${Number(line[1]) + 1}: ${message}`;
    else result[key] = message;
  }
  return result;
}
