import { createHash } from 'node:crypto';
import type { Session, Varbind } from 'net-snmp';
import { errorMessage, NxfError } from '../../errors.js';
import type { Logger } from '../../logger.js';
import { snmpError, snmpFailure } from './snmp-errors.js';

/** SNMP v3 authentication protocols (RFC 3414, RFC 7860). */
export type SnmpAuthProtocol = 'md5' | 'sha' | 'sha224' | 'sha256' | 'sha384' | 'sha512';
/** SNMP v3 privacy (encryption) protocols. */
export type SnmpPrivProtocol = 'des' | 'aes' | 'aes256b' | 'aes256r';

/** Where and how to ask: the agent's address, the version and its credentials, and patience. */
export type SnmpTarget = {
  /** Host name or address of the agent. */
  host: string;
  /** UDP port (default 161). */
  port?: number;
  /** Milliseconds to wait for each answer (default 2 000). */
  timeout?: number;
  /** Requests sent again after a timeout (default 1). */
  retries?: number;
} & (
  | { version: '2c'; /** The community string. */ community: string }
  | {
      version: '3';
      /** The USM user name. */
      user: string;
      /** With a key: authNoPriv or authPriv; without: noAuthNoPriv. */
      authProtocol?: SnmpAuthProtocol;
      /** The authentication pass phrase. */
      authKey?: string;
      /** With a key (and authentication): authPriv. */
      privProtocol?: SnmpPrivProtocol;
      /** The privacy pass phrase. */
      privKey?: string;
    }
);

/** One value an agent answered. */
export interface SnmpValue {
  /** The OID asked for, in dotted form. */
  oid: string;
  /** The SNMP type name (`Integer`, `Counter64`, `OctetString`, `Gauge`…). */
  type: string;
  /** Numbers as numbers (Counter64 too, exact up to 2^53), strings as UTF-8 text. */
  value: number | string;
}

/** SNMP for modules with `network:outbound`: reads OIDs from agents over UDP. */
export interface SnmpService {
  /**
   * Gets `oids` from the agent in one request, in the order asked.
   * @throws NxfError NXF_SNMP_TIMEOUT, NXF_SNMP_AUTH, NXF_SNMP_NO_SUCH_OBJECT, NXF_SNMP_INVALID, NXF_SNMP_ERROR
   */
  get(target: SnmpTarget, oids: readonly string[]): Promise<SnmpValue[]>;
}

const oidPattern = /^\.?\d+(\.\d+)+$/;

/** Throws NXF_SNMP_INVALID unless `oid` is a dotted numeric OID (`1.3.6.1.2.1.1.3.0`). */
export function checkOid(oid: string): string {
  if (!oidPattern.test(oid))
    throw snmpError('NXF_SNMP_INVALID', `"${oid}" is not a numeric OID such as 1.3.6.1.2.1.1.3.0.`);
  return oid.replace(/^\./, '');
}

/** How long an agent's session stays open after its last answer, for the next read of the same agent. */
const keepSessionMs = 2_000;

/**
 * Creates the SNMP service on the maintained `net-snmp` package, which is loaded at the first request (a job
 * that never asks does not pay for it). Failures are logged (warn) with the host, port, version, OIDs and
 * duration; communities and keys never are.
 */
export function createSnmpService(logger: Logger): SnmpService {
  const sessions = createSessionKeeper(logger);
  return {
    async get(target, oids) {
      const wanted = oids.map(checkOid);
      if (wanted.length === 0) throw snmpError('NXF_SNMP_INVALID', 'Ask for at least one OID.');
      const snmp = (await import('net-snmp')).default;
      const started = Date.now();
      const where = { host: target.host, port: target.port ?? 161, version: target.version, oids: wanted };
      const kept = sessions.take(snmp, target);
      let healthy = true;
      try {
        const varbinds = await new Promise<Varbind[]>((resolve, reject) =>
          kept.session.get(wanted, (error, answered) => (error ? reject(error) : resolve(answered ?? []))),
        );
        // Successes are not logged: a job reading a thousand PDUs would send a thousand lines to its log.
        return varbinds.map((varbind, index) => toValue(snmp, varbind, wanted[index] ?? varbind.oid));
      } catch (thrown) {
        const error = thrown instanceof NxfError ? thrown : snmpFailure(thrown, where);
        // An agent that did not answer or refused may have restarted (a new v3 engine): the next read starts over.
        healthy = error.code === 'NXF_SNMP_NO_SUCH_OBJECT';
        logger.warn(
          { ...where, ms: Date.now() - started, code: error.code, error: errorMessage(error) },
          'snmp get failed',
        );
        throw error;
      } finally {
        sessions.giveBack(kept, healthy);
      }
    },
  };
}

