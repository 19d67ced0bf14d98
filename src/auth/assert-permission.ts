import { NxfError } from '../errors.js';
import { refusalMessage, roleHasPermission, type Role } from './permissions.js';

/**
 * Throws 403 NXF_FORBIDDEN unless `user` (undefined when signed out) holds `permission`; the message says what
 * was refused, who may do it and who can change that (`refusalMessage`), `details.permission` names it.
 */
export function assertPermission(user: { username: string; role: Role } | undefined, permission: string): void {
  if (!user || !roleHasPermission(user.role, permission)) {
    const message = user ? refusalMessage(permission, user) : `Sign in with the "${permission}" permission for this.`;
    throw new NxfError('NXF_FORBIDDEN', message, { status: 403, details: { permission } });
  }
}
