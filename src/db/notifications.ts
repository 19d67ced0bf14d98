import pg from 'pg';
import type { Logger } from '../logger.js';
import type { Database } from './database.js';
import { Reconnector } from './reconnector.js';

type Handler = (payload: string) => void;

/**
 * PostgreSQL LISTEN/NOTIFY between NxForge processes sharing a database, e.g. to drop cached sessions everywhere
 * when one process ends them. One dedicated connection listens; it reconnects after an error. Notifications
 * missed while it is down are not replayed, so users of this keep their caches short-lived as well.
 */
export class DatabaseNotifications {
  readonly #handlers = new Map<string, Set<Handler>>();
  #client?: pg.Client;
  readonly #reconnector: Reconnector;

  constructor(
    private readonly db: Database,
    private readonly logger: Logger,
  ) {
    this.#reconnector = new Reconnector(logger, 'notification connection', () => this.start());
  }

  /** Connects the listening connection and subscribes to the channels registered so far. */
  async start(): Promise<void> {
    const client = new pg.Client({ connectionString: this.db.url });
    client.on('notification', (message) => {
      for (const handler of this.#handlers.get(message.channel) ?? []) {
        try {
          handler(message.payload ?? '');
        } catch (error) {
          this.logger.error({ err: error, channel: message.channel }, 'notification handler failed');
        }
      }
    });
    client.on('error', (error) => {
      if (this.#client === client) this.#client = undefined;
      client.end().catch(() => undefined);
      this.#reconnector.lost(error);
    });
    await client.connect().catch(async (error: unknown) => {
      await client.end().catch(() => undefined);
      throw error;
    });
    if (this.#reconnector.stopped) return void (await client.end());
    this.#client = client;
    for (const channel of this.#handlers.keys()) await client.query(`LISTEN ${pg.escapeIdentifier(channel)}`);
  }

  /** Calls `handler` with the payload of every notification on `channel`, from any process. */
  async listen(channel: string, handler: Handler): Promise<void> {
    const known = this.#handlers.get(channel);
    if (known) {
      known.add(handler);
      return;
    }
    this.#handlers.set(channel, new Set([handler]));
    await this.#client?.query(`LISTEN ${pg.escapeIdentifier(channel)}`);
  }

  /** Sends `payload` on `channel` to every listening process, this one included. */
  async notify(channel: string, payload: string): Promise<void> {
    await this.db.execute('SELECT pg_notify($1, $2)', [channel, payload]);
  }

  async stop(): Promise<void> {
    this.#reconnector.stop();
    await this.#client?.end().catch(() => undefined);
  }
}
