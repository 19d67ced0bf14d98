import { randomUUID } from 'node:crypto';
import type { Database } from '../../db/database.js';
import { isNxfError, NxfError } from '../../errors.js';
import type { SecretBox } from '../crypto/secret-box.js';
import { channelDriver } from './channels/index.js';
import { verifyChannelConfig, type ChannelType, type ChannelValues } from './channels/channel-driver.js';

/** A configured channel as the settings page sees it: its secrets are never part of it. */
export interface StoredChannel {
  /** UUID, also bound into the sealed secrets. */
  id: string;
  /** Unique (any case); modules send to a channel by it. */
  name: string;
  /** email, webhook or slack. */
  type: ChannelType;
  /** A disabled channel is skipped by `send()` without channels and refused when named. */
  enabled: boolean;
  /** The settings that are not secret. */
  settings: ChannelValues;
  /** Names of the secret settings that hold a value (shown as "set", never shown back). */
  secretsSet: string[];
  /** When it was created. */
  createdAt: Date;
  /** When it was last saved. */
  updatedAt: Date;
}

/** What the settings form (or an API caller) submits for a channel. */
export interface ChannelInput {
  /** Channel name, 1–100 characters. */
  name: string;
  /** email, webhook or slack; fixed once created. */
  type: string;
  /** Whether `send()` without channels uses it. */
  enabled: boolean;
  /** Raw settings by field name; a blank secret keeps the stored one. */
  values: Record<string, unknown>;
}

interface ChannelRow {
  id: string;
  name: string;
  type: ChannelType;
  enabled: boolean;
  config: ChannelValues;
  secrets: string | null;
  created_at: Date;
  updated_at: Date;
}

const columns = 'id, name, type, enabled, config, secrets, created_at, updated_at';

/** The `notification_channels` table; secret settings are sealed with the credentials key, bound to the row id. */
export class ChannelStore {
  constructor(
    private readonly db: Database,
    private readonly box: SecretBox,
  ) {}

  /** Every channel, by name. */
  async list(): Promise<StoredChannel[]> {
    const rows = await this.db.select<ChannelRow>(`SELECT ${columns} FROM notification_channels ORDER BY lower(name)`);
    return rows.map(toChannel);
  }

  /** The channel with this id, if any. */
  async get(id: string): Promise<StoredChannel | undefined> {
    if (!/^[0-9a-f-]{36}$/i.test(id)) return undefined;
    const row = await this.db.one<ChannelRow>(`SELECT ${columns} FROM notification_channels WHERE id = $1`, [id]);
    return row && toChannel(row);
  }

  /** The channel called `name` (any case), if any. */
  async findByName(name: string): Promise<StoredChannel | undefined> {
    const row = await this.db.one<ChannelRow>(
      `SELECT ${columns} FROM notification_channels WHERE lower(name) = lower($1)`,
      [name],
    );
    return row && toChannel(row);
  }

  /** Validates and stores a new channel. @throws NxfError NXF_CHANNEL_CONFIG with field → message. */
  async create(input: ChannelInput): Promise<StoredChannel> {
    const id = randomUUID();
    const { type, values } = this.verify(input, {});
    const { settings, sealed } = this.split(id, type, values);
    return this.write(input.name, () =>
      this.db.one<ChannelRow>(
        `INSERT INTO notification_channels (id, name, type, enabled, config, secrets) VALUES ($1, $2, $3, $4, $5, $6)
         RETURNING ${columns}`,
        [id, input.name.trim(), type, input.enabled, JSON.stringify(settings), sealed],
      ),
    );
  }

  /** Validates and saves changes; the type cannot change, blank secrets keep their stored values. */
  async update(id: string, input: Omit<ChannelInput, 'type'>): Promise<StoredChannel> {
    const current = await this.get(id);
    if (!current) throw new NxfError('NXF_NOT_FOUND', 'No such notification channel.', { status: 404 });
    const stored = await this.values(current);
    const { type, values } = this.verify({ ...input, type: current.type }, stored);
    const { settings, sealed } = this.split(id, type, values);
    return this.write(input.name, () =>
      this.db.one<ChannelRow>(
        `UPDATE notification_channels SET name = $2, enabled = $3, config = $4, secrets = $5, updated_at = now()
          WHERE id = $1 RETURNING ${columns}`,
        [id, input.name.trim(), input.enabled, JSON.stringify(settings), sealed],
      ),
    );
  }

