import { generatePassword } from '../auth/passwords.js';
import { UserStore } from '../auth/users.js';
import type { Config } from '../config.js';
import { migrateCore } from '../db/core-migrations.js';
import { NxfError, isNxfCode } from '../errors.js';
import { createLogger } from '../logger.js';
import { openDatabase } from '../nxforge.js';

/** `nxforge user create`: creates an account, printing a generated password when none was given. */
export async function userCreateCommand(
  config: Config,
  options: { username?: string; role?: string; password?: string },
): Promise<number> {
  if (!options.username || !options.role) {
    throw new NxfError('NXF_USAGE', 'user create needs --username and --role (admin, operator or viewer)');
  }
  const logger = createLogger(config.logLevel === 'info' ? 'warn' : config.logLevel);
  const { db, embedded } = await openDatabase(config, logger);
  try {
    await migrateCore(db);
    const password = options.password ?? generatePassword();
    try {
      const user = await new UserStore(db).create({ username: options.username, role: options.role, password });
      console.log(`Created ${user.role} "${user.username}".`);
      if (!options.password) console.log(`Password: ${password}`);
      return 0;
    } catch (error) {
      if (error instanceof NxfError && error.details && typeof error.details === 'object') {
        const fields = Object.entries(error.details as Record<string, string>).map(([k, v]) => `  --${k}: ${v}`);
        throw new NxfError(
          isNxfCode(error.code) ? error.code : 'NXF_VALIDATION',
          `${error.message}\n${fields.join('\n')}`,
        );
      }
      throw error;
    }
  } finally {
    await db.close();
    await embedded?.stop();
  }
}
