import { NxfError } from '../errors.js';
import { roleHasPermission, type Role } from './permissions.js';

/** Throws 403 NXF_FORBIDDEN unless `user` (undefined when signed out) holds `permission`. */
export function assertPermission(user: { role: Role } | undefined, permission: string): void {
  if (!user || !roleHasPermission(user.role, permission)) {
    throw new NxfError('NXF_FORBIDDEN', `You need the "${permission}" permission for this.`, { status: 403 });
  }
}