  /** Removes a channel (its delivery records stay, by name); returns what was removed. */
  async delete(id: string): Promise<StoredChannel | undefined> {
    if (!/^[0-9a-f-]{36}$/i.test(id)) return undefined;
    const row = await this.db.one<ChannelRow>(`DELETE FROM notification_channels WHERE id = $1 RETURNING ${columns}`, [
      id,
    ]);
    return row && toChannel(row);
  }

  /** All settings of a channel, secrets decrypted, for delivering. @throws NXF_SECRET_KEY_MISMATCH / NXF_SECRET_CORRUPT */
  async values(channel: StoredChannel): Promise<ChannelValues> {
    const row = await this.db.one<{ secrets: string | null }>(
      'SELECT secrets FROM notification_channels WHERE id = $1',
      [channel.id],
    );
    const secrets = row?.secrets
      ? (JSON.parse(this.box.open(row.secrets, `notification-channel:${channel.id}`)) as ChannelValues)
      : {};
    return { ...channel.settings, ...secrets };
  }

  /** Name and settings checked together, so the form shows every problem at once. */
  private verify(input: ChannelInput, stored: ChannelValues): { type: ChannelType; values: ChannelValues } {
    const errors: Record<string, string> = {};
    const name = typeof input.name === 'string' ? input.name.trim() : '';
    if (name === '') errors.name = 'Enter a name.';
    else if (name.length > 100) errors.name = 'At most 100 characters.';
    let values: ChannelValues = {};
    let type = input.type as ChannelType;
    try {
      const driver = channelDriver(input.type);
      type = driver.type;
      const raw = { ...input.values };
      for (const field of driver.fields) {
        const blank = raw[field.name] === undefined || raw[field.name] === '';
        if (field.secret && blank && stored[field.name] !== undefined) raw[field.name] = stored[field.name];
      }
      values = verifyChannelConfig(driver, raw);
    } catch (error) {
      if (!isNxfError(error, 'NXF_CHANNEL_CONFIG')) throw error;
      Object.assign(errors, error.details);
    }
    if (Object.keys(errors).length > 0) throw configError(errors);
    return { type, values };
  }

  /** Secret settings sealed into one value, the rest kept as JSON. */
  private split(
    id: string,
    type: ChannelType,
    values: ChannelValues,
  ): { settings: ChannelValues; sealed: string | null } {
    const settings: ChannelValues = {};
    const secrets: ChannelValues = {};
    for (const field of channelDriver(type).fields) {
      const value = values[field.name];
      if (value === undefined) continue;
      if (field.secret) secrets[field.name] = value;
      else settings[field.name] = value;
    }
    const sealed =
      Object.keys(secrets).length > 0 ? this.box.seal(JSON.stringify(secrets), `notification-channel:${id}`) : null;
    return { settings, sealed };
  }

  private async write(name: string, query: () => Promise<ChannelRow | undefined>): Promise<StoredChannel> {
    try {
      const row = await query();
      if (!row) throw new NxfError('NXF_NOT_FOUND', 'No such notification channel.', { status: 404 });
      return toChannel(row);
    } catch (error) {
      if ((error as { parent?: { code?: string } }).parent?.code === '23505') {
        throw configError({ name: `A channel called "${name.trim()}" exists already.` });
      }
      throw error;
    }
  }
}

function configError(errors: Record<string, string>): NxfError {
  const summary = Object.entries(errors)
    .map(([field, message]) => `${field}: ${message}`)
    .join('; ');
  return new NxfError('NXF_CHANNEL_CONFIG', `Invalid channel settings — ${summary}`, { status: 422, details: errors });
}

/** Without decrypting, the row only says that secrets are stored; each channel type has one secret field today. */
function toChannel(row: ChannelRow): StoredChannel {
  const secretsSet = row.secrets
    ? channelDriver(row.type)
        .fields.filter((field) => field.secret)
        .map((field) => field.name)
    : [];
  return {
    id: row.id,
    name: row.name,
    type: row.type,
    enabled: row.enabled,
    settings: row.config,
    secretsSet,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  };
}
