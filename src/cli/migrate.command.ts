import type { Config } from '../config.js';
import { migrateCore } from '../db/core-migrations.js';
import { createLogger } from '../logger.js';
import { openDatabase } from '../nxforge.js';

/** Applies pending core migrations and reports what it did. */
export async function migrateCommand(config: Config): Promise<number> {
  const logger = createLogger(config.logLevel === 'info' ? 'warn' : config.logLevel);
  const { db, embedded } = await openDatabase(config, logger);
  try {
    const applied = await migrateCore(db);
    console.log(applied.length > 0 ? `Applied: ${applied.join(', ')}` : 'The database is up to date.');
    return 0;
  } finally {
    await db.close();
    await embedded?.stop();
  }
}
