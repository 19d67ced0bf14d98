import type { Database } from '../db/database.js';

/** How failed logins are slowed down and then refused. */
export interface ThrottlePolicy {
  /** Failures (on any key of an attempt) allowed before answers are delayed. */
  delayAfter: number;
  /** Extra delay for each failure past `delayAfter`. */
  delayStepMs: number;
  maxDelayMs: number;
  /** Failures within the window after which a (username, address) pair, an address or a device is locked. */
  lockAfter: number;
  /**
   * Failures within the window, from browsers without a device cookie for the user, after which the username is
   * locked for such browsers (default 50). Browsers holding one keep signing in.
   */
  accountLockAfter?: number;
  windowMinutes: number;
  lockMinutes: number;
}

export const defaultThrottlePolicy: ThrottlePolicy = {
  delayAfter: 3,
  delayStepMs: 500,
  maxDelayMs: 4000,
  lockAfter: 10,
  accountLockAfter: 50,
  windowMinutes: 15,
  lockMinutes: 15,
};

/** Where a login attempt comes from. */
export interface LoginSource {
  /** The username typed (compared case-insensitively). */
  username: string;
  address: string;
  /** The id of a valid device cookie naming this user: the browser signed in as them before. */
  deviceId?: string;
}

/** What the throttle says about a login attempt before the password is checked. */
export interface ThrottleVerdict {
  /** Set while a key of the attempt is locked: the attempt is refused without checking the password. */
  lockedUntil?: Date;
  /** How long to wait before answering. */
  delayMs: number;
}

/** An attempt the throttle has counted as a failure in advance, which a right password takes back. */
export interface CountedAttempt extends ThrottleVerdict {
  /** The password was right: the attempt is no failure, and its browser's failures (pair, device) are forgotten. */
  succeeded(): Promise<void>;
}

/** A counter an attempt is counted on, and the failures after which it locks. */
interface ThrottleKey {
  key: string;
  lockAfter: number;
}

/**
 * The counters of an attempt. A browser with a device cookie for the user is counted on its device alone, so no
 * stranger can lock it out; any other is counted on its (username, address) pair, its address and the username.
 */
export function throttleKeys(source: LoginSource, policy: ThrottlePolicy = defaultThrottlePolicy): ThrottleKey[] {
  const { lockAfter } = policy;
  if (source.deviceId) return [{ key: `device:${source.deviceId}`, lockAfter }];
  const username = source.username.toLowerCase();
  return [
    { key: `pair:${source.address} ${username}`, lockAfter },
    { key: `ip:${source.address}`, lockAfter },
    { key: `user:${username}`, lockAfter: policy.accountLockAfter ?? defaultThrottlePolicy.accountLockAfter! },
  ];
}

interface CountedRow {
  held_until: Date | null;
  key: string;
  failures: number | null;
  locked_until: Date | null;
  lock_after: number;
}

/** A failure after the window, or after a lock ran out, starts a new count. */
const startsAfresh = 'coalesce(f.locked_until <= now(), f.first_failed_at < now() - make_interval(mins => $3))';

/**
 * Counts the attempt on every key in one statement, unless one of them is locked already. Concurrent attempts
 * queue on the rows' locks, so each sees the count the previous ones left: 40 parallel attempts from a fresh
 * address get the counts 1 to 40, and only those within the limit reach the password check.
 */
const countAttemptSql = `
  WITH attempt AS (SELECT * FROM unnest($1::text[], $2::int[]) AS a (key, lock_after)),
  held AS (SELECT max(locked_until) AS until FROM login_failures WHERE key = ANY($1::text[]) AND locked_until > now()),
  counted AS (
    INSERT INTO login_failures AS f (key, failures, first_failed_at, last_failed_at, locked_until)
    SELECT key, 1, now(), now(), CASE WHEN lock_after <= 1 THEN now() + make_interval(mins => $4) END
      FROM attempt WHERE (SELECT until FROM held) IS NULL
    ON CONFLICT (key) DO UPDATE SET
      failures = CASE WHEN ${startsAfresh} THEN 1 ELSE f.failures + 1 END,
      first_failed_at = CASE WHEN ${startsAfresh} THEN now() ELSE f.first_failed_at END,
      last_failed_at = now(),
      locked_until = CASE
        WHEN ${startsAfresh} THEN excluded.locked_until
        WHEN f.locked_until IS NOT NULL THEN f.locked_until
        WHEN f.failures + 1 >= (SELECT a.lock_after FROM attempt a WHERE a.key = f.key)
          THEN now() + make_interval(mins => $4)
      END
    RETURNING f.key, f.failures, f.locked_until
  )
  SELECT (SELECT until FROM held) AS held_until, a.key, a.lock_after, c.failures, c.locked_until
    FROM attempt a LEFT JOIN counted c USING (key)`;

