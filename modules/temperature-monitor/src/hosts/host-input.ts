import { parseIpmiAddress } from '../sources/ipmi-source.js';
import type { SourceKind } from '../sources/source-types.js';
import type { HostRow, HostWrite, IpmiOptions, RedfishOptions, ScrapeOptions } from '../store/host-store.js';

/** A host as the API and the form give it; `password` undefined keeps the stored one. */
export interface HostInput extends HostWrite {
  password: string | undefined;
}

/** The outcome of reading a host's input: the values, or a message per invalid field. */
export type HostInputResult = { ok: true; value: HostInput } | { ok: false; errors: Record<string, string> };

const sources: readonly SourceKind[] = ['redfish', 'ipmi', 'scrape'];

/**
 * Reads a host from JSON (the API's shape: `labels: {rack, room}`, `scrape: {url, sensors}`, `redfish`, `ipmi`),
 * over `current` when changing a host (fields left out keep their value).
 */
export function parseHostInput(body: unknown, current?: HostRow): HostInputResult {
  const input = isObject(body) ? body : {};
  const errors: Record<string, string> = {};
  const labels = isObject(input.labels) ? input.labels : {};
  const text = (value: unknown, fallback: string, field: string, max: number, required = false) => {
    const result =
      value === undefined || value === null ? fallback : typeof value === 'string' ? value.trim() : undefined;
    if (result === undefined) errors[field] = 'Must be text.';
    else if (required && result === '') errors[field] = 'Required.';
    else if (result.length > max) errors[field] = `At most ${max} characters.`;
    return result ?? '';
  };

  const name = text(input.name, current?.name ?? '', 'name', 100, true);
  const source = (input.source ?? current?.source ?? '') as SourceKind;
  if (!sources.includes(source)) errors.source = 'Choose redfish, ipmi or scrape.';
  const username = text(input.username, current?.username ?? '', 'username', 100);
  const password =
    input.password === undefined || input.password === null || input.password === '' ? undefined : input.password;
  if (password !== undefined && (typeof password !== 'string' || password.length > 200))
    errors.password = 'At most 200 characters of text.';
  const pollIntervalSeconds = intervalOf(input, current, errors);
  const enabled = input.enabled === undefined ? (current?.enabled ?? true) : input.enabled;
  if (typeof enabled !== 'boolean') errors.enabled = 'Must be true or false.';
  const rack = text(labels.rack, current?.rack ?? '', 'labels.rack', 60);
  const room = text(labels.room, current?.room ?? '', 'labels.room', 60);
  const options = optionsOf(input, source, current, errors);
  const address = addressOf(input.address, current?.address ?? '', source, options.scrape, errors);
  if (Object.keys(errors).length > 0) return { ok: false, errors };
  return {
    ok: true,
    value: {
      name,
      address,
      source,
      username,
      password: password as string | undefined,
      pollIntervalSeconds,
      enabled: enabled as boolean,
      rack,
      room,
      options,
    },
  };
}

function isObject(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

function intervalOf(
  input: Record<string, unknown>,
  current: HostRow | undefined,
  errors: Record<string, string>,
): number | null {
  const raw =
    input.pollIntervalSeconds === undefined ? (current?.poll_interval_seconds ?? null) : input.pollIntervalSeconds;
  if (raw === null || raw === '') return null;
  const value = typeof raw === 'string' ? Number(raw) : raw;
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 60 || value > 86_400) {
    errors.pollIntervalSeconds = 'Whole seconds from 60 to 86400, or empty for the module setting.';
    return null;
  }
  return value;
}

/**
 * The address per source: a Redfish service's base URL (without `/redfish/v1`, which is appended), an IPMI host
 * or host:port, or (scrape) the page's host when left empty.
 */
function addressOf(
  raw: unknown,
  fallback: string,
  source: SourceKind,
  scrape: ScrapeOptions | undefined,
  errors: Record<string, string>,
): string {
  const address = typeof raw === 'string' ? raw.trim() : raw === undefined || raw === null ? fallback : undefined;
  if (address === undefined) {
    errors.address = 'Must be text.';
    return '';
  }
  if (source === 'redfish') {
    const url = httpUrl(address);
    if (!url) errors.address = "The BMC's base URL, e.g. https://10.0.9.5 (/redfish/v1 is appended).";
    return url ? url.replace(/\/redfish\/v1\/?$/i, '').replace(/\/+$/, '') : address;
  }
  if (source === 'ipmi') {
    if (!parseIpmiAddress(address))
      errors.address = 'A host name or address, optionally with :port (e.g. 10.0.9.6:623).';
    return address;
  }
  if (address !== '') return address.slice(0, 200);
  return scrape ? (httpUrl(scrape.url) ? new URL(scrape.url).host : '') : '';
}

