import { errorMessage, NxfError } from '../errors.js';
import type { Logger } from '../logger.js';
import type { BrowserPool, BrowserSlot } from '../services/scraping/browser-pool.js';

/** A slot held for a worker, and the browser contexts the worker opened in it. */
interface HeldSlot {
  slot: BrowserSlot;
  contexts: string[];
}

/**
 * The main thread's side of a worker's browser use: takes slots in the shared pool for it, and when the worker
 * ends — even killed mid-scrape — gives every slot back and disposes of the contexts it left open in the
 * browser (a context created over a WebSocket outlives the connection that created it).
 */
export class SlotBroker {
  readonly #held = new Map<number, HeldSlot>();
  #nextId = 1;
  #closed = false;

  constructor(
    private readonly pool: BrowserPool,
    private readonly logger: Logger,
  ) {}

  /** Reserves a slot; its id and the browser's WebSocket endpoint go to the worker. */
  async acquire(): Promise<{ slotId: number; wsEndpoint: string }> {
    const slot = await this.pool.acquireSlot();
    if (this.#closed) {
      slot.release();
      throw new NxfError('NXF_JOB_ENDED', 'The run ended while it waited for a browser.', { status: 409 });
    }
    const slotId = this.#nextId++;
    this.#held.set(slotId, { slot, contexts: [] });
    return { slotId, wsEndpoint: slot.wsEndpoint };
  }

  /** Notes a context the worker opened, so it can be disposed of if the worker dies. */
  contextOpened(slotId: number, contextId: string | undefined): void {
    if (contextId) this.#held.get(slotId)?.contexts.push(contextId);
  }

  /** The worker closed its context and disconnected: the slot is free again. */
  release(slotId: number): void {
    this.#held.get(slotId)?.slot.release();
    this.#held.delete(slotId);
  }

  /** The worker is gone: disposes of what it left in the browsers and frees its slots. */
  async releaseAll(): Promise<void> {
    this.#closed = true;
    const held = [...this.#held.values()];
    this.#held.clear();
    await Promise.all(held.map((entry) => this.#dispose(entry)));
  }

  async #dispose({ slot, contexts }: HeldSlot): Promise<void> {
    try {
      if (contexts.length > 0 && slot.browser.connected) {
        const session = await slot.browser.target().createCDPSession();
        for (const browserContextId of contexts) {
          // Already closed by the worker, or closed now: either way it is gone afterwards.
          await session.send('Target.disposeBrowserContext', { browserContextId }).catch(() => undefined);
        }
        await session.detach().catch(() => undefined);
      }
    } catch (error) {
      this.logger.warn({ error: errorMessage(error) }, "could not dispose of a job's browser contexts");
    } finally {
      slot.release();
    }
  }
}
