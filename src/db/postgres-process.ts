import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { chown, mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { NxfError } from '../errors.js';
import type { Logger } from '../logger.js';
import type { PostgresBinaries } from './postgres-binaries.js';
import type { Postmaster } from './postmaster-keeper.js';

const run = promisify(execFile);

/** A user to run PostgreSQL as (it refuses to run as root). */
interface RunAs {
  uid: number;
  gid: number;
}

/** Messages in English whatever the system's language: the ready line is recognised by its text. */
const environment = { ...process.env, LC_MESSAGES: 'C' };
const startTimeoutMs = 120_000;

/**
 * PostgreSQL's buffer cache for the embedded cluster: an eighth of the machine's memory, from PostgreSQL's own
 * 128 MB up to 1 GB. At 128 MB a year of readings and its ledger no longer fit, and both a year's import and a
 * year's summary took about a third longer (bench/README.md). Shared memory is only taken as it is used.
 */
export function sharedBuffersMb(totalMemoryBytes = os.totalmem()): number {
  return Math.min(1024, Math.max(128, Math.floor(totalMemoryBytes / 8 / 2 ** 20)));
}

/**
 * Parallel workers a query of the embedded cluster may start: none on a machine of two cores or fewer, else
 * PostgreSQL's default of 2. The cluster shares the machine with NxForge's own processes, one per core; on two
 * cores a parallel plan's workers only compete with them and with each other — a month's statement of 100
 * endpoints (an index-only scan of 74 400 hours) took 15–20 % longer with them than without (bench/README.md).
 */
export function parallelWorkersPerQuery(cores = os.availableParallelism()): number {
  return cores <= 2 ? 0 : 2;
}

/**
 * One PostgreSQL cluster in `dir`, run with the packaged binaries: initialised once, then started and stopped.
 * As root it runs as the system user `postgres`, created when missing.
 */
export class PostgresCluster implements Postmaster {
  /** The postmaster of the last start. */
  process?: ChildProcess;
  #lastLine = '';

  constructor(
    private readonly dir: string,
    private readonly port: number,
    private readonly binaries: PostgresBinaries,
    private readonly logger: Logger,
  ) {}

  /** Creates the cluster with the superuser `postgres` and `password` (UTF-8, code point order). */
  async initialise(password: string): Promise<void> {
    const runAs = await postgresUser();
    await mkdir(this.dir, { recursive: true, mode: 0o700 });
    // The password reaches initdb through a file only it (and root) can read, removed right after.
    const secrets = await mkdtemp(path.join(os.tmpdir(), 'nxf-initdb-'));
    const passwordFile = path.join(secrets, 'password');
    try {
      await writeFile(passwordFile, `${password}\n`, { mode: 0o600 });
      if (runAs) for (const owned of [this.dir, secrets, passwordFile]) await chown(owned, runAs.uid, runAs.gid);
      const initdb = this.#spawn(
        this.binaries.initdb,
        [
          `--pgdata=${this.dir}`,
          '--auth=password',
          '--username=postgres',
          `--pwfile=${passwordFile}`,
          '--encoding=UTF8',
          '--locale=C',
          '--locale-provider=builtin',
          '--builtin-locale=C.UTF-8',
          '--lc-messages=C',
        ],
        runAs,
      );
      const [code] = (await once(initdb, 'exit').catch((error: Error) => {
        throw new NxfError('NXF_POSTGRES_START', `initdb could not be run: ${error.message}`, { cause: error });
      })) as [number | null];
      if (code !== 0) throw new NxfError('NXF_POSTGRES_START', `initdb failed: ${this.#lastLine}`);
    } finally {
      await rm(secrets, { recursive: true, force: true });
    }
  }

  /** Starts the postmaster; resolves once it accepts connections, rejects with its last words if it exits first. */
  async start(): Promise<void> {
    const runAs = await postgresUser();
    const child = this.#spawn(
      this.binaries.postgres,
      [
        ...['-D', this.dir, '-p', String(this.port)],
        ...['-c', 'listen_addresses=127.0.0.1', '-c', 'unix_socket_directories='],
        ...['-c', `shared_buffers=${sharedBuffersMb()}MB`],
        ...['-c', `max_parallel_workers_per_gather=${parallelWorkersPerQuery()}`],
      ],
      runAs,
    );
    this.process = child;
    await new Promise<void>((resolve, reject) => {
      const fail = (message: string, cause?: unknown) => {
        clearTimeout(timer);
        reject(new NxfError('NXF_POSTGRES_START', message, { cause }));
      };
      const timer = setTimeout(() => {
        child.kill('SIGKILL');
        fail(`postgres did not start within ${startTimeoutMs / 1000} s`);
      }, startTimeoutMs);
      let recent = '';
      child.stderr?.on('data', (chunk: Buffer) => {
        recent = (recent + chunk.toString()).slice(-200);
        if (!recent.includes('database system is ready to accept connections')) return;
        clearTimeout(timer);
        resolve();
      });
      child.once('exit', () => fail(`postgres exited while starting: ${this.#lastLine}`));
      child.once('error', (error) => fail(`postgres could not be run: ${error.message}`, error));
    });
  }

  /** Fast shutdown (SIGINT: running transactions are rolled back), waiting for the postmaster to exit. */
  async stop(): Promise<void> {
    const child = this.process;
    if (!child || child.exitCode !== null || child.signalCode !== null) return;
    const exited = once(child, 'exit');
    child.kill('SIGINT');
    await exited;
  }

  /** Runs a PostgreSQL program as `runAs`, from a folder it can enter, its output going to the debug log. */
  #spawn(program: string, args: string[], runAs: RunAs | undefined): ChildProcess {
    const child = spawn(program, args, { ...runAs, cwd: path.dirname(this.dir), env: environment });
    const log = (chunk: Buffer) => {
      const text = chunk.toString().trim();
      this.#lastLine = text.split('\n').at(-1) ?? '';
      this.logger.debug({ postgres: text }, 'postgres');
    };
    child.stdout?.on('data', log);
    child.stderr?.on('data', log);
    return child;
  }
}

let knownUser: Promise<RunAs | undefined> | undefined;

/** As root, the system user `postgres` (created when missing); otherwise undefined: run as this user. */
function postgresUser(): Promise<RunAs | undefined> {
  knownUser ??= process.getuid?.() === 0 ? findOrCreatePostgresUser() : Promise.resolve(undefined);
  return knownUser;
}

async function findOrCreatePostgresUser(): Promise<RunAs> {
  const ids = async () => ({
    uid: Number((await run('id', ['-u', 'postgres'])).stdout),
    gid: Number((await run('id', ['-g', 'postgres'])).stdout),
  });
  try {
    return await ids();
  } catch {
    try {
      await run('useradd', [
        '--system',
        '--user-group',
        '--no-create-home',
        '--shell',
        '/usr/sbin/nologin',
        'postgres',
      ]);
    } catch (error) {
      knownUser = undefined;
      throw new NxfError(
        'NXF_POSTGRES_START',
        'PostgreSQL cannot run as root and the user "postgres" could not be created.',
        {
          cause: error,
        },
      );
    }
    return ids();
  }
}
