import type { EndpointSecrets, SnmpSettings } from './endpoint.js';
import { Fields, numberOr, text } from './fields.js';

const authProtocols = ['md5', 'sha', 'sha224', 'sha256', 'sha384', 'sha512'];
const privProtocols = ['des', 'aes', 'aes256b', 'aes256r'];
const hostPattern = /^(\[[0-9a-fA-F:]+\]|[0-9a-fA-F:]*:[0-9a-fA-F:]+|[A-Za-z0-9]([A-Za-z0-9.-]*[A-Za-z0-9])?)$/;

/** Checks the `snmp` object of an snmp endpoint; communities and keys go into `secrets`. */
export function checkSnmp(
  f: Fields,
  value: unknown,
  secrets: EndpointSecrets,
  stored: EndpointSecrets = {},
): SnmpSettings {
  const input = (value && typeof value === 'object' ? value : {}) as Record<string, unknown>;
  const host = text(input.host);
  if (!host) f.fail('snmp.host', 'Enter the agent address.');
  else if (!hostPattern.test(host)) f.fail('snmp.host', 'A host name or an IP address.');
  const port = numberOr(input.port, 161);
  if (!Number.isInteger(port) || port < 1 || port > 65535) f.fail('snmp.port', 'A UDP port from 1 to 65535.');
  const version = text(input.version) || '2c';
  if (version !== '2c' && version !== '3') f.fail('snmp.version', 'SNMP version 2c or 3.');
  const oid = text(input.oid);
  if (!/^\.?\d+(\.\d+)+$/.test(oid)) f.fail('snmp.oid', 'A numeric OID, e.g. 1.3.6.1.4.1.318.1.1.26.4.3.1.9.1.');
  const scale = numberOr(input.scale, 1);
  if (!Number.isFinite(scale) || scale <= 0) f.fail('snmp.scale', 'A factor above 0 (0.1 for tenths of a kWh).');
  const keep = (field: 'community' | 'authKey' | 'privKey') => {
    const given = text(input[field]);
    if (given) secrets[field] = given;
    return Boolean(given || stored[field]);
  };
  const settings: SnmpSettings = {
    host,
    port,
    version: version === '3' ? '3' : '2c',
    oid: oid.replace(/^\./, ''),
    scale,
  };
  if (version !== '3') {
    if (!keep('community')) f.fail('snmp.community', 'Enter the community.');
    return settings;
  }
  const user = text(input.user);
  if (!user) f.fail('snmp.user', 'Enter the SNMP v3 user.');
  const authProtocol = text(input.authProtocol) || null;
  const privProtocol = text(input.privProtocol) || null;
  if (authProtocol && !authProtocols.includes(authProtocol))
    f.fail('snmp.authProtocol', `One of ${authProtocols.join(', ')}.`);
  if (privProtocol && !privProtocols.includes(privProtocol))
    f.fail('snmp.privProtocol', `One of ${privProtocols.join(', ')}.`);
  if (privProtocol && !authProtocol) f.fail('snmp.privProtocol', 'Privacy needs an authentication protocol too.');
  const keyLength = (field: 'authKey' | 'privKey') => {
    if (secrets[field] && secrets[field].length < 8)
      f.fail(`snmp.${field}`, 'SNMP v3 keys have at least 8 characters.');
  };
  if (authProtocol && !keep('authKey')) f.fail('snmp.authKey', 'Enter the authentication key.');
  if (privProtocol && !keep('privKey')) f.fail('snmp.privKey', 'Enter the privacy key.');
  keyLength('authKey');
  keyLength('privKey');
  return { ...settings, user, authProtocol, privProtocol };
}
