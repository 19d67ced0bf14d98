import type { Database } from '../db/database.js';
import type { DatabaseNotifications } from '../db/notifications.js';
import { randomToken, sha256Hex } from '../hash.js';
import type { Role } from './permissions.js';

/** A signed-in user resolved from a session or an API token. */
export interface AuthenticatedUser {
  id: string;
  username: string;
  role: Role;
}

/** Session lifetime: ends after a day without requests, and 30 days after login whatever happens. */
export const sessionIdleHours = 24;
export const sessionMaxDays = 30;
/** A session's expiry is pushed forward at most this often, so browsing does not write on every request. */
const touchIntervalSeconds = 60;
/**
 * How long a looked-up session is trusted without asking the database again. Ending a session, disabling a user
 * or changing their role evicts it at once in every process (LISTEN/NOTIFY); the TTL bounds staleness should a
 * notification be missed.
 */
export const sessionCacheTtlMs = 5000;
const sessionCacheMaxEntries = 10_000;
const invalidationChannel = 'nxforge_auth';

interface SessionRow {
  user_id: string;
  username: string;
  role: Role;
  expires_at: Date;
  needs_touch: boolean;
}

interface CachedSession {
  /** The session's id (SHA-256 of its token), which evictions name. */
  id: string;

  user: AuthenticatedUser;
  checkedAt: number;
  expiresAt: number;
}

/**
 * Server-side sessions in the `sessions` table, so they survive restarts and can be ended from the server (logout,
 * user disabled, password reset). The browser holds a random token; the table holds only its SHA-256.
 */
export class SessionStore {
  /** Recently looked-up sessions by token (kept in this process's memory only, like the cookie it came in). */
  readonly #cache = new Map<string, CachedSession>();
  /** Bumped by every eviction, so a lookup that raced one does not cache what it read before it. */
  #generation = 0;

  constructor(
    private readonly db: Database,
    private readonly notifications?: DatabaseNotifications,
  ) {}

  /** Subscribes to evictions announced by other processes. */
  async listenForEvictions(): Promise<void> {
    await this.notifications?.listen(invalidationChannel, (payload) => this.#evictLocally(payload));
  }

  /** Starts a session for `userId`; returns the token for the cookie. */
  async create(userId: string, client: { sourceIp?: string; userAgent?: string }): Promise<string> {
    const token = randomToken();
    await this.db.execute(
      `INSERT INTO sessions (id, user_id, expires_at, source_ip, user_agent)
       VALUES ($1, $2, now() + make_interval(hours => $3), $4, $5)`,
      [sha256Hex(token), userId, sessionIdleHours, client.sourceIp ?? null, client.userAgent?.slice(0, 300) ?? null],
    );
    return token;
  }

  /** The user of a live session, or undefined for an unknown, expired or disabled one. */
  /**
   * The user of a session looked up less than the cache TTL ago, without touching the database, or undefined
   * (then `resolve`). Lets most requests authenticate without waiting on anything.
   */
  peek(token: string): AuthenticatedUser | undefined {
    const cached = this.#cache.get(token);
    const now = Date.now();
    return cached && now - cached.checkedAt < sessionCacheTtlMs && cached.expiresAt > now ? cached.user : undefined;
  }

  async resolve(token: string): Promise<AuthenticatedUser | undefined> {
    const known = this.peek(token);
    if (known) return known;
    const id = sha256Hex(token);
    const now = Date.now();
    const generation = this.#generation;
    const row = await this.db.one<SessionRow>(
      `SELECT s.user_id, u.username, u.role, s.expires_at,
              s.last_seen_at < now() - make_interval(secs => $2) AS needs_touch
         FROM sessions s JOIN users u ON u.id = s.user_id
        WHERE s.id = $1 AND s.expires_at > now() AND NOT u.disabled`,
      [id, touchIntervalSeconds],
    );
    if (!row) {
      this.#cache.delete(token);
      return undefined;
    }
    if (row.needs_touch) {
      await this.db.execute(
        `UPDATE sessions
            SET last_seen_at = now(),
                expires_at = least(created_at + make_interval(days => $2), now() + make_interval(hours => $3))
          WHERE id = $1`,
        [id, sessionMaxDays, sessionIdleHours],
      );
    }
    const user: AuthenticatedUser = { id: row.user_id, username: row.username, role: row.role };
    if (generation === this.#generation) {
      this.#remember(token, { id, user, checkedAt: now, expiresAt: row.expires_at.getTime() });
    }
    return user;
  }

  async destroy(token: string): Promise<void> {
    const id = sha256Hex(token);
    await this.db.execute('DELETE FROM sessions WHERE id = $1', [id]);
    await this.#evict(`session:${id}`);
  }

  /** Ends every session of a user (disabled, password reset); returns how many. */
  async destroyForUser(userId: string): Promise<number> {
    const count = await this.db.execute('DELETE FROM sessions WHERE user_id = $1', [userId]);
    await this.#evict(`user:${userId}`);
    return count;
  }

  /** Drops what is cached about a user whose account changed (role, disabled), in every process. */
  async forgetUser(userId: string): Promise<void> {
    await this.#evict(`user:${userId}`);
  }

  async purgeExpired(): Promise<number> {
    return this.db.execute('DELETE FROM sessions WHERE expires_at <= now()');
  }

  #remember(token: string, entry: CachedSession): void {
    if (this.#cache.size >= sessionCacheMaxEntries) {
      const oldest = this.#cache.keys().next().value;
      if (oldest !== undefined) this.#cache.delete(oldest);
    }
    this.#cache.set(token, entry);
  }

  async #evict(key: string): Promise<void> {
    this.#evictLocally(key);
    await this.notifications?.notify(invalidationChannel, key);
  }

  #evictLocally(key: string): void {
    this.#generation += 1;
    const [kind, value] = key.split(':');
    for (const [token, entry] of this.#cache) {
      if ((kind === 'session' && entry.id === value) || (kind === 'user' && entry.user.id === value))
        this.#cache.delete(token);
    }
  }
}
