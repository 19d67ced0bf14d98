import puppeteer, { type Browser, type BrowserContext, type Page } from 'puppeteer-core';
import { NxfError } from '../../errors.js';
import type { Logger } from '../../logger.js';
import { chromiumArgs, headlessModeFor, resolveChromiumExecutable } from './chromium.js';

/** Limits and timings of the pool; the defaults suit a 2-core appliance. */
export interface BrowserPoolOptions {
  /** Chromium to launch; resolved at the first launch when absent (see chromium.ts). */
  executablePath?: string;
  /** Browsers running at once (default 2). */
  maxBrowsers?: number;
  /** Pages (slots) open at once in one browser (default 4). */
  maxPagesPerBrowser?: number;
  /** A browser with no page open for this long is closed (ms, default 60 000). */
  idleCloseMs?: number;
  /** How long `acquireSlot` waits for a free slot before NXF_BROWSER_BUSY (ms, default 30 000). */
  acquireTimeoutMs?: number;
  /** Open the next page's fresh context ahead of time (default true; a one-off browser gains nothing from it). */
  openAhead?: boolean;
}

/**
 * The right to run one page in one pooled browser, until `release()`.
 *
 * Sharing with job worker threads: a worker cannot use this process's Browser object, but it can drive the same
 * Chromium over its DevTools WebSocket. The main thread acquires a slot and posts `wsEndpoint` to the worker; the
 * worker calls `puppeteer.connect({ browserWSEndpoint })`, creates its own `browser.createBrowserContext()`, works,
 * closes that context and calls `browser.disconnect()` (never `close()`, which would end the shared browser), then
 * tells the main thread, which calls `release()`. The slot keeps the pool's page limit true across threads.
 */
export interface BrowserSlot {
  /** DevTools WebSocket endpoint of the browser holding the slot, for `puppeteer.connect`. */
  readonly wsEndpoint: string;
  /** The browser itself, for use in this thread. */
  readonly browser: Browser;
  /** Gives the slot back (idempotent). */
  release(): void;
}

/** A page in a fresh browser context (its own cookies and cache) that is closed with the lease. */
export interface PageLease {
  /** The page to drive. */
  readonly page: Page;
  /** The page's context; closing it discards every cookie the page collected. */
  readonly context: BrowserContext;
  /** True once the deadline passed and the page was closed under the work's feet. */
  readonly expired: boolean;
  /** Closes the context and gives the slot back (idempotent). */
  release(): Promise<void>;
}

/** Counters for tests, benchmarks and the admin pages. */
export interface BrowserPoolStats {
  /** Browsers launched since the pool was created. */
  launches: number;
  /** Browsers running now. */
  browsers: number;
  /** Slots in use. */
  busySlots: number;
  /** Callers waiting for a slot. */
  waiting: number;
}

interface PooledBrowser {
  browser: Browser;
  busy: number;
  idleSince: number;
  /** A fresh, never used context with its page, opened ahead of the next scrape (see `#takeOrOpen`). */
  spare?: Promise<OpenedPage | undefined>;
}

/** A context with one page in it. */
interface OpenedPage {
  context: BrowserContext;
  page: Page;
}

interface Waiter {
  resolve(slot: BrowserSlot): void;
  reject(error: unknown): void;
  timer: NodeJS.Timeout;
}

/** How long closing a context may take before its browser is judged wedged and killed. */
const closeGraceMs = 3_000;

/**
 * A bounded pool of headless Chromium processes shared by every scrape: browsers are reused (launching one costs
 * far more than a scrape), each page gets a fresh incognito context so no cookie or cache crosses from one
 * endpoint to another, a browser that crashed or disconnected is dropped and replaced on demand, and browsers
 * idle for `idleCloseMs` are closed to give their memory back.
 */
export class BrowserPool {
  readonly #options: Required<Omit<BrowserPoolOptions, 'executablePath'>> & { executablePath?: string };
  readonly #logger: Logger;
  readonly #browsers: PooledBrowser[] = [];
  readonly #waiters: Waiter[] = [];
  #launching = 0;
  #launches = 0;
  #closed = false;
  readonly #idleTimer: NodeJS.Timeout;

