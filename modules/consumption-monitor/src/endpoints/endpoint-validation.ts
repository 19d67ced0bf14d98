import type { AuthSettings, EndpointSecrets, EndpointSettings, Kind, SnmpSettings, Source, Unit } from './endpoint.js';
import { sources } from './endpoint.js';
import { checkAuth } from './auth-validation.js';
import { checkSnmp } from './snmp-validation.js';
import { checkUrl, Fields, numberOr, text } from './fields.js';

/** What validation made of a client's endpoint: settings, the secrets it sent, and a message per bad field. */
export interface ValidatedEndpoint {
  settings: EndpointSettings;
  /** Only the secrets given (a missing or empty one keeps the stored value). */
  secrets: EndpointSecrets;
  /** Field (`name`, `auth.password`, `snmp.oid`…) → message; empty when the endpoint is valid. */
  errors: Record<string, string>;
}

/** What validation needs to know beyond the body. */
export interface ValidationContext {
  /** The `defaultPollInterval` setting. */
  defaultPollInterval: number;
  /** Secrets already stored (an edit may leave them unchanged). */
  stored?: EndpointSecrets;
}

const energyUnits: Unit[] = ['Wh', 'kWh'];
const powerUnits: Unit[] = ['W', 'kW'];
const locales = ['en', 'de', 'fr'];

/** Checks an endpoint as `POST /endpoints` takes it (docs/consumption-monitor.md lists every field). */
export function validateEndpoint(body: unknown, context: ValidationContext): ValidatedEndpoint {
  const input = (body && typeof body === 'object' ? body : {}) as Record<string, unknown>;
  const f = new Fields();
  const name = text(input.name);
  if (!name) f.fail('name', 'Enter a name.');
  else if (name.length > 100) f.fail('name', 'At most 100 characters.');
  const source = input.source as Source;
  if (!sources.includes(source)) f.fail('source', `Choose one of ${sources.join(', ')}.`);
  const kind: Kind = input.kind === 'power' ? 'power' : 'counter';
  if (input.kind !== undefined && input.kind !== 'counter' && input.kind !== 'power') {
    f.fail('kind', 'Choose counter (cumulative energy) or power (instantaneous draw).');
  }
  const unit = checkUnit(f, input.unit, kind, source);
  const address = checkAddress(f, input, source);
  const labels = (input.labels && typeof input.labels === 'object' ? input.labels : {}) as Record<string, unknown>;
  const secrets: EndpointSecrets = {};
  const auth: AuthSettings | null =
    source === 'snmp' ? null : checkAuth(f, input.auth, source, secrets, context.stored);
  const snmp: SnmpSettings | null = source === 'snmp' ? checkSnmp(f, input.snmp, secrets, context.stored) : null;
  const settings: EndpointSettings = {
    name,
    source,
    ...address,
    unit,
    kind,
    locale: checkLocale(f, input.locale),
    pollIntervalMinutes: checkInteger(
      f,
      'pollIntervalMinutes',
      input.pollIntervalMinutes,
      context.defaultPollInterval,
      1,
      1440,
    ),
    timeoutSeconds: checkInteger(f, 'timeoutSeconds', input.timeoutSeconds, 20, 1, 120),
    ratedPowerKw: checkPositive(
      f,
      'ratedPowerKw',
      input.ratedPowerKw,
      'Rated power is a number of kW above 0, e.g. 7.4.',
    ),
    alertThresholdKwh: checkThreshold(f, input.alertThresholdKwh),
    enabled: input.enabled === undefined ? true : input.enabled === true || input.enabled === 'true',
    customer: checkLabel(f, 'labels.customer', labels.customer),
    rack: checkLabel(f, 'labels.rack', labels.rack),
    auth,
    snmp,
  };
  return { settings, secrets, errors: f.errors };
}

function checkUnit(f: Fields, value: unknown, kind: Kind, source: Source): Unit {
  const allowed = kind === 'counter' ? energyUnits : powerUnits;
  // Redfish defines its units: EnergykWh sensors in kWh, PowerConsumedWatts in W.
  const fallback: Unit = source === 'redfish' ? (kind === 'counter' ? 'kWh' : 'W') : kind === 'counter' ? 'kWh' : 'kW';
  if (value === undefined || value === null || value === '') return fallback;
  if (!allowed.includes(value as Unit)) {
    f.fail('unit', `A ${kind} endpoint's unit is ${allowed.join(' or ')}.`);
    return fallback;
  }
  if (source === 'redfish' && value !== fallback)
    f.fail('unit', `Redfish reports ${kind === 'counter' ? 'energy in kWh' : 'power in W'}.`);
  return value as Unit;
}

function checkAddress(f: Fields, input: Record<string, unknown>, source: Source) {
  const url = text(input.url) || null;
  const selector = text(input.selector) || null;
  const jsonPath = text(input.jsonPath) || null;
  const sensor = text(input.sensor) || null;
  if (source !== 'snmp') checkUrl(f, 'url', url, true);
  if (source === 'browser' && !selector) f.fail('selector', 'Enter the CSS selector of the element showing the value.');
  if (source === 'http') {
    if (!selector && !jsonPath) f.fail('selector', 'Enter a CSS selector (HTML) or a JSONPath (JSON).');
    if (selector && jsonPath) f.fail('jsonPath', 'Give a CSS selector or a JSONPath, not both.');
  }
  if (jsonPath && !jsonPath.startsWith('$')) f.fail('jsonPath', 'A JSONPath starts with $, e.g. $.energy.kwh.');
  if (sensor && !/^\/redfish\/v1\/\S+$/.test(sensor))
    f.fail('sensor', 'A Redfish resource path, e.g. /redfish/v1/Chassis/1U/Sensors/TotalEnergy.');
  const keep = (value: string | null, wanted: boolean) => (wanted ? value : null);
  return {
    url: source === 'snmp' ? null : url,
    selector: keep(selector, source === 'browser' || source === 'http'),
    jsonPath: keep(jsonPath, source === 'http'),
    sensor: keep(sensor, source === 'redfish'),
  };
}

function checkLocale(f: Fields, value: unknown): string {
  if (value === undefined || value === null || value === '') return 'en';
  if (!locales.includes(String(value))) f.fail('locale', `Number format: ${locales.join(', ')}.`);
  return String(value);
}

function checkInteger(f: Fields, field: string, value: unknown, fallback: number, min: number, max: number): number {
  const number = numberOr(value, fallback);
  if (!Number.isInteger(number) || number < min || number > max) {
    f.fail(field, `A whole number from ${min} to ${max}.`);
    return fallback;
  }
  return number;
}

function checkPositive(f: Fields, field: string, value: unknown, message: string): number | null {
  const number = numberOr(value, null);
  if (number === null) return null;
  if (!Number.isFinite(number) || number <= 0) {
    f.fail(field, message);
    return null;
  }
  return number;
}

function checkThreshold(f: Fields, value: unknown): number | null {
  const number = numberOr(value, null);
  if (number !== null && (!Number.isFinite(number) || number < 0)) {
    f.fail('alertThresholdKwh', 'A number of kWh, 0 or more (empty: the module setting).');
    return null;
  }
  return number;
}

function checkLabel(f: Fields, field: string, value: unknown): string | null {
  const label = text(value);
  if (label.length > 100) f.fail(field, 'At most 100 characters.');
  return label || null;
}
