import type { Database } from '../../db/database.js';
import type { SettingValue } from '../../settings/setting-values.js';

/** The `module_settings` table: values saved from a module's settings page, by module and key. */
export class ModuleSettingsStore {
  constructor(private readonly db: Database) {}

  async load(module: string): Promise<Record<string, unknown>> {
    const rows = await this.db.select<{ key: string; value: unknown }>(
      'SELECT key, value FROM module_settings WHERE module_name = $1',
      [module],
    );
    return Object.fromEntries(rows.map((row) => [row.key, row.value]));
  }

  /** Saves the given values in one transaction; a null value removes the key (back to the default). */
  async save(module: string, values: Record<string, SettingValue | null>, actor: string): Promise<void> {
    await this.db.transaction(async (transaction) => {
      for (const [key, value] of Object.entries(values)) {
        if (value === null) {
          await this.db.execute(
            'DELETE FROM module_settings WHERE module_name = $1 AND key = $2',
            [module, key],
            transaction,
          );
        } else {
          await this.db.execute(
            `INSERT INTO module_settings (module_name, key, value, updated_by) VALUES ($1, $2, $3, $4)
             ON CONFLICT (module_name, key) DO UPDATE SET value = $3, updated_by = $4, updated_at = now()`,
            [module, key, JSON.stringify(value), actor],
            transaction,
          );
        }
      }
    });
  }

  async deleteAll(module: string): Promise<void> {
    await this.db.execute('DELETE FROM module_settings WHERE module_name = $1', [module]);
  }
}
