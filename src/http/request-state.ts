import type { AuthenticatedUser } from '../auth/sessions.js';
import type { Logger } from '../logger.js';
import type { KioskRequest } from './kiosk-request.js';

/** A one-time message shown at the top of the next page. */
export interface FlashMessage {
  kind: 'success' | 'info' | 'warning' | 'error';
  text: string;
  /** A link shown after the text, to where the user can read more (a module's log). */
  link?: { href: string; label: string };
}

/**
 * What the middleware chain learns about a request, available to every handler as `ctx.state`. A class rather
 * than Koa's default `{}`, so every request's state has the same shape and the request logger is made only when
 * something logs with it.
 */
export class RequestState {
  /** The signed-in user, when there is one. */
  user?: AuthenticatedUser = undefined;
  /** How the user was authenticated: a browser session or a personal API token. */
  authMethod?: 'session' | 'token' = undefined;
  /** The session cookie's value, for ending the session at logout. */
  sessionToken?: string = undefined;
  /**
   * The kiosk display a request comes from (its URL, or the token its pages send with each refresh); such a
   * request has no user and may only read the display's pages.
   */
  kiosk?: KioskRequest = undefined;
  /** The CSRF token for forms and htmx requests of this client. */
  csrfToken = '';
  /** Messages to show with this response (those queued by a redirect are read from their cookie when rendering). */
  flash: FlashMessage[] = [];
  #log?: Logger;

  constructor(
    readonly requestId: string,
    private readonly rootLogger: Logger,
  ) {}

  /** Logger whose lines carry the request id. */
  get log(): Logger {
    this.#log ??= this.rootLogger.child({ requestId: this.requestId });
    return this.#log;
  }
}
