import type { Database } from '../db/database.js';
import { NxfError } from '../errors.js';
import { randomToken, sha256Hex } from '../hash.js';
import type { Role } from './permissions.js';
import type { AuthenticatedUser } from './sessions.js';

/** A personal API token as its owner sees it listed (the token itself is shown once, at creation). */
export interface ApiToken {
  id: string;
  name: string;
  prefix: string;
  createdAt: Date;
  lastUsedAt: Date | null;
  revokedAt: Date | null;
}

interface ApiTokenRow {
  id: string;
  name: string;
  token_prefix: string;
  created_at: Date;
  last_used_at: Date | null;
  revoked_at: Date | null;
}

/** Tokens start with this so they are recognisable in configs and secret scanners. */
export const apiTokenPrefix = 'nxf_';
export const apiTokenNameMaxLength = 100;

function toApiToken(row: ApiTokenRow): ApiToken {
  return {
    id: row.id,
    name: row.name,
    prefix: row.token_prefix,
    createdAt: row.created_at,
    lastUsedAt: row.last_used_at,
    revokedAt: row.revoked_at,
  };
}

/** Personal API tokens for `/api/v1`, stored as SHA-256 (they carry 256 bits of entropy, so no slow hash is needed). */
export class ApiTokenStore {
  constructor(private readonly db: Database) {}

  /**
   * Creates a token for `userId` and returns it with its record; the caller shows the token once.
   * @throws NxfError NXF_VALIDATION for an empty or over-long name.
   */
  async create(userId: string, name: string): Promise<{ token: string; record: ApiToken }> {
    const trimmed = name.trim();
    if (trimmed === '' || trimmed.length > apiTokenNameMaxLength) {
      const message = trimmed === '' ? 'Give the token a name.' : `At most ${apiTokenNameMaxLength} characters.`;
      throw new NxfError('NXF_VALIDATION', message, { status: 400, details: { name: message } });
    }
    const token = `${apiTokenPrefix}${randomToken()}`;
    const row = await this.db.one<ApiTokenRow>(
      `INSERT INTO api_tokens (user_id, name, token_hash, token_prefix) VALUES ($1, $2, $3, $4)
       RETURNING id, name, token_prefix, created_at, last_used_at, revoked_at`,
      [userId, trimmed, sha256Hex(token), token.slice(0, apiTokenPrefix.length + 6)],
    );
    return { token, record: toApiToken(row as ApiTokenRow) };
  }

  async listForUser(userId: string): Promise<ApiToken[]> {
    const rows = await this.db.select<ApiTokenRow>(
      `SELECT id, name, token_prefix, created_at, last_used_at, revoked_at FROM api_tokens
        WHERE user_id = $1 ORDER BY revoked_at IS NOT NULL, created_at DESC`,
      [userId],
    );
    return rows.map(toApiToken);
  }

  /** Revokes one of the user's tokens; returns its record, or undefined when it is not theirs or already revoked. */
  async revoke(userId: string, tokenId: string): Promise<ApiToken | undefined> {
    const row = await this.db.one<ApiTokenRow>(
      `UPDATE api_tokens SET revoked_at = now()
        WHERE id::text = $2 AND user_id = $1 AND revoked_at IS NULL
        RETURNING id, name, token_prefix, created_at, last_used_at, revoked_at`,
      [userId, tokenId],
    );
    return row && toApiToken(row);
  }

  /** Revokes every live token of the user (a password reset does); returns how many. */
  async revokeAllForUser(userId: string): Promise<number> {
    return this.db.execute('UPDATE api_tokens SET revoked_at = now() WHERE user_id = $1 AND revoked_at IS NULL', [
      userId,
    ]);
  }

  /** The owner of a live token, or undefined for an unknown or revoked token or a disabled owner. */
  async authenticate(token: string): Promise<AuthenticatedUser | undefined> {
    if (!token.startsWith(apiTokenPrefix)) return undefined;
    const row = await this.db.one<{ user_id: string; username: string; role: Role }>(
      `UPDATE api_tokens t SET last_used_at = now()
         FROM users u
        WHERE t.token_hash = $1 AND t.revoked_at IS NULL AND u.id = t.user_id AND NOT u.disabled
        RETURNING t.user_id, u.username, u.role`,
      [sha256Hex(token)],
    );
    return row && { id: row.user_id, username: row.username, role: row.role };
  }
}
