import type { Transaction } from 'sequelize';
import type { Database } from '../db/database.js';
import { NxfError } from '../errors.js';
import { randomToken, sha256Hex } from '../hash.js';
import type { DisplayTheme } from './display-theme.js';
import type { DisplaySettings } from './display-input.js';

/** A display as administrators see it listed. */
export interface Display extends DisplaySettings {
  id: string;
  createdAt: Date;
  updatedAt: Date;
  /** Set once revoked: its URL then says "display revoked" until it is given a new one. */
  revokedAt: Date | null;
  /** The display's last request, its answer, and the browser that made it. */
  lastContact: { at: Date; goodAt: Date | null; status: number; browser: string; address: string } | null;
}

/** What a URL token stands for: a live display, or one whose token was rotated or revoked. */
export type DisplayLookup =
  | { state: 'live'; display: Display }
  | { state: 'rotated' | 'revoked'; retiredAt: Date; name: string; theme: DisplayTheme };

interface DisplayRow {
  id: string;
  name: string;
  pages: string[];
  rotate_seconds: number;
  refresh_ms: number;
  theme: DisplayTheme;
  filter_rack: string | null;
  filter_customer: string | null;
  created_at: Date;
  updated_at: Date;
  revoked_at: Date | null;
  last_contact_at: Date | null;
  last_good_at: Date | null;
  last_status: number | null;
  last_browser: string | null;
  last_address: string | null;
}

const columns = `id, name, pages, rotate_seconds, refresh_ms, theme, filter_rack, filter_customer, created_at,
  updated_at, revoked_at, last_contact_at, last_good_at, last_status, last_browser, last_address`;

/** A display's URL token: 256 random bits, base64url (43 characters). */
const tokenPattern = /^[A-Za-z0-9_-]{43}$/;

/** How long the same browser at the same address may reload a display before its view is logged again. */
const viewLogQuietMinutes = 15;

function toDisplay(row: DisplayRow): Display {
  const filter: Display['filter'] = {};
  if (row.filter_rack) filter.rack = row.filter_rack;
  if (row.filter_customer) filter.customer = row.filter_customer;
  return {
    id: row.id,
    name: row.name,
    pages: row.pages,
    rotateSeconds: row.rotate_seconds,
    refreshMs: row.refresh_ms,
    theme: row.theme,
    filter,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
    revokedAt: row.revoked_at,
    lastContact: row.last_contact_at
      ? {
          at: row.last_contact_at,
          goodAt: row.last_good_at,
          status: row.last_status ?? 0,
          browser: row.last_browser ?? '',
          address: row.last_address ?? '',
        }
      : null,
  };
}

/**
 * The `displays` table. A display's URL carries a token of 256 random bits, stored only as its SHA-256 and found
 * by that hash, so a guess learns nothing from how long the answer takes. Rotating or revoking a token keeps its
 * hash in `display_retired_tokens`, so the old URL says "display revoked" rather than 404.
 */
export class DisplayStore {
  constructor(private readonly db: Database) {}

  async list(): Promise<Display[]> {
    const rows = await this.db.select<DisplayRow>(`SELECT ${columns} FROM displays ORDER BY lower(name)`);
    return rows.map(toDisplay);
  }

  async get(id: string): Promise<Display | undefined> {
    if (!/^[0-9a-f-]{36}$/i.test(id)) return undefined;
    const row = await this.db.one<DisplayRow>(`SELECT ${columns} FROM displays WHERE id = $1`, [id]);
    return row && toDisplay(row);
  }

  /**
   * Creates a display and returns it with its URL token, which is shown once.
   * @throws NxfError NXF_CONFLICT when another display has the name.
   */
  async create(settings: DisplaySettings): Promise<{ display: Display; token: string }> {
    const token = randomToken();
    const row = await this.uniqueName(settings.name, () =>
      this.db.one<DisplayRow>(
        `INSERT INTO displays (name, pages, rotate_seconds, refresh_ms, theme, filter_rack, filter_customer, token_hash)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING ${columns}`,
        [...settingValues(settings), sha256Hex(token)],
      ),
    );
    return { display: toDisplay(row as DisplayRow), token };
  }

  /** Saves a display's settings; its URL stays the same. */
  async update(id: string, settings: DisplaySettings): Promise<Display | undefined> {
    const row = await this.uniqueName(settings.name, () =>
      this.db.one<DisplayRow>(
        `UPDATE displays SET name = $1, pages = $2, rotate_seconds = $3, refresh_ms = $4, theme = $5, filter_rack = $6,
                filter_customer = $7, updated_at = now()
          WHERE id = $8 RETURNING ${columns}`,
        [...settingValues(settings), id],
      ),
    );
    return row && toDisplay(row);
  }

