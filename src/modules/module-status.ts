/** The lifecycle states of a module (docs/modules.md, "Lifecycle"). */
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
 * Enabling an ENABLED module loads it again (after a failed load), and disabling a DISABLED one unloads it
 * wherever it still runs. A failed uninstall goes back to where it was.
 */
const transitions: Record<ModuleStatus, readonly ModuleStatus[]> = {
  UPLOADING: ['VALIDATING'],
  VALIDATING: ['INSTALLING', 'INVALID'],
  INSTALLING: ['INSTALLED', 'INVALID'],
  INSTALLED: ['ENABLED', 'UNINSTALLING', 'UPLOADING'],
  ENABLED: ['ENABLED', 'DISABLED', 'UPLOADING'],
  DISABLED: ['DISABLED', 'ENABLED', 'UNINSTALLING', 'UPLOADING'],
  UNINSTALLING: ['REMOVED', 'DISABLED', 'INSTALLED'],
  REMOVED: ['UPLOADING', 'INSTALLED'],
  INVALID: ['UPLOADING'],
};

export function canTransition(from: ModuleStatus, to: ModuleStatus): boolean {
  return transitions[from].includes(to);
}

/** The states a module rests in between operations; the others last only while one runs. */
const settled: ReadonlySet<ModuleStatus> = new Set(['INSTALLED', 'ENABLED', 'DISABLED', 'INVALID', 'REMOVED']);

/** True when an action (enable, disable, uninstall) may take a module from `from` to `to` now. */
export function canStart(from: ModuleStatus, to: ModuleStatus): boolean {
  return settled.has(from) && canTransition(from, to);
}

/** What an administrator may do to a module, from its status and whether it runs here: what the pages offer. */
export interface ModuleActions {
  /** Load it (enable, or load again an enabled module that failed to load). */
  enable: boolean;
  disable: boolean;
  uninstall: boolean;
}

/** The actions the lifecycle allows a module in `status`, mounted in this process or not. */
export function moduleActions(status: ModuleStatus, mounted: boolean): ModuleActions {
  return {
    enable: !mounted && canStart(status, 'ENABLED'),
    disable: mounted && canStart(status, 'DISABLED'),
    uninstall: !mounted && canStart(status, 'UNINSTALLING'),
  };
}
