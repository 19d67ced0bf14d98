import { Eta } from 'eta';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { corePaths } from '../../paths.js';
import { templateHelpers } from './template-helpers.js';

/**
 * An Eta instance over `viewsDir`, for the core or a module:
 * - templates are compiled once and cached (unless `cache` is false, for authors editing views), and so is the
 *   resolution of include paths, which Eta would otherwise redo on every include;
 * - the core partials are registered as `@core/partials/<name>`, so module views include the same tables, form
 *   fields, flash messages and charts as the core's (`<%~ include('@core/partials/field', {...}) %>`);
 * - every template sees the helpers as `nx` (`nx.icon('bolt')`, `nx.lineChart({...})`, `nx.dateTime(d)`).
 */
export function createEta(viewsDir: string, options: { cache?: boolean } = {}): Eta {
  const cache = options.cache ?? true;
  const eta = new Eta({
    views: viewsDir,
    cache,
    autoEscape: true,
    autoTrim: [false, 'nl'],
    functionHeader: 'const nx = this.nx;',
  });
  Object.assign(eta, { nx: templateHelpers });
  const resolve = eta.resolvePath.bind(eta);
  const resolved = new Map<string, string>();
  eta.resolvePath = (template, resolveOptions) => {
    const key = `${resolveOptions?.filepath ?? ''}\0${template}`;
    let file = resolved.get(key);
    if (file === undefined) {
      file = resolve(template, resolveOptions);
      if (cache) resolved.set(key, file);
    }
    return file;
  };
  for (const [name, source] of corePartialSources()) eta.loadTemplate(`@core/partials/${name}`, source);
  return eta;
}

let partialSources: Array<[string, string]> | undefined;

/** The core partials' sources, read once. */
function corePartialSources(): Array<[string, string]> {
  const dir = path.join(corePaths.views, 'partials');
  partialSources ??= readdirSync(dir)
    .filter((file) => file.endsWith('.eta'))
    .map((file) => [file.slice(0, -'.eta'.length), readFileSync(path.join(dir, file), 'utf8')]);
  return partialSources;
}
