import type { Database } from '../db/database.js';

/** How failed logins are slowed down and then refused. */
export interface ThrottlePolicy {
  /** Failures (per user or per address) allowed before answers are delayed. */
  delayAfter: number;
  /** Extra delay for each failure past `delayAfter`. */
  delayStepMs: number;
  maxDelayMs: number;
  /** Failures within the window after which the key is locked. */
  lockAfter: number;
  windowMinutes: number;
  lockMinutes: number;
}

export const defaultThrottlePolicy: ThrottlePolicy = {
  delayAfter: 3,
  delayStepMs: 500,
  maxDelayMs: 4000,
  lockAfter: 10,
  windowMinutes: 15,
  lockMinutes: 15,
};

/** What the throttle says about a login attempt before the password is checked. */
export interface ThrottleVerdict {
  /** Set while any of the keys is locked: the attempt is refused without checking the password. */
  lockedUntil?: Date;
  /** How long to wait before answering. */
  delayMs: number;
}

interface FailureRow {
  failures: number;
  locked_until: Date | null;
}

/**
 * Counts failed logins per username and per source address in PostgreSQL, so the limits hold across restarts
 * and across several NxForge processes.
 */
export class LoginThrottle {
  constructor(
    private readonly db: Database,
    readonly policy: ThrottlePolicy = defaultThrottlePolicy,
  ) {}

  async check(keys: string[]): Promise<ThrottleVerdict> {
    const rows = await this.db.select<FailureRow>(
      `SELECT failures, locked_until FROM login_failures
        WHERE key = ANY($1) AND last_failed_at > now() - make_interval(mins => $2)
           OR key = ANY($1) AND locked_until > now()`,
      [keys, Math.max(this.policy.windowMinutes, this.policy.lockMinutes)],
    );
    const now = Date.now();
    const locks = rows
      .map((row) => row.locked_until)
      .filter((until): until is Date => !!until && until.getTime() > now);
    if (locks.length > 0) return { lockedUntil: new Date(Math.max(...locks.map((d) => d.getTime()))), delayMs: 0 };
    const failures = Math.max(0, ...rows.map((row) => row.failures));
    const excess = failures - this.policy.delayAfter;
    return { delayMs: excess > 0 ? Math.min(excess * this.policy.delayStepMs, this.policy.maxDelayMs) : 0 };
  }

  /** Counts a failure against each key, locking those that reach the limit. */
  async recordFailure(keys: string[]): Promise<void> {
    const { windowMinutes, lockAfter, lockMinutes } = this.policy;
    for (const key of keys) {
      // A failure after the window (or after a lock ran out) starts a new count.
      await this.db.execute(
        `INSERT INTO login_failures AS f (key, failures, first_failed_at, last_failed_at)
         VALUES ($1, 1, now(), now())
         ON CONFLICT (key) DO UPDATE SET
           failures = CASE WHEN f.first_failed_at < now() - make_interval(mins => $2)
                             OR f.locked_until <= now() THEN 1 ELSE f.failures + 1 END,
           first_failed_at = CASE WHEN f.first_failed_at < now() - make_interval(mins => $2)
                                    OR f.locked_until <= now() THEN now() ELSE f.first_failed_at END,
           last_failed_at = now(),
           locked_until = CASE WHEN f.locked_until <= now() THEN NULL ELSE f.locked_until END`,
        [key, windowMinutes],
      );
      await this.db.execute(
        `UPDATE login_failures SET locked_until = now() + make_interval(mins => $3)
          WHERE key = $1 AND failures >= $2 AND locked_until IS NULL`,
        [key, lockAfter, lockMinutes],
      );
    }
  }

  /** Forgets the failures of `key` (a successful login clears its user's count). */
  async reset(key: string): Promise<void> {
    await this.db.execute('DELETE FROM login_failures WHERE key = $1', [key]);
  }
}

/** Throttle keys of an attempt: its username (case-insensitive) and its source address. */
export function throttleKeys(username: string, sourceIp: string): string[] {
  return [`user:${username.toLowerCase()}`, `ip:${sourceIp}`];
}
