import type { Database } from '../db/database.js';
import type { SettingValue } from '../settings/setting-values.js';

/** What persists about a job across restarts: whether it is paused, and the config saved on the Jobs page. */
export interface JobState {
  paused: boolean;
  /** Saved values by config key (defaults are not stored). */
  config: Record<string, unknown>;
  updatedAt: Date | null;
  updatedBy: string | null;
}

interface StateRow {
  module_name: string;
  job_name: string;
  paused: boolean;
  config: Record<string, unknown>;
  updated_at: Date;
  updated_by: string | null;
}

const emptyState: JobState = { paused: false, config: {}, updatedAt: null, updatedBy: null };

const toState = (row: StateRow): JobState => ({
  paused: row.paused,
  config: row.config ?? {},
  updatedAt: row.updated_at,
  updatedBy: row.updated_by,
});

/** The `job_states` table. A job without a row is running on its schedule with its default config. */
export class JobStateStore {
  constructor(private readonly db: Database) {}

  async get(module: string, job: string): Promise<JobState> {
    const row = await this.db.one<StateRow>('SELECT * FROM job_states WHERE module_name = $1 AND job_name = $2', [
      module,
      job,
    ]);
    return row ? toState(row) : { ...emptyState };
  }

  /** Every stored state, by `module/job`. */
  async all(): Promise<Map<string, JobState>> {
    const rows = await this.db.select<StateRow>('SELECT * FROM job_states');
    return new Map(rows.map((row) => [`${row.module_name}/${row.job_name}`, toState(row)]));
  }

  async setPaused(module: string, job: string, paused: boolean, actor: string): Promise<void> {
    await this.db.execute(
      `INSERT INTO job_states (module_name, job_name, paused, updated_by) VALUES ($1, $2, $3, $4)
       ON CONFLICT (module_name, job_name) DO UPDATE SET paused = $3, updated_by = $4, updated_at = now()`,
      [module, job, paused, actor],
    );
  }

  /** Saves config values (already validated); a null value removes the key, so the default applies again. */
  async saveConfig(
    module: string,
    job: string,
    values: Record<string, SettingValue | null>,
    actor: string,
  ): Promise<void> {
    const set = Object.fromEntries(Object.entries(values).filter(([, value]) => value !== null));
    const removed = Object.keys(values).filter((key) => values[key] === null);
    await this.db.execute(
      `INSERT INTO job_states (module_name, job_name, config, updated_by) VALUES ($1, $2, $3::jsonb, $5)
       ON CONFLICT (module_name, job_name)
       DO UPDATE SET config = (job_states.config || $3::jsonb) - $4::text[], updated_by = $5, updated_at = now()`,
      [module, job, JSON.stringify(set), removed, actor],
    );
  }

  /** Forgets a module's jobs (uninstall with purge). */
  async deleteModule(module: string): Promise<void> {
    await this.db.execute('DELETE FROM job_states WHERE module_name = $1', [module]);
  }
}
