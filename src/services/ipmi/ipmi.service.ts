import { isNxfError, NxfError } from '../../errors.js';
import type { Logger } from '../../logger.js';
import { IpmiParseError, parseSdrList, parseSensorTable, type IpmiSdrEntry, type IpmiSensor } from './ipmi-output.js';
import { classifyStderr, runIpmitool, type IpmitoolOutput } from './ipmitool-runner.js';

/** A BMC reached over the network with ipmitool. */
export interface IpmiTarget {
  /** Host name or address of the BMC. */
  host: string;
  /** UDP port (default 623). */
  port?: number;
  username: string;
  /** Given to ipmitool as `IPMI_PASSWORD` (`-E`), never on its command line. */
  password: string;
  /** `lanplus` (IPMI 2.0, default) or `lan` (IPMI 1.5). */
  interface?: 'lanplus' | 'lan';
  /** `-C`: the IPMI 2.0 cipher suite, when the BMC does not accept ipmitool's default. */
  cipherSuite?: number;
  /** `-L`: the privilege level asked for (default ipmitool's: ADMINISTRATOR). */
  privilege?: 'USER' | 'OPERATOR' | 'ADMINISTRATOR';
}

/** Options of one run. */
export interface IpmiRunOptions {
  /** The hard deadline in ms (default 20 000): the process is killed then. */
  timeoutMs?: number;
  /** Kills the process when aborted (pass a job's `signal`). */
  signal?: AbortSignal;
}

/** IPMI over LAN through Debian's ipmitool; needs the `network:outbound` capability. */
export interface IpmiService {
  /** Runs `ipmitool -I lanplus -H … -U … -E <args>` and resolves with what it printed. */
  run(target: IpmiTarget, args: readonly string[], options?: IpmiRunOptions): Promise<IpmitoolOutput>;
  /** `ipmitool sensor`: every sensor with its value, unit, status and six thresholds. Slow on some BMCs. */
  sensors(target: IpmiTarget, options?: IpmiRunOptions): Promise<IpmiSensor[]>;
  /** `ipmitool sdr type <type>` (e.g. `Temperature`), or `sdr elist` without a type: fast readings, no thresholds. */
  sdr(target: IpmiTarget, options?: IpmiRunOptions & { type?: string }): Promise<IpmiSdrEntry[]>;
}

/** Tuning of the service; production uses the defaults. */
export interface IpmiServiceOptions {
  /** The ipmitool executable (default `ipmitool`, looked up on the PATH at each run). */
  executable?: string;
  /** Processes this service runs at once (default 4); further runs wait their turn. */
  maxConcurrent?: number;
}

const defaultTimeoutMs = 20_000;
/** The `-v` run that tells a refused password from a silent BMC. */
const diagnosisTimeoutMs = 8_000;

