/** The lifecycle states of a module (DESIGN.md §4, from the v5 plan). */
export const moduleStatuses = [
  'UPLOADING',
  'VALIDATING',
  'INSTALLING',
  'INSTALLED',
  'ENABLED',
  'INVALID',
  'DISABLED',
  'UNINSTALLING',
  'REMOVED',
] as const;
export type ModuleStatus = (typeof moduleStatuses)[number];

/**
 * Allowed transitions: `UPLOADING → VALIDATING → INSTALLING → INSTALLED → ENABLED`, `VALIDATING → INVALID`,
 * `ENABLED ⇄ DISABLED`, `DISABLED → UNINSTALLING → REMOVED`. An installed module that was never enabled can be
 * uninstalled too, a removed or invalid one installed again, and an upgrade re-installs an existing module.
 */
const transitions: Record<ModuleStatus, readonly ModuleStatus[]> = {
  UPLOADING: ['VALIDATING'],
  VALIDATING: ['INSTALLING', 'INVALID'],
  INSTALLING: ['INSTALLED', 'INVALID'],
  INSTALLED: ['ENABLED', 'UNINSTALLING', 'UPLOADING'],
  ENABLED: ['DISABLED', 'UPLOADING'],
  DISABLED: ['ENABLED', 'UNINSTALLING', 'UPLOADING'],
  UNINSTALLING: ['REMOVED', 'DISABLED'],
  REMOVED: ['UPLOADING', 'INSTALLED'],
  INVALID: ['UPLOADING'],
};

export function canTransition(from: ModuleStatus, to: ModuleStatus): boolean {
  return transitions[from].includes(to);
}
