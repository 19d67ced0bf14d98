import type { Scheduler } from '../jobs/scheduler.js';
import type { ModuleHooks } from './module-mounter.js';

/**
 * How jobs follow modules: mounting a module registers its jobs, unmounting it (disable, upgrade, reload, or
 * another process disabling it) removes them — a running execution finishes within the grace period or is
 * cancelled, recorded either way — and purging it deletes its executions and job states.
 */
export function schedulerHooks(scheduler: Scheduler): ModuleHooks {
  return {
    mounted: (module) =>
      scheduler.registerModule({
        name: module.name,
        directory: module.directory,
        manifest: module.manifest,
        databaseRole: module.databaseRole,
        settings: () => module.settings.current,
      }),
    unmounting: (module) =>
      scheduler.unregisterModule(
        module.name,
        `The module ${module.name} was unloaded (disabled, upgraded or reloaded).`,
      ),
    purged: (module) => scheduler.purgeModule(module),
  };
}
