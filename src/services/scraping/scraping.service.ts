import type { Page } from 'puppeteer-core';
import { errorMessage, type NxfError } from '../../errors.js';
import type { Logger } from '../../logger.js';
import { withRetries, type RetryPolicy } from '../retry.js';
import type { ModuleStorage } from '../storage/storage.service.js';
import type { BrowserPool, PageLease } from './browser-pool.js';
import { parseNumber, type NumberFormat } from './extract-number.js';
import { isLoginPage, loginBasicAuth, loginFormAuth, setAuthCookies, type FormAuthConfig } from './page-auth.js';
import { classifyScrapeError, scrapeError, statusError } from './scrape-errors.js';

/** How to sign in to the device. */
export type ScrapeAuth =
  | { type: 'basic'; credentials: { username: string; password: string } }
  | {
      type: 'form';
      credentials: { username: string; password: string };
      form: Omit<FormAuthConfig, 'username' | 'password'>;
    }
  | { type: 'cookie'; credentials: Record<string, string> };

/** A cookie of a device's web session, as stored between scrapes (puppeteer's cookie fields). */
export interface SessionCookie {
  name: string;
  value: string;
  domain: string;
  path?: string;
  /** Seconds since the epoch; -1 or absent for a session cookie. */
  expires?: number;
  httpOnly?: boolean;
  secure?: boolean;
  sameSite?: 'Strict' | 'Lax' | 'None' | 'Default';
}

/** A device session kept between scrapes: the cookies the last scrape ended with. */
export interface ScrapeSessionState {
  /** Cookies to start the fresh context with (empty: sign in as usual). */
  cookies: SessionCookie[];
}

/** One value to read from the page into `data`. */
export interface ExtractRule extends NumberFormat {
  /** CSS selector of the element holding the value. */
  selector: string;
  /** `number` parses the text (see NumberFormat); `text` keeps it trimmed (default `text`). */
  type?: 'text' | 'number';
}

/** What to scrape (docs/services.md). */
export interface ScrapingConfig {
  /** Page to read. */
  url: string;
  /** Wait until this selector is on the page (values rendered by JavaScript). */
  waitForSelector?: string;
  /** Budget of one attempt in ms, navigation and login included; the page is killed when it runs out (default 30 000). */
  timeout?: number;
  /** Credentials, when the page needs them. */
  auth?: ScrapeAuth;
  /** Values to read into `data`, by name. */
  extract?: Record<string, ExtractRule>;
  /** Retries after transient failures (network, timeout, 5xx, browser crash); default the service's. */
  retries?: number;
  /** Label for logs and screenshot file names, e.g. the endpoint's name (default the URL's host). */
  name?: string;
  /** `on-error` (default) keeps a screenshot of a failed scrape; `always` of every scrape; `never` none. */
  screenshot?: 'on-error' | 'always' | 'never';
  /**
   * Keeps the device's login between scrapes: the fresh context starts with these cookies, a form login runs
   * only when the page shows the login form, and the result carries the cookies to store for next time.
   */
  session?: ScrapeSessionState;
  /** False: a failure emits no `scraping.failed`; the caller reports it (`reportFailure`) when it sees fit. */
  reportFailure?: boolean;
}

/** Outcome of a scrape. It never throws for a device's fault: read `success`. */
export interface ScrapingResult<T = Record<string, unknown>> {
  /** True when the page was read. */
  success: boolean;
  /** The extracted values, or what the custom work returned. */
  data?: T;
  /** PNG of the page as it was when the scrape failed (or always, if asked). */
  screenshot?: Buffer;
  /** Where that PNG was stored, relative to the module's storage folder. */
  screenshotPath?: string;
  /** Why it failed, for people. */
  error?: string;
  /** Why it failed, for code: NXF_SCRAPE_AUTH, NXF_SCRAPE_TIMEOUT, NXF_SCRAPE_HTTP, NXF_SCRAPE_PARSE… */
  errorCode?: string;
  /** Milliseconds from start to result, retries included. */
  duration: number;
  /** Attempts made. */
  attempts: number;
  /** With `session`: the context's cookies when the scrape ended (store them for the next scrape). */
  cookies?: SessionCookie[];
  /** With `session`: form logins this scrape made (0 when the stored session was still good). */
  logins?: number;
}

