import type { Eta } from 'eta';
import type { AppContext } from '../../http/app-context.js';
import type { NavigationRegistry } from '../navigation.js';
import { setFlash, takeFlash, type FlashMessage } from './flash.js';
import { isHtmxRequest } from './htmx.js';
import { coreVersion } from '../../version.js';

/** Data every page template gets besides its own. */
export interface PageOptions {
  /** The page title, shown in the tab and as the page heading by most templates. */
  title: string;
  /** HTTP status, default 200. */
  status?: number;
}

/** A renderer of templates from one views folder; the core has one, each module gets its own. */
export interface TemplateSource {
  render(template: string, data: object): string;
}

/**
 * Renders core templates and wraps page bodies in the layout (header, sidebar composed for the user, flash
 * messages). Module views reach the same layout through `renderInLayout`.
 */
export class ViewRenderer implements TemplateSource {
  /**
   * Rendered sidebars by role, path and navigation version: the sidebar depends on nothing else, and most
   * requests are for a handful of pages.
   */
  readonly #sidebars = new Map<string, string>();

  constructor(
    private readonly eta: Eta,
    private readonly navigation: NavigationRegistry,
  ) {}

  /** Renders a core template (path relative to `views/`, without extension). */
  render(template: string, data: object): string {
    return this.eta.render(template, data);
  }

  /**
   * Answers with `template` as a whole page inside the layout, or the template alone for an htmx request that
   * targets part of the page.
   */
  page(ctx: AppContext, template: string, data: PageOptions & Record<string, unknown>): void {
    const body = this.render(template, { ...this.common(ctx), ...data });
    this.send(ctx, body, data);
  }

  /**
   * For views with a page and a fragment form (a form that htmx swaps on its own): the fragment for an htmx
   * request, else the page that contains it.
   */
  respond(
    ctx: AppContext,
    views: { page: string; fragment: string },
    data: PageOptions & Record<string, unknown>,
  ): void {
    if (isHtmxRequest(ctx)) {
      ctx.status = data.status ?? 200;
      this.fragment(ctx, views.fragment, data);
    } else {
      this.page(ctx, views.page, data);
    }
  }

  /** Answers with already rendered HTML: alone for an htmx fragment request, else inside the layout. */
  send(ctx: AppContext, bodyHtml: string, options: PageOptions): void {
    ctx.status = options.status ?? 200;
    ctx.type = 'html';
    ctx.body = this.wrap(ctx, bodyHtml, options);
  }

  /** Queues a flash message for the next page this request's browser shows (after a redirect). */
  flash(ctx: AppContext, kind: FlashMessage['kind'], text: string): void {
    setFlash(ctx, kind, text);
  }

  /**
   * Rendered HTML as the request wants it: alone (plus flash messages) for an htmx fragment, else a whole page. A
   * kiosk display's page is always alone: the kiosk route puts it in the kiosk layout (src/web/kiosk/).
   */
  wrap(ctx: AppContext, bodyHtml: string, options: { title: string }): string {
    if (ctx.state.kiosk) return bodyHtml;
    return isHtmxRequest(ctx) ? bodyHtml + this.flashPartial(ctx) : this.renderInLayout(ctx, bodyHtml, options);
  }

  /** Answers with `template` alone (an htmx swap), plus this request's flash messages aimed at the flash area. */
  fragment(ctx: AppContext, template: string, data: object): void {
    ctx.type = 'html';
    ctx.body = this.render(template, { ...this.common(ctx), ...data }) + this.flashPartial(ctx);
  }

  /** An htmx 4 partial that replaces the page's flash area, when this request queued messages. */
  private flashPartial(ctx: AppContext): string {
    if (ctx.state.flash.length === 0) return '';
    const messages = this.render('partials/flash', { messages: ctx.state.flash });
    return `<hx-partial hx-target="#flash" hx-swap="innerHTML">${messages}</hx-partial>`;
  }

  /** The whole page: layout, sidebar for the current user, pending flash messages, and `bodyHtml`. */
  renderInLayout(ctx: AppContext, bodyHtml: string, options: PageOptions): string {
    return this.render('layout', {
      ...this.common(ctx),
      title: options.title,
      body: bodyHtml,
      sidebarHtml: this.sidebar(ctx),
      flash: [...ctx.state.flash, ...takeFlash(ctx)],
    });
  }

  /** The sidebar HTML for the current user and page. */
  private sidebar(ctx: AppContext): string {
    const { user } = ctx.state;
    if (!user) return '';
    const key = `${user.role}\0${ctx.path}\0${this.navigation.version}`;
    let html = this.#sidebars.get(key);
    if (html === undefined) {
      html = this.render('partials/sidebar', { entries: this.navigation.compose(user, ctx.path) });
      if (this.#sidebars.size >= 1000) this.#sidebars.clear();
      this.#sidebars.set(key, html);
    }
    return html;
  }

  /** Values every template may use: the user, the CSRF token, the current path, the kiosk display asking. */
  common(ctx: AppContext): Record<string, unknown> {
    const { user, csrfToken, kiosk } = ctx.state;
    return { user, csrfToken, path: ctx.path, version: coreVersion, kiosk };
  }
}