  /** Gives the display a new URL token (also to a revoked display, which is live again); the old URL stops working. */
  async rotate(id: string): Promise<{ display: Display; token: string } | undefined> {
    const token = randomToken();
    const row = await this.db.transaction(async (transaction) => {
      await this.retire(id, 'rotated', transaction);
      return this.db.one<DisplayRow>(
        `UPDATE displays SET token_hash = $2, revoked_at = NULL, updated_at = now() WHERE id = $1 RETURNING ${columns}`,
        [id, sha256Hex(token)],
        transaction,
      );
    });
    return row && { display: toDisplay(row), token };
  }

  /** Revokes the display's URL; undefined when there is no such display or it was revoked already. */
  async revoke(id: string): Promise<Display | undefined> {
    const row = await this.db.transaction(async (transaction) => {
      await this.retire(id, 'revoked', transaction);
      return this.db.one<DisplayRow>(
        `UPDATE displays SET token_hash = NULL, revoked_at = now(), updated_at = now()
          WHERE id = $1 AND revoked_at IS NULL RETURNING ${columns}`,
        [id],
        transaction,
      );
    });
    return row && toDisplay(row);
  }

  /** What a URL token stands for; undefined for a token that never was one (also for any malformed one). */
  async lookup(token: string): Promise<DisplayLookup | undefined> {
    if (!tokenPattern.test(token)) return undefined;
    const hash = sha256Hex(token);
    const row = await this.db.one<DisplayRow>(`SELECT ${columns} FROM displays WHERE token_hash = $1`, [hash]);
    if (row) return { state: 'live', display: toDisplay(row) };
    const retired = await this.db.one<{ reason: 'rotated' | 'revoked'; retired_at: Date; name: string; theme: DisplayTheme }>(
      `SELECT r.reason, r.retired_at, d.name, d.theme FROM display_retired_tokens r JOIN displays d ON d.id = r.display_id
        WHERE r.token_hash = $1`,
      [hash],
    );
    return retired && { state: retired.reason, retiredAt: retired.retired_at, name: retired.name, theme: retired.theme };
  }

  /** Notes a request of the display: when, how it was answered, from which browser and address. */
  async recordContact(id: string, contact: { status: number; browser: string; address: string }): Promise<void> {
    const good = contact.status < 400;
    await this.db.execute(
      `UPDATE displays SET last_contact_at = now(), last_good_at = CASE WHEN $2 THEN now() ELSE last_good_at END,
              last_status = $3, last_browser = $4, last_address = $5
        WHERE id = $1`,
      [id, good, contact.status, contact.browser.slice(0, 300), contact.address],
    );
  }

  /**
   * Whether a load of the display's URL starts a session worth an audit entry: yes unless the same browser at the
   * same address logged one in the last 15 minutes (a screen that reloads in a loop must not flood the log).
   * Decided in one statement, so two processes serving the same display log it once.
   */
  async startSession(id: string, client: string): Promise<boolean> {
    const changed = await this.db.execute(
      `UPDATE displays SET session_client = $2, session_logged_at = now()
        WHERE id = $1 AND (session_client IS DISTINCT FROM $2
                           OR session_logged_at < now() - make_interval(mins => $3))`,
      [id, sha256Hex(client), viewLogQuietMinutes],
    );
    return changed > 0;
  }

  private async retire(id: string, reason: 'rotated' | 'revoked', transaction: Transaction): Promise<void> {
    await this.db.execute(
      `INSERT INTO display_retired_tokens (token_hash, display_id, reason)
       SELECT token_hash, id, $2 FROM displays WHERE id = $1 AND token_hash IS NOT NULL`,
      [id, reason],
      transaction,
    );
  }

  private async uniqueName<T>(name: string, write: () => Promise<T>): Promise<T> {
    try {
      return await write();
    } catch (error) {
      if ((error as { parent?: { code?: string } }).parent?.code === '23505') {
        throw new NxfError('NXF_CONFLICT', `There is a display named ${name} already.`, {
          status: 409,
          details: { name: 'Another display has this name.' },
        });
      }
      throw error;
    }
  }
}

function settingValues(settings: DisplaySettings): unknown[] {
  return [
    settings.name,
    JSON.stringify(settings.pages),
    settings.rotateSeconds,
    settings.refreshMs,
    settings.theme,
    settings.filter.rack ?? null,
    settings.filter.customer ?? null,
  ];
}
