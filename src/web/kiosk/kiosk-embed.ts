import type { AppContext } from '../../http/app-context.js';
import type { ModuleRegistry } from '../../modules/module-registry.js';
import { serveModulePage } from '../module-dispatcher.js';

/** A module page rendered for the kiosk layout: its HTML, or why it could not be shown. */
export type EmbeddedPage = { html: string } | { problem: string };

/**
 * Renders a display's page into the kiosk layout on the server, as its module answers a refresh: the module's
 * router runs for `path` on this very request (a kiosk request, so `render` gives the view alone), and the
 * request is put back as it was. The first page a display opens is thus in its first answer, also without script.
 */
export async function embedModulePage(ctx: AppContext, registry: ModuleRegistry, path: string): Promise<EmbeddedPage> {
  const owner = registry.ownerOf(path);
  if (!owner) return { problem: 'no module serves it' };
  const saved = { path: ctx.path, querystring: ctx.querystring };
  ctx.path = path;
  ctx.querystring = '';
  try {
    await serveModulePage(owner, ctx);
    if (ctx.status === 200 && typeof ctx.body === 'string') return { html: ctx.body };
    return { problem: `the page answered HTTP ${ctx.status}` };
  } catch (error) {
    ctx.state.log.error({ err: error, path }, 'kiosk page failed to render');
    // What failed is in the log; a wall screen shows no internals.
    return { problem: 'the page failed on the server' };
  } finally {
    ctx.path = saved.path;
    ctx.querystring = saved.querystring;
    ctx.body = null;
    ctx.status = 404;
  }
}
