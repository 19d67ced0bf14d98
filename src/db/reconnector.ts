import { errorMessage } from '../errors.js';
import type { Logger } from '../logger.js';

const firstDelayMs = 1000;
const maxDelayMs = 30_000;

/**
 * Brings a dedicated connection (LISTEN, an advisory lock) back after it was lost: retries with a delay that
 * doubles from 1 s to 30 s, and logs the loss and the recovery once each, so a database that is down for a while
 * does not fill the log with a warning per second.
 */
export class Reconnector {
  #timer?: NodeJS.Timeout;
  #attempts = 0;
  #stopped = false;

  /**
   * @param what the connection, for the log ("notification connection")
   * @param connect opens it again; a rejection schedules the next attempt
   */
  constructor(
    private readonly logger: Logger,
    private readonly what: string,
    private readonly connect: () => Promise<void>,
  ) {}

  /** The connection was lost (or could not be opened): try again later. */
  lost(error: unknown): void {
    if (this.#stopped || this.#timer) return;
    if (this.#attempts === 0) this.logger.warn({ err: error }, `${this.what} lost; reconnecting`);
    else this.logger.debug({ error: errorMessage(error), attempts: this.#attempts }, `${this.what} still down`);
    const delay = Math.min(firstDelayMs * 2 ** this.#attempts, maxDelayMs);
    this.#attempts += 1;
    this.#timer = setTimeout(() => {
      this.#timer = undefined;
      this.connect().then(
        () => this.#recovered(),
        (failure: unknown) => this.lost(failure),
      );
    }, delay);
    this.#timer.unref();
  }

  /** True once stopped: a connection opened meanwhile should be closed again. */
  get stopped(): boolean {
    return this.#stopped;
  }

  stop(): void {
    this.#stopped = true;
    clearTimeout(this.#timer);
  }

  #recovered(): void {
    if (this.#attempts > 0) this.logger.info({ attempts: this.#attempts }, `${this.what} is back`);
    this.#attempts = 0;
  }
}