/**
 * Throttles logins in PostgreSQL (`login_failures`), so the limits hold across restarts and across several
 * NxForge processes. An attempt is counted before its password is checked and taken back when it was right.
 */
export class LoginThrottle {
  constructor(
    private readonly db: Database,
    readonly policy: ThrottlePolicy = defaultThrottlePolicy,
  ) {}

  /** Counts an attempt: refused while locked (or past the limit), else to be answered after `delayMs`. */
  async begin(source: LoginSource): Promise<CountedAttempt> {
    const keys = throttleKeys(source, this.policy);
    const { windowMinutes, lockMinutes } = this.policy;
    const rows = await this.db.select<CountedRow>(countAttemptSql, [
      keys.map((k) => k.key),
      keys.map((k) => k.lockAfter),
      windowMinutes,
      lockMinutes,
    ]);
    const succeeded = () => this.#takeBack(keys, source.deviceId ? keys : keys.slice(0, 1));
    const held = rows[0]?.held_until;
    if (held) return { lockedUntil: held, delayMs: 0, succeeded };
    const over = rows.filter((row) => (row.failures ?? 0) > row.lock_after);
    if (over.length > 0) return { lockedUntil: latest(over.map((row) => row.locked_until)), delayMs: 0, succeeded };
    // The failures before this attempt decide its delay.
    return { delayMs: this.#delayFor(Math.max(0, ...rows.map((row) => (row.failures ?? 1) - 1))), succeeded };
  }

  /** What an attempt counted on `keys` would be told now, without counting one. */
  async check(keys: string[]): Promise<ThrottleVerdict> {
    const rows = await this.db.select<{ failures: number; locked_until: Date | null }>(
      `SELECT failures, locked_until FROM login_failures
        WHERE key = ANY($1) AND (last_failed_at > now() - make_interval(mins => $2) OR locked_until > now())`,
      [keys, this.policy.windowMinutes],
    );
    const locks = rows.map((row) => row.locked_until).filter((until) => until && until.getTime() > Date.now());
    if (locks.length > 0) return { lockedUntil: latest(locks), delayMs: 0 };
    return { delayMs: this.#delayFor(Math.max(0, ...rows.map((row) => row.failures))) };
  }

  /** Forgets the failures of `key`. */
  async reset(key: string): Promise<void> {
    await this.db.execute('DELETE FROM login_failures WHERE key = $1', [key]);
  }

  #delayFor(failures: number): number {
    const excess = failures - this.policy.delayAfter;
    return excess > 0 ? Math.min(excess * this.policy.delayStepMs, this.policy.maxDelayMs) : 0;
  }

  /** Takes a right attempt back from its counters (lifting a lock it set) and forgets those in `forget`. */
  async #takeBack(keys: ThrottleKey[], forget: ThrottleKey[]): Promise<void> {
    await this.db.execute(
      `UPDATE login_failures f SET failures = f.failures - 1,
              locked_until = CASE WHEN f.failures - 1 < a.lock_after THEN NULL ELSE f.locked_until END
         FROM unnest($1::text[], $2::int[]) AS a (key, lock_after)
        WHERE f.key = a.key AND f.failures > 0`,
      [keys.map((k) => k.key), keys.map((k) => k.lockAfter)],
    );
    await this.db.execute('DELETE FROM login_failures WHERE key = ANY($1)', [forget.map((k) => k.key)]);
  }
}

function latest(dates: Array<Date | null>): Date {
  return new Date(Math.max(...dates.map((date) => date?.getTime() ?? 0)));
}
