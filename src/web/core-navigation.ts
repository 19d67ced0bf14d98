import { corePermissions } from '../auth/permissions.js';
import type { NavEntry } from './navigation.js';

/** The core's own sidebar entries; modules add theirs from their manifests. */
export const coreNavigation: NavEntry[] = [
  { id: 'core:dashboard', label: 'Dashboard', icon: 'home', path: '/', order: 0, children: [] },
  {
    id: 'core:operations',
    label: 'Operations',
    icon: 'jobs',
    order: 900,
    children: [
      { label: 'Jobs', path: '/jobs', icon: 'jobs', permission: corePermissions.jobsRead },
      { label: 'Executions', path: '/executions', icon: 'executions', permission: corePermissions.executionsRead },
      { label: 'Events', path: '/events', icon: 'events', permission: corePermissions.eventsRead },
    ],
  },
  {
    id: 'core:admin',
    label: 'Administration',
    icon: 'settings',
    order: 1000,
    children: [
      { label: 'Users', path: '/admin/users', icon: 'users', permission: corePermissions.usersManage },
      { label: 'Modules', path: '/admin/modules', icon: 'modules', permission: corePermissions.modulesManage },
      { label: 'Audit log', path: '/admin/audit', icon: 'audit', permission: corePermissions.auditView },
      { label: 'Displays', path: '/admin/displays', icon: 'display', permission: corePermissions.displaysManage },
      {
        label: 'Notifications',
        path: '/settings/notifications',
        icon: 'alert',
        permission: corePermissions.settingsManage,
      },
      {
        label: 'Notification rules',
        path: '/settings/notification-rules',
        icon: 'events',
        permission: corePermissions.settingsManage,
      },
    ],
  },
];
