/** The roles a user can have. */
export const roleNames = ['admin', 'operator', 'viewer'] as const;
export type Role = (typeof roleNames)[number];

/**
 * What each role may do. A permission is `<area>:<action>`; `*` in either part matches anything, so `*:read`
 * covers every module's pages. Administrative areas use `:manage` so that no wildcard short of `*` reaches them.
 */
export const rolePermissions: Record<Role, readonly string[]> = {
  admin: ['*'],
  operator: ['*:read', '*:write', 'jobs:run'],
  viewer: ['*:read'],
};

/** Core permissions, for documentation and for the pages that check them. */
export const corePermissions = {
  usersManage: 'users:manage',
  modulesManage: 'modules:manage',
  settingsManage: 'settings:manage',
  auditView: 'audit:manage',
  jobsRun: 'jobs:run',
  jobsRead: 'jobs:read',
  executionsRead: 'executions:read',
  eventsRead: 'events:read',
  dashboardRead: 'dashboard:read',
} as const;

/** True when the granted permission pattern covers the required permission. */
export function permissionCovers(granted: string, required: string): boolean {
  if (granted === '*') return true;
  const [grantedArea, grantedAction] = granted.split(':');
  const [requiredArea, requiredAction] = required.split(':');
  const matches = (pattern: string | undefined, value: string | undefined) =>
    pattern === '*' || (pattern !== undefined && pattern === value);
  return matches(grantedArea, requiredArea) && matches(grantedAction, requiredAction);
}

/** True when `role` holds `permission`. */
export function roleHasPermission(role: Role, permission: string): boolean {
  return rolePermissions[role].some((granted) => permissionCovers(granted, permission));
}

export function isRole(value: unknown): value is Role {
  return typeof value === 'string' && (roleNames as readonly string[]).includes(value);
}
