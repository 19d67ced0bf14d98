import type { Logger } from '../logger.js';
import { generatePassword } from './passwords.js';
import type { UserStore } from './users.js';

/**
 * On first boot (no users at all) creates `admin` with the configured password, or with a generated one that is
 * printed once — the only time it is ever shown.
 */
export async function bootstrapAdmin(users: UserStore, logger: Logger, configured?: string): Promise<void> {
  if ((await users.count()) > 0) return;
  const password = configured ?? generatePassword();
  await users.create({ username: 'admin', password, role: 'admin', displayName: 'Administrator' });
  if (configured) {
    logger.info({ username: 'admin' }, 'created the first administrator with NXFORGE_ADMIN_PASSWORD');
  } else {
    logger.warn(
      { username: 'admin', initialPassword: password },
      `created the first administrator "admin" with the generated password ${password} — it is shown only this once; change it on the profile page`,
    );
  }
}
