import { ReadError, type SourceReader } from './source.js';

/** An OID over SNMP v2c or v3, multiplied by the endpoint's scale (APC energy is in tenths of a kWh). */
export const readSnmp: SourceReader = async (endpoint, context) => {
  const snmp = endpoint.snmp!;
  const { secrets } = context;
  const base = {
    host: snmp.host,
    port: snmp.port,
    timeout: Math.min(endpoint.timeoutSeconds * 1000, 5_000),
    retries: 1,
  };
  const target =
    snmp.version === '3'
      ? {
          ...base,
          version: '3' as const,
          user: snmp.user ?? '',
          ...(snmp.authProtocol ? { authProtocol: snmp.authProtocol as 'sha', authKey: secrets.authKey } : {}),
          ...(snmp.privProtocol ? { privProtocol: snmp.privProtocol as 'aes', privKey: secrets.privKey } : {}),
        }
      : { ...base, version: '2c' as const, community: secrets.community ?? '' };
  const [answer] = await context.services.snmp.get(target, [snmp.oid]);
  const raw = String(answer?.value ?? '');
  const number = typeof answer?.value === 'number' ? answer.value : Number.NaN;
  if (!Number.isFinite(number)) {
    const parsed = /^\s*-?\d+(\.\d+)?\s*$/.test(raw) ? Number(raw) : Number.NaN;
    if (!Number.isFinite(parsed))
      throw new ReadError('NXF_SCRAPE_PARSE', `${snmp.oid} holds "${raw}", not a number.`, { raw });
    return { raw, number: round(parsed * snmp.scale) };
  }
  return { raw, number: round(number * snmp.scale) };
};

/** 12 significant digits: 0.1 × 12345 is 1234.5, not 1234.5000000000002. */
function round(value: number): number {
  return Number(value.toPrecision(12));
}
