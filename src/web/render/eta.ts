import { Eta } from 'eta';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { corePaths } from '../../paths.js';
import { assetUrl, type AssetResolver } from '../static-assets.js';
import { templateHelpers } from './template-helpers.js';

/** The prefix under which every Eta instance knows the core partials. */
export const corePartialPrefix = '@core/partials/';

/**
 * An Eta instance over `viewsDir`, for the core or a module:
 * - templates are compiled once and cached (unless `cache` is false, for authors editing views), and so is the
 *   resolution of include paths, which Eta would otherwise redo on every include;
 * - the core partials are registered as `@core/partials/<name>`, so module views include the same tables, form
 *   fields, flash messages and charts as the core's (`<%~ include('@core/partials/field', {...}) %>`), and a core
 *   partial gets only the data given to its include (see `isolateCorePartials`);
 * - every template sees the helpers as `nx` (`nx.icon('bolt')`, `nx.lineChart({...})`, `nx.dateTime(d)`); a
 *   module's `nx.asset` also fingerprints the module's own files (`assets`, see static-assets.ts).
 */
export function createEta(viewsDir: string, options: { cache?: boolean; assets?: AssetResolver } = {}): Eta {
  const cache = options.cache ?? true;
  const eta = new Eta({
    views: viewsDir,
    cache,
    autoEscape: true,
    autoTrim: [false, 'nl'],
    functionHeader: 'const nx = this.nx;',
    plugins: [isolateCorePartials],
  });
  const { assets } = options;
  const nx = assets ? { ...templateHelpers, asset: (url: string) => assetUrl(url, assets) } : templateHelpers;
  Object.assign(eta, { nx, includeData });
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
  for (const [name, source] of corePartialSources()) eta.loadTemplate(`${corePartialPrefix}${name}`, source);
  return eta;
}

/**
 * The data an include renders with. Eta hands every include the including template's data merged with what
 * the include was given; for a core partial that leaks the page's values into it (a page's `error` shown under
 * every `field`), so a core partial gets exactly what it was given. Other includes keep Eta's merge.
 */
function includeData(template: string, parent: object, given: object | undefined): object {
  if (template.startsWith(corePartialPrefix)) return given ?? {};
  return { ...parent, ...given };
}

/** The two lines of Eta's generated function that define `include` and `includeAsync`. */
const etaIncludeLine =
  /^let (include|includeAsync) = \(__eta_t, __eta_d\) => this\.(render|renderAsync)\(__eta_t, \{\.\.\.(\w+), \.\.\.\(__eta_d \?\? \{\}\)\}, options\);$/gm;

/** An Eta plugin routing every include's data through `includeData`. */
const isolateCorePartials = {
  processFnString(fnString: string): string {
    let replaced = 0;
    const result = fnString.replace(etaIncludeLine, (_line, name: string, render: string, data: string) => {
      replaced += 1;
      return `let ${name} = (__eta_t, __eta_d) => this.${render}(__eta_t, this.includeData(__eta_t, ${data}, __eta_d), options);`;
    });
    // A newer Eta that writes include differently must fail here, not silently leak page data into partials.
    if (replaced !== 2) throw new Error('Eta no longer defines include as NxForge expects; see isolateCorePartials');
    return result;
  },
};

let partialSources: Array<[string, string]> | undefined;

/** The core partials' sources, read once. */
function corePartialSources(): Array<[string, string]> {
  const dir = path.join(corePaths.views, 'partials');
  partialSources ??= readdirSync(dir)
    .filter((file) => file.endsWith('.eta'))
    .map((file) => [file.slice(0, -'.eta'.length), readFileSync(path.join(dir, file), 'utf8')]);
  return partialSources;
}