  constructor(logger: Logger, options: BrowserPoolOptions = {}) {
    this.#logger = logger;
    this.#options = {
      executablePath: options.executablePath,
      maxBrowsers: options.maxBrowsers ?? 2,
      maxPagesPerBrowser: options.maxPagesPerBrowser ?? 4,
      idleCloseMs: options.idleCloseMs ?? 60_000,
      acquireTimeoutMs: options.acquireTimeoutMs ?? 30_000,
      openAhead: options.openAhead ?? true,
    };
    this.#idleTimer = setInterval(() => void this.#closeIdle(), Math.min(this.#options.idleCloseMs, 10_000));
    this.#idleTimer.unref();
  }

  /** The limits in force, defaults filled in. */
  get limits(): Readonly<Required<Omit<BrowserPoolOptions, 'executablePath'>>> {
    const { executablePath: _executable, ...limits } = this.#options;
    return limits;
  }

  /** Current counters. */
  stats(): BrowserPoolStats {
    return {
      launches: this.#launches,
      browsers: this.#browsers.length,
      busySlots: this.#browsers.reduce((sum, pooled) => sum + pooled.busy, 0),
      waiting: this.#waiters.length,
    };
  }

  /** Process ids of the running browsers (the root of each Chromium process tree). */
  browserPids(): number[] {
    return this.#browsers.map((pooled) => pooled.browser.process()?.pid).filter((pid): pid is number => !!pid);
  }

  /** A slot in the least busy browser, launching one when all are full and the limit allows; else waits. */
  async acquireSlot(): Promise<BrowserSlot> {
    if (this.#closed) throw new NxfError('NXF_BROWSER_POOL_CLOSED', 'The browser pool is shut down.', { status: 503 });
    const pooled = this.#leastBusy();
    if (pooled) return this.#occupy(pooled);
    if (this.#browsers.length + this.#launching < this.#options.maxBrowsers) return this.#occupy(await this.#launch());
    return new Promise<BrowserSlot>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.#waiters.splice(this.#waiters.indexOf(waiter), 1);
        reject(
          new NxfError('NXF_BROWSER_BUSY', 'Every browser page is busy; try again shortly.', {
            status: 503,
            details: { transient: true },
          }),
        );
      }, this.#options.acquireTimeoutMs);
      const waiter: Waiter = { resolve, reject, timer };
      this.#waiters.push(waiter);
    });
  }

  /**
   * A page in a fresh browser context. With `deadlineMs`, the context is closed when the deadline passes (the
   * work then fails and `expired` is true); a browser that does not even manage that is killed and replaced.
   */
  async newPage(options: { deadlineMs?: number } = {}): Promise<PageLease> {
    const slot = await this.acquireSlot();
    let opened: OpenedPage;
    try {
      opened = await this.#takeOrOpen(slot.browser);
    } catch (error) {
      slot.release();
      throw error;
    }
    const { page, context: openContext } = opened;
    let expired = false;
    let released: Promise<void> | undefined;
    const release = () => {
      released ??= (async () => {
        clearTimeout(timer);
        await this.#closeContext(slot.browser, openContext);
        slot.release();
      })();
      return released;
    };
    const timer = setTimeout(
      () => {
        expired = true;
        this.#logger.warn({ url: page.url() }, 'page overran its deadline; closing it');
        void release();
      },
      options.deadlineMs ?? 2 ** 31 - 1,
    );
    return {
      page,
      context: openContext,
      get expired() {
        return expired;
      },
      release,
    };
  }

  /**
   * A fresh context and page for `browser`: the one opened ahead of time when there is one, else opened now; then
   * the next one is opened in the background. Opening a page in a new context starts a renderer process — most
   * of a scrape's cost — and doing it between scrapes takes it off the next scrape's path. A spare has never been
   * used, so every scrape still has a context of its own.
   */
  async #takeOrOpen(browser: Browser): Promise<OpenedPage> {
    const pooled = this.#browsers.find((candidate) => candidate.browser === browser);
    const spare = pooled?.spare;
    if (pooled) pooled.spare = undefined;
    const ready = await spare;
    const usable = ready && !ready.page.isClosed() && browser.connected;
    if (ready && !usable) await ready.context.close().catch(() => undefined);
    const opened = usable ? ready : await openPage(browser);

    if (pooled && !this.#closed && this.#options.openAhead) pooled.spare = openPage(browser).catch(() => undefined);

    return opened;
  }

  /** DevTools WebSocket endpoint of a pooled browser (launched if needed), without reserving a slot. */

  async wsEndpoint(): Promise<string> {
    const slot = await this.acquireSlot();
    slot.release();
    return slot.wsEndpoint;
  }

  /** Closes every browser and refuses new work; callers waiting for a slot get NXF_BROWSER_POOL_CLOSED. */
  async close(): Promise<void> {
    this.#closed = true;
    clearInterval(this.#idleTimer);
    for (const waiter of this.#waiters.splice(0)) {
      clearTimeout(waiter.timer);
      waiter.reject(new NxfError('NXF_BROWSER_POOL_CLOSED', 'The browser pool is shut down.', { status: 503 }));
    }
    await Promise.all(this.#browsers.splice(0).map((pooled) => this.#closeBrowser(pooled.browser)));
  }

  #leastBusy(): PooledBrowser | undefined {
    let best: PooledBrowser | undefined;
    for (const pooled of this.#browsers) {
      if (
        pooled.busy < this.#options.maxPagesPerBrowser &&
        pooled.browser.connected &&
        (!best || pooled.busy < best.busy)
      ) {
        best = pooled;
      }
    }
    return best;
  }

  #occupy(pooled: PooledBrowser): BrowserSlot {
    pooled.busy += 1;
    let held = true;
    return {
      wsEndpoint: pooled.browser.wsEndpoint(),
      browser: pooled.browser,
      release: () => {
        if (!held) return;
        held = false;
        pooled.busy -= 1;
        if (pooled.busy === 0) pooled.idleSince = Date.now();
        this.#serveWaiters();
      },
    };
  }

  async #launch(): Promise<PooledBrowser> {
    this.#launching += 1;
    try {
      const executablePath = this.#options.executablePath ?? resolveChromiumExecutable();
      const browser = await puppeteer.launch({
        executablePath,
        headless: headlessModeFor(executablePath),
        args: [...chromiumArgs],
        // NxForge decides when to stop; the browsers are closed by its shutdown, not by puppeteer's signal hooks.
        handleSIGINT: false,
        handleSIGTERM: false,
        handleSIGHUP: false,
        protocolTimeout: 30_000,
        // Pages keep the window's size (chromiumArgs): emulating a viewport on every new page costs a round trip
        // and a layout before the scrape can start.
        defaultViewport: null,
      });
      this.#launches += 1;
      const pooled: PooledBrowser = { browser, busy: 0, idleSince: Date.now() };
      browser.once('disconnected', () => this.#forget(pooled));
      if (this.#closed) {
        await this.#closeBrowser(browser);
        throw new NxfError('NXF_BROWSER_POOL_CLOSED', 'The browser pool is shut down.', { status: 503 });
      }
      this.#browsers.push(pooled);
      this.#logger.debug({ pid: browser.process()?.pid, browsers: this.#browsers.length }, 'browser launched');
      return pooled;
    } finally {
      this.#launching -= 1;
    }
  }

  /** A browser that crashed, was killed or disconnected: drop it; the next caller gets a new one. */
  #forget(pooled: PooledBrowser): void {
    const index = this.#browsers.indexOf(pooled);
    if (index === -1) return;
    this.#browsers.splice(index, 1);
    if (!this.#closed)
      this.#logger.warn({ pid: pooled.browser.process()?.pid }, 'browser disconnected; it will be replaced');
    this.#serveWaiters();
  }

  /** Hands freed (or newly launchable) capacity to waiting callers, oldest first. */
  #serveWaiters(): void {
    while (this.#waiters.length > 0) {
      const canLaunch = this.#browsers.length + this.#launching < this.#options.maxBrowsers;
      if (!this.#leastBusy() && !canLaunch) return;
      const waiter = this.#waiters.shift() as Waiter;
      clearTimeout(waiter.timer);
      this.acquireSlot().then(waiter.resolve, waiter.reject);
    }
  }

  async #closeContext(browser: Browser, context: BrowserContext): Promise<void> {
    let timer: NodeJS.Timeout | undefined;
    const wedged = new Promise<'wedged'>((resolve) => (timer = setTimeout(() => resolve('wedged'), closeGraceMs)));
    const outcome = await Promise.race([context.close().catch(() => 'gone'), wedged]);
    clearTimeout(timer);
    if (outcome === 'wedged') {
      this.#logger.warn({ pid: browser.process()?.pid }, 'browser did not close a page in time; killing it');
      browser.process()?.kill('SIGKILL');
    }
  }

  async #closeIdle(): Promise<void> {
    const now = Date.now();
    const idle = this.#browsers.filter(
      (pooled) => pooled.busy === 0 && now - pooled.idleSince >= this.#options.idleCloseMs,
    );
    // Out of the pool before the first await, so no caller can be handed a browser that is closing.
    for (const pooled of idle) this.#browsers.splice(this.#browsers.indexOf(pooled), 1);
    await Promise.all(idle.map((pooled) => this.#closeBrowser(pooled.browser)));
    if (idle.length > 0) this.#logger.debug({ closed: idle.length }, 'closed idle browsers');
  }

  async #closeBrowser(browser: Browser): Promise<void> {
    try {
      await browser.close();
    } catch {
      browser.process()?.kill('SIGKILL');
    }
  }
}

/** A new incognito context with one page; the context is closed again if the page cannot be opened. */
async function openPage(browser: Browser): Promise<OpenedPage> {
  const context = await browser.createBrowserContext();
  try {
    return { context, page: await context.newPage() };
  } catch (error) {
    await context.close().catch(() => undefined);
    throw error;
  }
}
