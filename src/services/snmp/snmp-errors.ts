import { errorMessage, NxfError, type NxfCode } from '../../errors.js';

/** The SNMP service's codes (src/error-catalog.ts gives their statuses and meanings). */
type SnmpCode = Extract<NxfCode, `NXF_SNMP_${string}`>;

/** An SNMP error with its code's status. */
export function snmpError(code: SnmpCode, message: string, cause?: unknown): NxfError {
  return new NxfError(code, message, { cause });
}

/** What net-snmp reported, as a coded error naming the agent (never its community or keys). */
export function snmpFailure(thrown: unknown, where: { host: string; port: number; version: string }): NxfError {
  const agent = `${where.host}:${where.port} (SNMP v${where.version})`;
  const error = thrown as { name?: string; code?: number; status?: number };
  if (error?.name === 'RequestTimedOutError') {
    const hint = where.version === '2c' ? ' (agents do not answer a wrong community)' : '';
    return snmpError('NXF_SNMP_TIMEOUT', `${agent} did not answer in time${hint}.`, thrown);
  }
  // ResponseInvalidCode 4 = ECouldNotDecrypt, 5 = EAuthFailure: a report of unknown user, wrong digest, bad keys.
  if (error?.name === 'ResponseInvalidError' && (error.code === 4 || error.code === 5)) {
    return snmpError('NXF_SNMP_AUTH', `${agent} refused the credentials: ${errorMessage(thrown)}.`, thrown);
  }
  if (error?.name === 'RequestFailedError') {
    return snmpError('NXF_SNMP_ERROR', `${agent} answered with an error: ${errorMessage(thrown)}.`, thrown);
  }
  if (error?.name === 'RequestInvalidError') {
    return snmpError('NXF_SNMP_INVALID', `The request to ${agent} is invalid: ${errorMessage(thrown)}.`, thrown);
  }
  return snmpError('NXF_SNMP_ERROR', `Reading ${agent} failed: ${errorMessage(thrown)}.`, thrown);
}