function httpUrl(text: string): string | undefined {
  try {
    const url = new URL(text);
    return (url.protocol === 'http:' || url.protocol === 'https:') && !url.search && !url.hash && text.length <= 300
      ? url.toString()
      : undefined;
  } catch {
    return undefined;
  }
}

function optionsOf(
  input: Record<string, unknown>,
  source: SourceKind,
  current: HostRow | undefined,
  errors: Record<string, string>,
): HostRow['options'] {
  if (source === 'redfish') return { redfish: redfishOf(input.redfish, current?.options.redfish, errors) };
  if (source === 'ipmi') return { ipmi: ipmiOf(input.ipmi, current?.options.ipmi, errors) };
  if (source === 'scrape') return { scrape: scrapeOf(input.scrape, current?.options.scrape, errors) };
  return {};
}

function redfishOf(raw: unknown, current: RedfishOptions | undefined, errors: Record<string, string>): RedfishOptions {
  const given = isObject(raw) ? raw : {};
  const auth = given.auth ?? current?.auth ?? 'basic';
  const verifyTls = given.verifyTls ?? current?.verifyTls ?? true;
  if (auth !== 'basic' && auth !== 'session') errors['redfish.auth'] = 'basic or session.';
  if (typeof verifyTls !== 'boolean') errors['redfish.verifyTls'] = 'Must be true or false.';
  return { auth: auth as RedfishOptions['auth'], verifyTls: verifyTls as boolean };
}

function ipmiOf(raw: unknown, current: IpmiOptions | undefined, errors: Record<string, string>): IpmiOptions {
  const given = isObject(raw) ? raw : {};
  const iface = given.interface ?? current?.interface ?? 'lanplus';
  const suite =
    given.cipherSuite === undefined
      ? (current?.cipherSuite ?? null)
      : given.cipherSuite === ''
        ? null
        : given.cipherSuite;
  const cipherSuite = typeof suite === 'string' ? Number(suite) : suite;
  if (iface !== 'lanplus' && iface !== 'lan') errors['ipmi.interface'] = 'lanplus or lan.';
  if (
    cipherSuite !== null &&
    (typeof cipherSuite !== 'number' || !Number.isInteger(cipherSuite) || cipherSuite < 0 || cipherSuite > 17)
  ) {
    errors['ipmi.cipherSuite'] = "A cipher suite from 0 to 17, or empty for ipmitool's default.";
  }
  return { interface: iface as IpmiOptions['interface'], cipherSuite: (cipherSuite as number | null) ?? null };
}

function scrapeOf(raw: unknown, current: ScrapeOptions | undefined, errors: Record<string, string>): ScrapeOptions {
  const given = isObject(raw) ? raw : {};
  const url = given.url ?? current?.url ?? '';
  const sensors = given.sensors ?? current?.sensors ?? [];
  if (typeof url !== 'string' || !httpUrl(url)) errors['scrape.url'] = "The page's http(s) URL.";
  if (!Array.isArray(sensors) || sensors.length === 0 || sensors.length > 50) {
    errors['scrape.sensors'] = 'From 1 to 50 sensors, each a name and a CSS selector.';
    return { url: String(url), sensors: [] };
  }
  const names = new Set<string>();
  const parsed = sensors.map((sensor: unknown, index) => {
    const entry = isObject(sensor) ? sensor : {};
    const name = typeof entry.name === 'string' ? entry.name.trim() : '';
    const selector = typeof entry.selector === 'string' ? entry.selector.trim() : '';
    if (name === '' || name.length > 60 || names.has(name.toLowerCase())) {
      errors[`scrape.sensors[${index}].name`] = 'A name of up to 60 characters, different from the others.';
    }
    if (selector === '' || selector.length > 300) errors[`scrape.sensors[${index}].selector`] = 'A CSS selector.';
    names.add(name.toLowerCase());
    return { name, selector };
  });
  return { url: String(url), sensors: parsed };
}
