import type { Database } from '../db/database.js';
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

interface SessionRow {
  user_id: string;
  username: string;
  role: Role;
  needs_touch: boolean;
}

/**
 * Server-side sessions in the `sessions` table, so they survive restarts and can be ended from the server (logout,
 * user disabled, password reset). The browser holds a random token; the table holds only its SHA-256.
 */
export class SessionStore {
  constructor(private readonly db: Database) {}

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
  async resolve(token: string): Promise<AuthenticatedUser | undefined> {
    const id = sha256Hex(token);
    const row = await this.db.one<SessionRow>(
      `SELECT s.user_id, u.username, u.role,
              s.last_seen_at < now() - make_interval(secs => $2) AS needs_touch
         FROM sessions s JOIN users u ON u.id = s.user_id
        WHERE s.id = $1 AND s.expires_at > now() AND NOT u.disabled`,
      [id, touchIntervalSeconds],
    );
    if (!row) return undefined;
    if (row.needs_touch) {
      await this.db.execute(
        `UPDATE sessions
            SET last_seen_at = now(),
                expires_at = least(created_at + make_interval(days => $2), now() + make_interval(hours => $3))
          WHERE id = $1`,
        [id, sessionMaxDays, sessionIdleHours],
      );
    }
    return { id: row.user_id, username: row.username, role: row.role };
  }

  async destroy(token: string): Promise<void> {
    await this.db.execute('DELETE FROM sessions WHERE id = $1', [sha256Hex(token)]);
  }

  /** Ends every session of a user (disabled, password reset); returns how many. */
  async destroyForUser(userId: string): Promise<number> {
    return this.db.execute('DELETE FROM sessions WHERE user_id = $1', [userId]);
  }

  async purgeExpired(): Promise<number> {
    return this.db.execute('DELETE FROM sessions WHERE expires_at <= now()');
  }
}
