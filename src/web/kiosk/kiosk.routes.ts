import type { CoreServices } from '../../core-services.js';
import type { Display } from '../../displays/display-store.js';
import type { AppContext, AppRouter } from '../../http/app-context.js';
import { createRouter } from '../../http/router.js';
import { fragmentETagOf } from '../middleware/fragment-etag.js';
import { displayOf } from './kiosk-access.js';
import { embedModulePage } from './kiosk-embed.js';
import { kioskPageState } from './kiosk-pages.js';

/** One page of a display as the kiosk layout draws it. */
interface KioskSlot {
  path: string;
  label: string;
  /** Rendered on the server: the page that opens first. */
  html?: string;
  /** The ETag a refresh of the rendered page gets while it is unchanged, so that refresh is a 304. */
  etag?: string;
  /** Why the page cannot be shown now (it may come back: a module enabled again). */
  problem?: string;
  current: boolean;
}

/**
 * A display's URL, `/kiosk/<token>` (kiosk-access.ts let it through): the kiosk layout with the display's pages,
 * the first of them (or `?page=`, how a display without script rotates) rendered in it. From then on
 * public/js/kiosk.js refreshes and rotates them in place. Opening it starts a kiosk session, in the audit log.
 */
export function kioskRoutes(services: CoreServices): AppRouter {
  const router = createRouter();
  router.get('/kiosk/:token', async (ctx) => {
    const display = displayOf(ctx);
    await recordView(services, ctx, display);
    const start = startIndex(ctx, display.pages.length);
    const slots: KioskSlot[] = display.pages.map((path, index) => {
      const state = kioskPageState(services.modules.registry, path);
      const label = state.available ? state.page.label : path;
      return { path, label, problem: state.available ? undefined : state.reason, current: index === start };
    });
    const current = slots[start];
    if (current && !current.problem) {
      const embedded = await embedModulePage(ctx, services.modules.registry, current.path);
      if ('html' in embedded) {
        current.html = embedded.html;
        current.etag = fragmentETagOf(embedded.html);
      } else current.problem = embedded.problem;
    }
    ctx.status = 200;
    ctx.type = 'html';
    ctx.body = services.views.render('kiosk/layout', {
      display,
      token: String(ctx.params.token),
      slots,
      next: slots.length > 0 ? (start + 1) % slots.length : 0,
      renderedAt: new Date(),
    });
  });
  return router;
}

/** The page to open with: `?page=<n>` within range, else the first. */
function startIndex(ctx: AppContext, count: number): number {
  const asked = Number(ctx.query.page);
  return Number.isInteger(asked) && asked >= 0 && asked < count ? asked : 0;
}

/** A view is logged when a browser starts a session; the same browser reloading within minutes is not logged again. */
async function recordView(services: CoreServices, ctx: AppContext, display: Display): Promise<void> {
  const browser = ctx.get('User-Agent');
  if (!(await services.displays.startSession(display.id, `${ctx.ip}\n${browser}`))) return;
  await services.audit.record({
    action: 'display.view',
    outcome: 'success',
    actorName: `display ${display.name}`,
    target: display.name,
    sourceIp: ctx.ip,
    details: { browser },
  });
}
