import type { Browser, BrowserContext, Page } from 'puppeteer-core';
import type { PageLease } from '../../services/scraping/browser-pool.js';
import type { PageSource } from '../../services/scraping/scraping.service.js';
import type { WorkerPort } from './worker-port.js';

/** How long closing a context may take before the worker gives up on it (the main thread disposes of it). */
const closeGraceMs = 3_000;

/** A slot the main thread reserved in its pool for this worker. */
interface SlotGrant {
  slotId: number;
  wsEndpoint: string;
}

/**
 * The main process's browser pool, as a job's worker thread sees it (docs/architecture.md: no browser per
 * worker). Each page takes a slot from the main thread's pool (so its page limit holds across threads), works in
 * a fresh incognito context of that browser, then closes the context and gives the slot back. The DevTools
 * WebSocket to each browser is opened once per run and kept for the run's next pages (connecting costs about as
 * much as a page); it is dropped — the shared browser never closed — when the run ends, and opened again if the
 * browser went away.
 */
export function createRemoteBrowserPool(port: WorkerPort): PageSource & { releaseAll(): Promise<void> } {
  const open = new Set<PageLease>();
  const connections = new Map<string, Promise<Browser>>();

  async function connect(wsEndpoint: string): Promise<Browser> {
    const known = await connections.get(wsEndpoint)?.catch(() => undefined);
    if (known?.connected) return known;
    // Imported on first use: a job that never scrapes does not pay for loading puppeteer.
    const connecting = import('puppeteer-core').then(({ default: puppeteer }) =>
      // Pages at the window's size, as the main thread's pool opens them: puppeteer's default 800×600 viewport
      // would send every new page a device-metrics override, which the renderer lays the page out again for.
      puppeteer.connect({ browserWSEndpoint: wsEndpoint, protocolTimeout: 30_000, defaultViewport: null }),
    );
    connections.set(wsEndpoint, connecting);
    connecting.catch(() => connections.delete(wsEndpoint));
    return connecting;
  }

  async function newPage(options: { deadlineMs?: number } = {}): Promise<PageLease> {
    const grant = await port.call<SlotGrant>('acquireSlot', {});
    let browser: Browser | undefined;
    let context: BrowserContext | undefined;
    let page: Page;
    try {
      browser = await connect(grant.wsEndpoint);
      context = await browser.createBrowserContext();
      void port.call('contextOpened', { slotId: grant.slotId, contextId: context.id }).catch(() => undefined);
      page = await context.newPage();
    } catch (error) {
      await context?.close().catch(() => undefined);
      await port.call('releaseSlot', { slotId: grant.slotId }).catch(() => undefined);
      throw error;
    }
    return lease(grant, context, page, options.deadlineMs);
  }

  function lease(grant: SlotGrant, context: BrowserContext, page: Page, deadlineMs?: number) {
    let expired = false;
    let released: Promise<void> | undefined;
    const release = () => {
      released ??= (async () => {
        clearTimeout(timer);
        open.delete(leased);
        await withGrace(context.close());
        await port.call('releaseSlot', { slotId: grant.slotId }).catch(() => undefined);
      })();
      return released;
    };
    const timer = setTimeout(
      () => {
        expired = true;
        void release();
      },
      deadlineMs ?? 2 ** 31 - 1,
    );
    const leased: PageLease = {
      page,
      context,
      get expired() {
        return expired;
      },
      release,
    };
    open.add(leased);
    return leased;
  }

  return {
    newPage,
    /** Gives back every page still open (the handler ended without releasing, or was aborted), then disconnects. */
    async releaseAll() {
      await Promise.all([...open].map((leased) => leased.release()));
      const browsers = await Promise.all(
        [...connections.values()].map((connecting) => connecting.catch(() => undefined)),
      );
      connections.clear();
      await Promise.all(browsers.map((browser) => browser?.disconnect().catch(() => undefined)));
    },
  };
}

async function withGrace(work: Promise<unknown>): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  await Promise.race([
    work.catch(() => undefined),
    new Promise((resolve) => (timer = setTimeout(resolve, closeGraceMs))),
  ]);
  clearTimeout(timer);
}