/** Creates the IPMI service; each module (and each job run) gets its own, so limits are per user of it. */
export function createIpmiService(logger: Logger, options: IpmiServiceOptions = {}): IpmiService {
  const executable = options.executable ?? 'ipmitool';
  const slots = createSlots(options.maxConcurrent ?? 4);

  const runOnce = async (target: IpmiTarget, args: readonly string[], runOptions: IpmiRunOptions, label: string) => {
    const release = await slots.acquire();
    try {
      return await runIpmitool({
        executable,
        args: [...targetArgs(target), ...args],
        password: target.password,
        timeoutMs: runOptions.timeoutMs ?? defaultTimeoutMs,
        signal: runOptions.signal,
        label,
      });
    } finally {
      release();
    }
  };

  /**
   * Without `-v`, lanplus reports a refused password and a silent BMC alike ("Unable to establish IPMI v2 / RMCP+
   * session"); `-v` changes the listings' format, so only then is a short `-v` run made to tell which it was.
   */
  const diagnose = async (target: IpmiTarget, runOptions: IpmiRunOptions, label: string, error: NxfError) => {
    try {
      await runOnce(target, ['-v', 'mc', 'info'], { ...runOptions, timeoutMs: diagnosisTimeoutMs }, label);
    } catch (second) {
      const stderr = ((second as NxfError).details as { stderr?: string[] } | undefined)?.stderr?.join('\n') ?? '';
      if (classifyStderr(stderr) === 'auth') {
        return new NxfError(
          'NXF_IPMI_AUTH',
          `${label}: the BMC refused the user or password (${stderr.split('\n').find((l) => !/^error|loading/i.test(l)) ?? 'RAKP'}).`,
          {
            status: 422,
            details: (second as NxfError).details,
          },
        );
      }
    }
    return error;
  };

  const run = async (target: IpmiTarget, args: readonly string[], runOptions: IpmiRunOptions = {}) => {
    const label = `ipmitool ${args.join(' ')} on ${target.host}`;
    try {
      const output = await runOnce(target, args, runOptions, label);
      logger.debug({ host: target.host, args, durationMs: output.durationMs }, 'ipmitool');
      return output;
    } catch (error) {
      const ambiguous =
        isNxfError(error, 'NXF_IPMI_UNREACHABLE') && (error.details as { ambiguous?: boolean }).ambiguous;
      const reported = ambiguous ? await diagnose(target, runOptions, label, error) : error;
      logger.warn({ host: target.host, args, err: reported }, 'ipmitool failed');
      throw reported;
    }
  };
  const parsed = async <T>(label: string, output: Promise<IpmitoolOutput>, parse: (text: string) => T): Promise<T> => {
    const { stdout } = await output;
    try {
      return parse(stdout);
    } catch (error) {
      if (!(error instanceof IpmiParseError)) throw error;
      throw new NxfError('NXF_IPMI_PARSE', `${label}: ${error.message}`, { status: 502, cause: error });
    }
  };

  return {
    run,
    sensors: (target, runOptions) =>
      parsed(`ipmitool sensor on ${target.host}`, run(target, ['sensor'], runOptions), parseSensorTable),
    sdr: (target, runOptions = {}) => {
      const args = runOptions.type ? ['sdr', 'type', runOptions.type] : ['sdr', 'elist'];
      return parsed(`ipmitool ${args.join(' ')} on ${target.host}`, run(target, args, runOptions), parseSdrList);
    },
  };
}

/**
 * The target as ipmitool options. Values that would read as options (`-…`) or carry control characters are
 * refused: they come from users and must never change what ipmitool is asked to do. ipmitool's own retries are
 * short (`-N 2 -R 2`), so a BMC that does not answer is reported as such before the hard deadline.
 */
function targetArgs(target: IpmiTarget): string[] {
  for (const [field, value] of [
    ['host', target.host],
    ['username', target.username],
  ] as const) {
    if (value.startsWith('-') || /[\0-\x1f]/.test(value) || (field === 'host' && value.trim() === '')) {
      throw new NxfError('NXF_IPMI_TARGET', `The IPMI ${field} "${value}" is not valid.`, { status: 400 });
    }
  }
  const port = target.port ?? 623;
  if (!Number.isInteger(port) || port < 1 || port > 65535) {
    throw new NxfError('NXF_IPMI_TARGET', `The IPMI port ${port} is not valid.`, { status: 400 });
  }
  return [
    '-I',
    target.interface ?? 'lanplus',
    '-H',
    target.host,
    '-p',
    String(port),
    '-U',
    target.username,
    '-E',
    ...(target.cipherSuite === undefined ? [] : ['-C', String(target.cipherSuite)]),
    ...(target.privilege ? ['-L', target.privilege] : []),
    '-N',
    '2',
    '-R',
    '2',
  ];
}

/** A counting semaphore: at most `size` holders; the others wait in order. */
function createSlots(size: number): { acquire(): Promise<() => void> } {
  let free = size;
  const waiting: Array<() => void> = [];
  const release = () => {
    const next = waiting.shift();
    if (next) next();
    else free += 1;
  };
  return {
    acquire: async () => {
      if (free > 0) free -= 1;
      else await new Promise<void>((resolve) => waiting.push(resolve));
      return release;
    },
  };
}
