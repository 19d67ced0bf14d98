import type { ModuleRegistry } from '../modules/module-registry.js';
import type { NavEntry, NavigationRegistry } from './navigation.js';

/** Default sidebar position of a module that gives no `order`: after the dashboard, before Administration. */
const defaultOrder = 100;

/**
 * Puts every mounted module's sidebar entry (from its manifest) into the navigation, shown to users with
 * `<module>:read`. The sidebar is recomposed whenever a module is mounted or unmounted.
 */
export function addModulesToNavigation(navigation: NavigationRegistry, registry: ModuleRegistry): void {
  navigation.addSource(() =>
    registry.mounted().map(({ manifest }): NavEntry => ({
      id: manifest.name,
      label: manifest.ui.sidebar.label,
      icon: manifest.ui.sidebar.icon,
      order: manifest.ui.sidebar.order ?? defaultOrder,
      permission: `${manifest.name}:read`,
      children: manifest.ui.sidebar.children.map((child) => ({
        label: child.label,
        path: child.path,
        icon: child.icon,
      })),
    })),
  );
  registry.onChange(() => navigation.invalidate());
}
