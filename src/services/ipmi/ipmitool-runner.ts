import { spawn } from 'node:child_process';
import { NxfError } from '../../errors.js';

/** How one ipmitool process runs. */
export interface IpmitoolRun {
  /** The executable: `ipmitool` from the PATH unless given. */
  executable: string;
  /** Its arguments; never the password. */
  args: string[];
  /** Handed over as `IPMI_PASSWORD` (ipmitool's `-E`), so it appears in no process listing. */
  password: string;
  /** The hard deadline: at this many ms the process (and anything it started) is killed. */
  timeoutMs: number;
  /** Aborting kills the process too. */
  signal?: AbortSignal;
  /** What the error messages name (`ipmitool sensor on 10.0.9.5`). */
  label: string;
}

/** What ipmitool printed. */
export interface IpmitoolOutput {
  stdout: string;
  stderr: string;
  durationMs: number;
}

/** More output than any sensor listing: a runaway process is stopped rather than buffered. */
const maxOutputBytes = 4 * 1024 * 1024;

/**
 * Runs ipmitool once. The process gets its own process group, so that at the deadline `SIGKILL` reaches it and
 * whatever it started: a BMC that hangs leaves nothing running behind. Resolves with the output of a run that
 * exited 0; rejects with NXF_IPMITOOL_MISSING, NXF_IPMI_TIMEOUT, NXF_IPMI_CANCELLED or NXF_IPMI_FAILED.
 */
export function runIpmitool(run: IpmitoolRun): Promise<IpmitoolOutput> {
  const started = Date.now();
  return new Promise((resolve, reject) => {
    if (run.signal?.aborted) return reject(cancelled(run));
    const child = spawn(run.executable, run.args, {
      env: { PATH: process.env.PATH ?? '/usr/bin:/bin', LANG: 'C', LC_ALL: 'C', IPMI_PASSWORD: run.password },
      stdio: ['ignore', 'pipe', 'pipe'],
      detached: true,
    });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    let size = 0;
    let stopped: NxfError | undefined;
    const stop = (reason: NxfError) => {
      stopped ??= reason;
      try {
        if (child.pid !== undefined) process.kill(-child.pid, 'SIGKILL');
      } catch {
        // already gone
      }
    };
    const collect = (into: Buffer[]) => (chunk: Buffer) => {
      size += chunk.length;
      if (size > maxOutputBytes) stop(failed(run, `printed more than ${maxOutputBytes / 1024 / 1024} MB`));
      else into.push(chunk);
    };
    child.stdout.on('data', collect(out));
    child.stderr.on('data', collect(err));
    const timer = setTimeout(() => stop(timedOut(run)), run.timeoutMs);
    const onAbort = () => stop(cancelled(run));
    run.signal?.addEventListener('abort', onAbort, { once: true });
    const finish = () => {
      clearTimeout(timer);
      run.signal?.removeEventListener('abort', onAbort);
    };
    child.once('error', (error: NodeJS.ErrnoException) => {
      finish();
      reject(error.code === 'ENOENT' || error.code === 'EACCES' ? missing(run, error) : failed(run, error.message));
    });
    child.once('close', (code) => {
      finish();
      const stdout = Buffer.concat(out).toString('utf8');
      const stderr = Buffer.concat(err).toString('utf8');
      if (stopped) return reject(stopped);
      if (code !== 0) return reject(exitError(run, code, stderr));
      resolve({ stdout, stderr, durationMs: Date.now() - started });
    });
  });
}

function missing(run: IpmitoolRun, error: NodeJS.ErrnoException): NxfError {
  return new NxfError(
    'NXF_IPMITOOL_MISSING',
    `ipmitool is not installed (${run.executable}: ${error.code === 'EACCES' ? 'not executable' : 'not found on the PATH'}). Install the Debian package "ipmitool": apt-get install ipmitool`,
    { status: 503, cause: error },
  );
}

function timedOut(run: IpmitoolRun): NxfError {
  return new NxfError(
    'NXF_IPMI_TIMEOUT',
    `${run.label} did not finish within ${run.timeoutMs / 1000} s and was stopped; the BMC does not answer.`,
    { status: 504, details: { timeoutMs: run.timeoutMs } },
  );
}

function cancelled(run: IpmitoolRun): NxfError {
  return new NxfError('NXF_IPMI_CANCELLED', `${run.label} was cancelled.`, { status: 503 });
}

function failed(run: IpmitoolRun, why: string): NxfError {
  return new NxfError('NXF_IPMI_FAILED', `${run.label} failed: ${why}`, { status: 502 });
}

/** What ipmitool says on stderr (with `-v` for the first two) when the BMC refused the user, or did not answer. */
const refused = /RAKP 2 HMAC is invalid|unauthori[sz]ed name|invalid user ?name|password|privilege level/i;
const unreachable =
  /get auth capabilities error|no response|timed? ?out|connection refused|address lookup|unable to connect|no route/i;
/** Without `-v`, lanplus says only this whether the BMC is silent or refused the credentials. */
export const ambiguousSessionFailure = /unable to establish IPMI v2 \/ RMCP\+ session/i;

/** What ipmitool's stderr says went wrong: the BMC refused the credentials, did not answer, or neither is known. */
export function classifyStderr(stderr: string): 'auth' | 'unreachable' | 'session' | 'other' {
  if (refused.test(stderr)) return 'auth';
  if (unreachable.test(stderr)) return 'unreachable';
  if (ambiguousSessionFailure.test(stderr)) return 'session';
  return 'other';
}

function exitError(run: IpmitoolRun, code: number | null, stderr: string): NxfError {
  const said = stderr
    .split(/\r?\n/)
    .map((line) => line.trim())
    .filter(Boolean);
  const summary = (said.find((line) => /^error/i.test(line)) ?? said.at(-1) ?? `exit code ${code}`).slice(0, 300);
  const details = { exitCode: code, stderr: said.slice(-5) };
  const kind = classifyStderr(stderr);
  if (kind === 'auth') {
    return new NxfError('NXF_IPMI_AUTH', `${run.label}: the BMC refused the user or password (${summary}).`, {
      status: 422,
      details,
    });
  }
  if (kind === 'unreachable' || kind === 'session') {
    return new NxfError('NXF_IPMI_UNREACHABLE', `${run.label}: the BMC did not answer (${summary}).`, {
      status: 502,
      details: { ...details, ambiguous: kind === 'session' },
    });
  }
  return new NxfError('NXF_IPMI_FAILED', `${run.label} failed: ${summary}`, { status: 502, details });
}