/** A read of a device that failed outside the browser (HTTP, SNMP…), for `reportFailure`. */
export interface DeviceFailure {
  /** What failed, e.g. the endpoint's name: the event's subject. */
  name: string;
  /** The address read (credentials are removed before it is shown). */
  url: string;
  error: string;
  errorCode: string;
  attempts?: number;
  screenshotPath?: string;
}

/** Handed to custom scrape work: navigation that signs in again if the device logged the session out. */
export interface ScrapeSession {
  /** Loads `url`, checks its status, and signs in once more if the login page came back instead. */
  goto(url: string): Promise<void>;
}

/** Custom work on the loaded page; its result becomes `data`. */
export type ScrapeWork<T> = (page: Page, session: ScrapeSession) => Promise<T>;

/** Scraping for the core and for modules with `network:outbound`. */
export interface ScrapingService {
  /** Loads, signs in, waits, extracts; retries transient failures; keeps a screenshot when it fails. */
  scrape<T = Record<string, unknown>>(config: ScrapingConfig, work?: ScrapeWork<T>): Promise<ScrapingResult<T>>;
  /** Trimmed text of the element matching `selector`; NXF_SCRAPE_SELECTOR when there is none. */
  extractText(page: Page, selector: string): Promise<string>;
  /** The number in the text of `selector`, read per `format`; NXF_SCRAPE_PARSE when it is not one. */
  extractNumber(page: Page, selector: string, format?: NumberFormat): Promise<number>;
  /** PNG of the visible page. */
  screenshot(page: Page): Promise<Buffer>;
  /** Answers basic-auth challenges of `page` with these credentials. */
  loginBasicAuth(page: Page, username: string, password: string): Promise<void>;
  /** Signs in through a login form; NXF_SCRAPE_AUTH when the login page comes back. */
  loginFormAuth(page: Page, config: FormAuthConfig): Promise<void>;
  /** The number in `text`, read per `format` (as `extract` reads it); NXF_SCRAPE_PARSE when it is not one. */
  parseNumber(text: string, format?: NumberFormat): number;
  /** Emits `scraping.failed` for a device read that failed (from a page or a job), as a failed scrape does. */
  reportFailure(failure: DeviceFailure): void;
}

/** Where scrapes get their pages: the shared pool, or (in a job's worker thread) its browsers over WebSocket. */
export type PageSource = Pick<BrowserPool, 'newPage'>;

/** What a scraping service is built from. */
export interface ScrapingServiceOptions {
  /** The shared browsers. */
  pool: PageSource;
  /** Failed attempts are logged here (the module's logger for a module). */
  logger: Logger;
  /** Where failure screenshots go (the module's folder); without it they are returned but not stored. */
  storage?: ModuleStorage;
  /** Backoff between attempts (default 2 retries, from 500 ms). */
  retry?: RetryPolicy;
}

const screenshotTimeoutMs = 3_000;

