import type { AppContext } from '../../http/app-context.js';
import type { FlashMessage } from '../../http/request-state.js';

/** What a module's pages need of the core's renderer (the web layer's `ViewRenderer` is one). */
export interface PageLayout {
  /** Values every template gets for the request: the user, the CSRF token, the current path, the kiosk display. */
  common(request: AppContext): Record<string, unknown>;
  /** A rendered view as the request wants it: alone for an htmx fragment, else inside the core's layout. */
  wrap(request: AppContext, bodyHtml: string, options: { title: string }): string;
  /** Queues a message for the next page the request's browser shows. */
  flash(request: AppContext, kind: FlashMessage['kind'], text: string): void;
}
