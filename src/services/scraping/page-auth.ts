import type { Page } from 'puppeteer-core';
import { authError, statusError } from './scrape-errors.js';

/** Where a device's login form is and how to tell that signing in worked. */
export interface FormAuthConfig {
  /** Page with the login form; default the page being scraped (devices usually redirect to their login). */
  loginUrl?: string;
  /** CSS selector of the user-name input. */
  usernameSelector: string;
  /** CSS selector of the password input; its presence after submitting means the login page came back. */
  passwordSelector: string;
  /** CSS selector of the submit button; without one, Enter is pressed in the password field. */
  submitSelector?: string;
  /** CSS selector present only once signed in (e.g. a logout link); checked after submitting. */
  successSelector?: string;
  /** User name typed into the form. */
  username: string;
  /** Password typed into the form. */
  password: string;
}

/** Answers HTTP basic-auth challenges of every request of `page` with these credentials. */
export async function loginBasicAuth(page: Page, username: string, password: string): Promise<void> {
  await page.authenticate({ username, password });
}

/** Sets cookies (name → value) for the host of `url` in the page's own context, before the first request. */
export async function setAuthCookies(page: Page, url: string, cookies: Record<string, string>): Promise<void> {
  const { hostname, protocol } = new URL(url);
  const entries = Object.entries(cookies).map(([name, value]) => ({
    name,
    value,
    domain: hostname,
    path: '/',
    secure: protocol === 'https:',
  }));
  if (entries.length > 0) await page.browserContext().setCookie(...entries);
}

/**
 * Signs in through a login form: opens it, fills user and password, submits, and waits for the next page.
 * @throws NxfError NXF_SCRAPE_AUTH when the login page comes back (wrong credentials) or the success selector
 *   never shows.
 */
export async function loginFormAuth(page: Page, config: FormAuthConfig & { loginUrl: string }): Promise<void> {
  const response = await page.goto(config.loginUrl, { waitUntil: 'load' });
  const refused = response ? statusError(config.loginUrl, response.status()) : undefined;
  if (refused) throw refused;
  await page.waitForSelector(config.usernameSelector);
  await fill(page, config.usernameSelector, config.username);
  await fill(page, config.passwordSelector, config.password);
  const submit = config.submitSelector
    ? page.click(config.submitSelector)
    : page.focus(config.passwordSelector).then(() => page.keyboard.press('Enter'));
  const [answer] = await Promise.all([page.waitForNavigation({ waitUntil: 'load' }), submit]);
  const status = answer ? statusError(config.loginUrl, answer.status()) : undefined;
  if (status) throw status;
  if (await isLoginPage(page, config)) {
    throw authError(
      `The login page came back after signing in at ${config.loginUrl}: check the user name and password.`,
    );
  }
  if (config.successSelector && !(await page.$(config.successSelector))) {
    throw authError(`Signed in at ${config.loginUrl}, but the page shows no ${config.successSelector}.`);
  }
}

/** True when `page` shows the login form rather than signed-in content. */
export async function isLoginPage(
  page: Page,
  config: Pick<FormAuthConfig, 'passwordSelector' | 'successSelector'>,
): Promise<boolean> {
  // One evaluate: page.$ would inject puppeteer's utility script into the page first (15 ms a new page).
  return page.evaluate(
    (success, password) => !(success && document.querySelector(success)) && document.querySelector(password) !== null,
    config.successSelector ?? '',
    config.passwordSelector,
  );
}

/** Sets an input's value as a user would leave it, without typing key by key (fast, and immune to key handlers). */
async function fill(page: Page, selector: string, value: string): Promise<void> {
  await page.$eval(
    selector,
    (element, text) => {
      const input = element as HTMLInputElement;
      input.value = text;
      input.dispatchEvent(new Event('input', { bubbles: true }));
      input.dispatchEvent(new Event('change', { bubbles: true }));
    },
    value,
  );
}
