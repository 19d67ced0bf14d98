import { fileURLToPath } from 'node:url';
import path from 'node:path';

/**
 * Where the installation's files are. Compiled code runs from `dist/src/`, so the project root is two levels up;
 * views, public assets, core migrations and bundled modules are read from the source tree, not copied.
 */
export const projectRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');

export const corePaths = {
  views: path.join(projectRoot, 'views'),
  public: path.join(projectRoot, 'public'),
  migrations: path.join(projectRoot, 'migrations'),
  bundledModules: path.join(projectRoot, 'modules'),
  htmxDist: path.join(projectRoot, 'node_modules', 'htmx.org', 'dist'),
} as const;
