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
  displaysManage: 'displays:manage',
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

const coreCapabilities: Record<string, string> = {
  [corePermissions.usersManage]: 'Managing users',
  [corePermissions.modulesManage]: 'Managing modules',
  [corePermissions.settingsManage]: 'Changing settings (notification channels and rules, module settings, job config)',
  [corePermissions.auditView]: 'Reading the audit log',
  [corePermissions.displaysManage]: 'Managing kiosk displays',
  [corePermissions.jobsRun]: 'Running, pausing and resuming jobs',
  [corePermissions.jobsRead]: 'Seeing the jobs',
  [corePermissions.executionsRead]: 'Seeing the executions',
  [corePermissions.eventsRead]: 'Seeing the events',
  [corePermissions.dashboardRead]: 'Seeing the dashboard',
};

const rolePlurals: Record<Role, string> = { admin: 'administrators', operator: 'operators', viewer: 'viewers' };

/**
 * Why a user may not do something, in words: what the permission allows, which roles hold it, who they are and
 * who can change that — e.g. "Managing users (users:manage) is for administrators. You are signed in as vera,
 * a viewer; an administrator can change your role on the Users page."
 */
export function refusalMessage(permission: string, user: { username: string; role: Role }): string {
  const [area, action] = permission.split(':');
  const capability =
    coreCapabilities[permission] ??
    (action === 'read' ? `Seeing the pages of ${area}` : action === 'write' ? `Making changes in ${area}` : 'This');
  const holders = roleNames.filter((role) => roleHasPermission(role, permission)).map((role) => rolePlurals[role]);
  const who = holders.length > 1 ? `${holders.slice(0, -1).join(', ')} and ${holders.at(-1)}` : holders[0];
  const article = /^[aeiou]/.test(user.role) ? 'an' : 'a';
  return (
    `${capability} (${permission}) is for ${who}. You are signed in as ${user.username}, ${article} ${user.role}; ` +
    'an administrator can change your role on the Users page.'
  );
}
