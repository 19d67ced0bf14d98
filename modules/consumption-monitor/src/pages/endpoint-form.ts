import type { Endpoint } from '../endpoints/endpoint.js';

/** Form fields of the endpoint dialog, flat (as a browser posts them), by the API field they stand for. */
export const formFieldOf: Record<string, string> = {
  'labels.customer': 'customer',
  'labels.rack': 'rack',
  'auth.type': 'authType',
  'auth.username': 'authUsername',
  'auth.password': 'authPassword',
  'auth.loginUrl': 'loginUrl',
  'auth.usernameSelector': 'usernameSelector',
  'auth.passwordSelector': 'passwordSelector',
  'auth.submitSelector': 'submitSelector',
  'auth.cookies': 'authCookies',
  'auth.headerName': 'headerName',
  'auth.headerValue': 'headerValue',
  'snmp.host': 'snmpHost',
  'snmp.port': 'snmpPort',
  'snmp.version': 'snmpVersion',
  'snmp.community': 'snmpCommunity',
  'snmp.user': 'snmpUser',
  'snmp.authProtocol': 'snmpAuthProtocol',
  'snmp.authKey': 'snmpAuthKey',
  'snmp.privProtocol': 'snmpPrivProtocol',
  'snmp.privKey': 'snmpPrivKey',
  'snmp.oid': 'snmpOid',
  'snmp.scale': 'snmpScale',
};

/** The posted form as the API's endpoint body. */
export function formToBody(form: Record<string, unknown>): Record<string, unknown> {
  const get = (name: string) => (typeof form[name] === 'string' ? (form[name] as string) : undefined);
  const group = (prefix: 'auth' | 'snmp') =>
    Object.fromEntries(
      Object.entries(formFieldOf)
        .filter(([api]) => api.startsWith(`${prefix}.`))
        .map(([api, field]) => [api.slice(prefix.length + 1), get(field)]),
    );
  return {
    name: get('name'),
    source: get('source'),
    url: get('url'),
    selector: get('selector'),
    jsonPath: get('jsonPath'),
    sensor: get('sensor'),
    unit: get('unit'),
    kind: get('kind'),
    locale: get('locale'),
    pollIntervalMinutes: get('pollIntervalMinutes'),
    timeoutSeconds: get('timeoutSeconds'),
    ratedPowerKw: get('ratedPowerKw'),
    alertThresholdKwh: get('alertThresholdKwh'),
    enabled: form.enabled === 'true' || form.enabled === 'on',
    labels: { customer: get('customer'), rack: get('rack') },
    auth: group('auth'),
    snmp: group('snmp'),
  };
}

/** Errors keyed by form field. */
export function formErrors(errors: Record<string, string>): Record<string, string> {
  return Object.fromEntries(Object.entries(errors).map(([api, message]) => [formFieldOf[api] ?? api, message]));
}

/** The form's values for an endpoint being edited (secrets never: their fields say "unchanged"). */
export function endpointToForm(endpoint: Endpoint | undefined, defaultPollInterval: number): Record<string, unknown> {
  if (!endpoint) {
    return {
      source: 'browser',
      kind: 'counter',
      unit: 'kWh',
      locale: 'en',
      pollIntervalMinutes: defaultPollInterval,
      timeoutSeconds: 20,
      enabled: true,
      authType: 'none',
      snmpVersion: '2c',
      snmpPort: 161,
      snmpScale: 1,
    };
  }
  const auth = endpoint.auth;
  const snmp = endpoint.snmp;
  return {
    name: endpoint.name,
    source: endpoint.source,
    url: endpoint.url,
    selector: endpoint.selector,
    jsonPath: endpoint.jsonPath,
    sensor: endpoint.sensor,
    unit: endpoint.unit,
    kind: endpoint.kind,
    locale: endpoint.locale,
    pollIntervalMinutes: endpoint.pollIntervalMinutes,
    timeoutSeconds: endpoint.timeoutSeconds,
    ratedPowerKw: endpoint.ratedPowerKw,
    alertThresholdKwh: endpoint.alertThresholdKwh,
    enabled: endpoint.enabled,
    customer: endpoint.customer,
    rack: endpoint.rack,
    authType: auth?.type ?? 'none',
    authUsername: auth?.username,
    loginUrl: auth?.loginUrl,
    usernameSelector: auth?.usernameSelector,
    passwordSelector: auth?.passwordSelector,
    submitSelector: auth?.submitSelector,
    headerName: auth?.headerName,
    snmpHost: snmp?.host,
    snmpPort: snmp?.port ?? 161,
    snmpVersion: snmp?.version ?? '2c',
    snmpUser: snmp?.user,
    snmpAuthProtocol: snmp?.authProtocol,
    snmpPrivProtocol: snmp?.privProtocol,
    snmpOid: snmp?.oid,
    snmpScale: snmp?.scale ?? 1,
  };
}
