import { TimeoutError } from 'puppeteer-core';
import { isNxfError, NxfError, type NxfCode } from '../../errors.js';

/** A scraping failure with its code and whether trying again may help. */
export function scrapeError(code: NxfCode, message: string, transient: boolean, cause?: unknown): NxfError {
  return new NxfError(code, message, { status: transient ? 503 : 422, details: { transient }, cause });
}

/** The device refused the credentials, or the login page came back: trying again would not help. */
export function authError(message: string): NxfError {
  return scrapeError('NXF_SCRAPE_AUTH', message, false);
}

/** The answer of a page load as an error, when it is one: 401/403 are credentials, 429/5xx transient. */
export function statusError(url: string, status: number): NxfError | undefined {
  if (status === 401 || status === 403) return authError(`${url} refused the credentials (HTTP ${status}).`);
  if (status >= 400)
    return scrapeError('NXF_SCRAPE_HTTP', `${url} answered HTTP ${status}.`, status === 429 || status >= 500);
  return undefined;
}

/**
 * Turns whatever a scrape attempt threw into a coded error. `expired` says the pool closed the page at its
 * deadline, which surfaces as "target closed" errors that are really timeouts; `browserGone` that the page's
 * browser disconnected, whatever puppeteer's message says (a wait cut short reads "Waiting for selector failed").
 */
export function classifyScrapeError(
  error: unknown,
  context: { url: string; timeoutMs: number; expired: boolean; browserGone?: boolean },
): NxfError {
  if (isNxfError(error)) return error;
  const message = error instanceof Error ? error.message : String(error);
  if (context.expired || error instanceof TimeoutError) {
    return scrapeError(
      'NXF_SCRAPE_TIMEOUT',
      `${context.url} did not finish within ${context.timeoutMs} ms.`,
      true,
      error,
    );
  }
  if (context.browserGone) return browserCrashed(context.url, error);
  // Chromium refuses to navigate to what is not a URL; the browser is fine, and trying again gives the same answer.
  if (/Cannot navigate to invalid URL/i.test(message)) {
    return scrapeError('NXF_SCRAPE_FAILED', `${context.url} is not an address the browser can load.`, false, error);
  }
  const network = /net::(ERR_[A-Z_]+)/.exec(message);
  if (network?.[1] === 'ERR_INVALID_AUTH_CREDENTIALS') {
    return authError(`${context.url} asks for credentials (HTTP authentication) and none or wrong ones were given.`);
  }
  if (network) {
    return scrapeError('NXF_SCRAPE_UNREACHABLE', `${context.url} could not be loaded (${network[1]}).`, true, error);
  }
  if (/failed to find element matching selector|No element found for selector/i.test(message)) {
    return scrapeError('NXF_SCRAPE_SELECTOR', `${context.url}: ${message}`, false, error);
  }
  if (
    /Target closed|Session closed|Connection closed|browser has disconnected|detached|Protocol error/i.test(message)
  ) {
    return browserCrashed(context.url, error);
  }
  return scrapeError('NXF_SCRAPE_FAILED', `Scraping ${context.url} failed: ${message}`, false, error);
}

function browserCrashed(url: string, cause: unknown): NxfError {
  return scrapeError('NXF_BROWSER_CRASHED', `The browser went away while loading ${url}.`, true, cause);
}
