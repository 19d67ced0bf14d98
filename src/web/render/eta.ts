import { Eta } from 'eta';

/**
 * An Eta instance over `viewsDir`. Templates are compiled once and cached (unless `cache` is false, for authors
 * editing views), and so is the resolution of include paths, which Eta would otherwise redo on every include.
 */
export function createEta(viewsDir: string, options: { cache?: boolean } = {}): Eta {
  const cache = options.cache ?? true;
  const eta = new Eta({ views: viewsDir, cache, autoEscape: true, autoTrim: [false, 'nl'] });
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
  return eta;
}