interface KeptSession {
  key: string;
  session: Session;
  busy: number;
  closing?: NodeJS.Timeout;
}

/**
 * One session per agent and credentials, shared by the reads that overlap or follow within `keepSessionMs`: a
 * job reading a thousand endpoints of one agent opens one UDP socket, and a v3 agent's engine is discovered (and
 * its keys localised) once, not per read. The key is a hash: credentials are not kept as map keys.
 */
function createSessionKeeper(logger: Logger) {
  const open = new Map<string, KeptSession>();
  const close = (kept: KeptSession) => {
    clearTimeout(kept.closing);
    if (open.get(kept.key) === kept) open.delete(kept.key);
    kept.session.close();
  };
  return {
    take(snmp: NetSnmp, target: SnmpTarget): KeptSession {
      const key = createHash('sha256').update(JSON.stringify(target)).digest('base64');
      let kept = open.get(key);
      if (!kept) {
        const session = openSession(snmp, target);
        // A datagram that is not SNMP is emitted as 'error'; unheard, it would end the process.
        session.on('error', (error: unknown) =>
          logger.debug(
            { host: target.host, port: target.port ?? 161, error: errorMessage(error) },
            'snmp: bad datagram',
          ),
        );
        kept = { key, session, busy: 0 };
        open.set(key, kept);
      }
      clearTimeout(kept.closing);
      kept.busy += 1;
      return kept;
    },
    giveBack(kept: KeptSession, healthy: boolean): void {
      kept.busy -= 1;
      if (!healthy) {
        // Not reused; closed once its other reads are answered.
        if (open.get(kept.key) === kept) open.delete(kept.key);
      }
      if (kept.busy > 0) return;
      if (open.get(kept.key) !== kept) return void kept.session.close();
      kept.closing = setTimeout(() => close(kept), keepSessionMs);
      kept.closing.unref();
    },
  };
}

type NetSnmp = typeof import('net-snmp');

function openSession(snmp: NetSnmp, target: SnmpTarget): Session {
  const options = {
    port: target.port ?? 161,
    timeout: target.timeout ?? 2_000,
    retries: target.retries ?? 1,
    transport: 'udp4' as const,
    idBitsSize: 32 as const,
  };
  try {
    if (target.version === '2c') {
      return snmp.createSession(target.host, target.community, { ...options, version: snmp.Version2c });
    }
    const auth = target.authKey && target.authProtocol;
    const priv = auth && target.privKey && target.privProtocol;
    const user = {
      name: target.user,
      level: priv
        ? snmp.SecurityLevel.authPriv
        : auth
          ? snmp.SecurityLevel.authNoPriv
          : snmp.SecurityLevel.noAuthNoPriv,
      ...(auth ? { authProtocol: snmp.AuthProtocols[target.authProtocol!], authKey: target.authKey } : {}),
      ...(priv ? { privProtocol: snmp.PrivProtocols[target.privProtocol!], privKey: target.privKey } : {}),
    };
    return snmp.createV3Session(target.host, user, { ...options, version: snmp.Version3 });
  } catch (error) {
    throw snmpError('NXF_SNMP_INVALID', `The SNMP session could not be set up: ${errorMessage(error)}`, error);
  }
}

function toValue(snmp: NetSnmp, varbind: Varbind, oid: string): SnmpValue {
  if (snmp.isVarbindError(varbind)) {
    throw snmpError('NXF_SNMP_NO_SUCH_OBJECT', `The agent has no value at ${oid} (${snmp.varbindError(varbind)}).`);
  }
  const type = snmp.ObjectType[varbind.type as number] ?? String(varbind.type);
  const raw: unknown = varbind.value;
  if (Buffer.isBuffer(raw)) {
    // Counter64 comes as big-endian bytes; text types as their octets.
    if (varbind.type === snmp.ObjectType.Counter64) return { oid, type, value: Number(bytesToBigInt(raw)) };
    return { oid, type, value: raw.toString('utf8') };
  }
  if (typeof raw === 'number' || typeof raw === 'string') return { oid, type, value: raw };
  if (typeof raw === 'bigint') return { oid, type, value: Number(raw) };
  return { oid, type, value: String(raw) };
}

function bytesToBigInt(bytes: Buffer): bigint {
  let value = 0n;
  for (const byte of bytes) value = (value << 8n) | BigInt(byte);
  return value;
}
