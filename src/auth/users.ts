import type { Database } from '../db/database.js';
import { NxfError } from '../errors.js';
import { hashPassword } from './passwords.js';
import { isRole, type Role } from './permissions.js';

/** A user account as the rest of the core sees it (never with its password hash). */
export interface User {
  id: string;
  username: string;
  displayName: string | null;
  role: Role;
  disabled: boolean;
  createdAt: Date;
  lastLoginAt: Date | null;
}

interface UserRow {
  id: string;
  username: string;
  display_name: string | null;
  role: Role;
  disabled: boolean;
  created_at: Date;
  last_login_at: Date | null;
  password_hash?: string;
}

const columns = 'id, username, display_name, role, disabled, created_at, last_login_at';

export const usernamePattern = /^[A-Za-z0-9][A-Za-z0-9._-]*$/;
export const usernameMaxLength = 64;
export const passwordMinLength = 12;
/** Bounds the hashing work one request can cause. */
export const passwordMaxLength = 512;

/** Field → message for every problem in a user form; empty when it is valid. */
export type FieldErrors = Record<string, string>;

export function validateUsername(username: string): string | undefined {
  if (username === '') return 'Enter a username.';
  if (username.length > usernameMaxLength) return `At most ${usernameMaxLength} characters.`;
  if (!usernamePattern.test(username))
    return 'Letters, digits, dot, dash and underscore only, starting with a letter or digit.';
  return undefined;
}

export function validatePassword(password: string): string | undefined {
  if (password.length < passwordMinLength) return `At least ${passwordMinLength} characters.`;
  if (password.length > passwordMaxLength) return `At most ${passwordMaxLength} characters.`;
  return undefined;
}

function toUser(row: UserRow): User {
  return {
    id: row.id,
    username: row.username,
    displayName: row.display_name,
    role: row.role,
    disabled: row.disabled,
    createdAt: row.created_at,
    lastLoginAt: row.last_login_at,
  };
}

/** The `users` table. */
export class UserStore {
  /**
   * @param onAccountChanged told after a role or disabled flag changes, so cached sessions of that user are dropped.
   */
  constructor(
    private readonly db: Database,
    private readonly onAccountChanged: (userId: string) => Promise<void> = async () => {},
  ) {}

  async count(): Promise<number> {
    const row = await this.db.one<{ count: string }>('SELECT count(*) AS count FROM users');
    return Number(row?.count ?? 0);
  }

  async list(): Promise<User[]> {
    const rows = await this.db.select<UserRow>(`SELECT ${columns} FROM users ORDER BY lower(username)`);
    return rows.map(toUser);
  }

  async findById(id: string): Promise<User | undefined> {
    const row = await this.db.one<UserRow>(`SELECT ${columns} FROM users WHERE id = $1`, [id]);
    return row && toUser(row);
  }

  /** The user and their password hash, for checking a login. Usernames compare case-insensitively. */
  async findForLogin(username: string): Promise<{ user: User; passwordHash: string } | undefined> {
    const row = await this.db.one<UserRow>(
      `SELECT ${columns}, password_hash FROM users WHERE lower(username) = lower($1)`,
      [username],
    );
    return row && { user: toUser(row), passwordHash: row.password_hash as string };
  }

  /**
   * Creates a user.
   * @throws NxfError NXF_VALIDATION (400) with field errors, NXF_USER_EXISTS (409) for a taken username.
   */
  async create(input: { username: string; password: string; role: string; displayName?: string }): Promise<User> {
    const errors: FieldErrors = {};
    const usernameError = validateUsername(input.username);
    if (usernameError) errors.username = usernameError;
    const passwordError = validatePassword(input.password);
    if (passwordError) errors.password = passwordError;
    if (!isRole(input.role)) errors.role = 'Choose admin, operator or viewer.';
    if (Object.keys(errors).length > 0) {
      throw new NxfError('NXF_VALIDATION', 'The user is not valid.', { status: 400, details: errors });
    }
    const passwordHash = await hashPassword(input.password);
    try {
      const row = await this.db.one<UserRow>(
        `INSERT INTO users (username, display_name, password_hash, role) VALUES ($1, $2, $3, $4) RETURNING ${columns}`,
        [input.username, input.displayName ?? null, passwordHash, input.role],
      );
      return toUser(row as UserRow);
    } catch (error) {
      if ((error as { name?: string }).name === 'SequelizeUniqueConstraintError') {
        throw new NxfError('NXF_USER_EXISTS', `A user named "${input.username}" already exists.`, {
          status: 409,
          details: { username: 'This username is taken.' },
        });
      }
      throw error;
    }
  }

  async setRole(id: string, role: Role): Promise<void> {
    await this.db.execute('UPDATE users SET role = $2, updated_at = now() WHERE id = $1', [id, role]);
    await this.onAccountChanged(id);
  }

  async setDisabled(id: string, disabled: boolean): Promise<void> {
    await this.db.execute('UPDATE users SET disabled = $2, updated_at = now() WHERE id = $1', [id, disabled]);
    await this.onAccountChanged(id);
  }

  async setPassword(id: string, password: string): Promise<void> {
    const error = validatePassword(password);
    if (error) throw new NxfError('NXF_VALIDATION', error, { status: 400, details: { password: error } });
    await this.db.execute('UPDATE users SET password_hash = $2, updated_at = now() WHERE id = $1', [
      id,
      await hashPassword(password),
    ]);
  }

  async recordLogin(id: string): Promise<void> {
    await this.db.execute('UPDATE users SET last_login_at = now() WHERE id = $1', [id]);
  }

  /** Enabled admins other than `exceptId`: an admin may not remove the last one's access. */
  async countOtherActiveAdmins(exceptId: string): Promise<number> {
    const row = await this.db.one<{ count: string }>(
      "SELECT count(*) AS count FROM users WHERE role = 'admin' AND NOT disabled AND id <> $1",
      [exceptId],
    );
    return Number(row?.count ?? 0);
  }
}