/** Creates a scraping service over a shared browser pool. */
export function createScrapingService(options: ScrapingServiceOptions): ScrapingService {
  const { pool, logger, storage } = options;

  const extractText = async (page: Page, selector: string) => {
    // One round trip to the page: find the element and read its text together.
    const text = await page.evaluate((wanted) => {
      const element = document.querySelector(wanted);
      return element ? (element.textContent ?? '') : null;
    }, selector);
    if (text === null) throw scrapeError('NXF_SCRAPE_SELECTOR', `Nothing on ${page.url()} matches ${selector}.`, false);
    return text.trim();
  };

  const extractNumber = async (page: Page, selector: string, format?: NumberFormat) =>
    parseNumber(await extractText(page, selector), format);
  const screenshot = async (page: Page) => Buffer.from(await page.screenshot({ type: 'png' }));

  async function scrape<T>(config: ScrapingConfig, work?: ScrapeWork<T>): Promise<ScrapingResult<T>> {
    const started = Date.now();
    const timeoutMs = config.timeout ?? 30_000;
    let attempts = 0;
    let lastScreenshot: Buffer | undefined;
    const kept: { cookies?: SessionCookie[]; logins: number } = { logins: 0 };
    const attempt = async () => {
      attempts += 1;
      const outcome = await scrapeOnce<T>(config, timeoutMs, work, kept);
      lastScreenshot = outcome.screenshot;
      if (outcome.error) throw outcome.error;
      return outcome.data as T;
    };
    const sessionFields = () =>
      config.session ? { cookies: kept.cookies ?? config.session.cookies, logins: kept.logins } : {};
    const retry = { ...options.retry, retries: config.retries ?? options.retry?.retries };
    const onFailure = (error: unknown, attemptNumber: number) =>
      logger.warn(
        { url: config.url, attempt: attemptNumber, code: (error as NxfError).code, error: errorMessage(error) },
        'scrape attempt failed',
      );
    try {
      const data = await withRetries(attempt, retry, { onFailure });
      const screenshotPath = lastScreenshot ? await store(config, lastScreenshot) : undefined;
      return {
        success: true,
        data,
        screenshot: lastScreenshot,
        screenshotPath,
        duration: Date.now() - started,
        attempts,
        ...sessionFields(),
      };
    } catch (error) {
      const screenshotPath = lastScreenshot ? await store(config, lastScreenshot) : undefined;
      const { code, message } = error as NxfError;
      return {
        success: false,
        error: message,
        errorCode: code,
        screenshot: lastScreenshot,
        screenshotPath,
        duration: Date.now() - started,
        attempts,
        ...sessionFields(),
      };
    }
  }

  /** One attempt in a fresh context; never throws, so the screenshot taken on failure travels with the error. */
  async function scrapeOnce<T>(
    config: ScrapingConfig,
    timeoutMs: number,
    work: ScrapeWork<T> | undefined,
    kept: { cookies?: SessionCookie[]; logins: number },
  ): Promise<{ data?: T; error?: NxfError; screenshot?: Buffer }> {
    let lease: PageLease | undefined;
    try {
      // Puppeteer's own timeouts fire first and leave time for a screenshot; the pool's deadline is the backstop
      // for what they do not cover (a script stuck in a loop, a renderer that stopped answering).
      lease = await pool.newPage({ deadlineMs: timeoutMs + screenshotTimeoutMs + 2_000 });
      const { page } = lease;
      page.setDefaultTimeout(timeoutMs);
      page.setDefaultNavigationTimeout(timeoutMs);
      const data = await loadAndRead<T>(page, config, work, kept);
      if (config.session) kept.cookies = await sessionCookies(page);
      const shot = config.screenshot === 'always' ? await tryScreenshot(page) : undefined;
      return { data, screenshot: shot };
    } catch (thrown) {
      const error = classifyScrapeError(thrown, {
        url: config.url,
        timeoutMs,
        expired: lease?.expired ?? false,
        browserGone: lease ? !lease.page.browser().connected : false,
      });
      const shot =
        lease && !lease.expired && config.screenshot !== 'never' ? await tryScreenshot(lease.page) : undefined;
      return { error, screenshot: shot };
    } finally {
      await lease?.release();
    }
  }

  async function loadAndRead<T>(
    page: Page,
    config: ScrapingConfig,
    work: ScrapeWork<T> | undefined,
    kept: { logins: number },
  ): Promise<T> {
    const session = await signIn(page, config, kept);
    if (page.url() !== config.url) await session.goto(config.url);
    if (config.waitForSelector) await page.waitForSelector(config.waitForSelector);
    if (work) return work(page, session);
    const data: Record<string, unknown> = {};
    for (const [name, rule] of Object.entries(config.extract ?? {})) {
      data[name] =
        rule.type === 'number'
          ? await extractNumber(page, rule.selector, rule)
          : await extractText(page, rule.selector);
    }
    if (!config.extract && config.waitForSelector) data.text = await extractText(page, config.waitForSelector);
    return data as T;
  }

  /** Prepares the page's credentials and returns navigation that keeps the session alive. */
  async function signIn(page: Page, config: ScrapingConfig, kept: { logins: number }): Promise<ScrapeSession> {
    const { auth } = config;
    if (auth?.type === 'basic') await loginBasicAuth(page, auth.credentials.username, auth.credentials.password);
    const stored = config.session?.cookies ?? [];
    if (stored.length > 0) await page.browserContext().setCookie(...stored.map(cookieData));
    if (auth?.type === 'cookie') await setAuthCookies(page, config.url, auth.credentials);
    const form =
      auth?.type === 'form'
        ? { ...auth.form, ...auth.credentials, loginUrl: auth.form.loginUrl ?? config.url }
        : undefined;
    const login = async () => {
      await loginFormAuth(page, form!);
      kept.logins += 1;
    };
    // A stored session is tried first: the login runs only when the device shows its login form.
    if (form && stored.length === 0) await login();
    const load = async (url: string) => {
      const response = await page.goto(url, { waitUntil: 'load' });
      const refused = response ? statusError(url, response.status()) : undefined;
      if (refused) throw refused;
    };
    return {
      async goto(url) {
        await load(url);
        if (!form || !(await isLoginPage(page, form))) return;
        logger.info({ url }, 'the device asks for a login; signing in');
        await login();
        if (page.url() !== url) await load(url);
        if (await isLoginPage(page, form)) {
          throw scrapeError('NXF_SCRAPE_SESSION_LOST', `${url} keeps showing its login page after signing in.`, true);
        }
      },
    };
  }

  async function tryScreenshot(page: Page): Promise<Buffer | undefined> {
    let timer: NodeJS.Timeout | undefined;
    const giveUp = new Promise<undefined>(
      (resolve) => (timer = setTimeout(() => resolve(undefined), screenshotTimeoutMs)),
    );
    try {
      return await Promise.race([screenshot(page), giveUp]);
    } catch {
      return undefined;
    } finally {
      clearTimeout(timer);
    }
  }

  async function store(config: ScrapingConfig, png: Buffer): Promise<string | undefined> {
    if (!storage?.writable) return undefined;
    try {
      return await storage.saveScreenshot(config.name ?? new URL(config.url).host, png);
    } catch (error) {
      logger.warn({ error: errorMessage(error) }, 'could not store the scrape screenshot');
      return undefined;
    }
  }

  return {
    scrape,
    extractText,
    extractNumber,
    screenshot,
    loginBasicAuth,
    loginFormAuth: (page, config) => loginFormAuth(page, { ...config, loginUrl: config.loginUrl ?? page.url() }),
    parseNumber,
    // Reporting is the module services' wrapper's (it knows the module and the job); a bare service has no one to tell.
    reportFailure: () => undefined,
  };
}

/** The page's context cookies in the stored shape. */
async function sessionCookies(page: Page): Promise<SessionCookie[]> {
  const cookies = await page.browserContext().cookies();
  return cookies.map(({ name, value, domain, path, expires, httpOnly, secure, sameSite }) => ({
    name,
    value,
    domain,
    path,
    expires,
    httpOnly,
    secure,
    ...(sameSite ? { sameSite } : {}),
  }));
}

/** A stored cookie as puppeteer sets it: a session cookie has no expiry (-1 would set it expired). */
function cookieData(cookie: SessionCookie) {
  const { expires, sameSite, ...rest } = cookie;
  return {
    ...rest,
    ...(expires !== undefined && expires > 0 ? { expires } : {}),
    ...(sameSite && sameSite !== 'Default' ? { sameSite } : {}),
  };
}
