// NxForge's only script of its own. Pages work without it; with it, htmx requests carry the CSRF token, polls
// skip unchanged fragments and say when they fail, buttons show their requests, and wide tables scroll by
// keyboard. The conventions are described in docs/modules.md ("Live parts of a page").
(() => {
  'use strict';

  /**
   * True for a poll: a request htmx's `every` trigger made, or a kiosk display's refresh (kiosk.js), as opposed to
   * something the user did.
   */
  const isPoll = (ctx) => ctx?.sourceEvent?.type === 'every' || ctx?.sourceEvent?.type === 'nx:refresh';

  // Times shown are the server's (from each answer's Date header), ages are counted on this machine's monotonic
  // clock: a screen whose clock is off by a day still says the right thing.
  const renderedAt = Date.parse(document.querySelector('meta[name="nxf-rendered-at"]')?.content ?? '');
  let serverClock = { time: Number.isNaN(renderedAt) ? Date.now() : renderedAt, at: 0 };
  const serverNow = () => serverClock.time + (performance.now() - serverClock.at);
  function learnServerTime(headers) {
    const time = Date.parse(headers?.get('Date') ?? '');
    if (!Number.isNaN(time)) serverClock = { time, at: performance.now() };
  }

  // --- Requests --------------------------------------------------------------------------------------------

  document.addEventListener('htmx:config:request', (event) => {
    const { ctx } = event.detail;
    const token = document.querySelector('meta[name="csrf-token"]')?.content;
    if (token) ctx.request.headers['X-CSRF-Token'] = token;
    // A kiosk display's pages ask with the token of its URL (docs/modules.md, "Kiosk pages").
    const display = document.querySelector('meta[name="nxf-display"]')?.content;
    if (display) ctx.request.headers['X-Display-Token'] = display;
    if (isPoll(ctx)) {
      configurePoll(ctx);
      return;
    }
    // A second press while the first request of the same button is still on its way is dropped.
    if (busyButton(ctx)?.getAttribute('aria-busy') === 'true') event.preventDefault();
  });

  document.addEventListener('htmx:before:request', (event) => {
    const { ctx } = event.detail;
    if (isPoll(ctx)) return;
    // The last action's messages (a generated password among them) go when the next action starts.
    const flash = document.getElementById('flash');
    if (flash) flash.replaceChildren();
    const button = busyButton(ctx);
    if (button) {
      button.setAttribute('aria-busy', 'true');
      ctx.nxBusyButton = button;
    }
  });

  document.addEventListener('htmx:finally:request', (event) => {
    event.detail.ctx?.nxBusyButton?.removeAttribute('aria-busy');
  });

  /** The button a request belongs to: the form's submitter, or the element itself when it is a button. */
  function busyButton(ctx) {
    const source = ctx.sourceElement;
    if (ctx.request?.submitter) return ctx.request.submitter;
    if (source?.matches?.('button')) return source;
    if (source?.matches?.('form')) return source.querySelector('button[type="submit"], button:not([type])');
    return null;
  }

  // --- Focus: kept across swaps ----------------------------------------------------------------------------

  // Morph swaps keep the focused element itself; a swap that replaces it puts focus back on the control in the
  // same place (by the nearest id and its position there), or on the first field the server marked invalid.
  const focusable = 'a[href], button, input:not([type="hidden"]), select, textarea, [tabindex]';

  document.addEventListener('htmx:before:swap', (event) => {
    const active = document.activeElement;
    // A boosted navigation brings a new page, which starts at its top like any other.
    if (!active || active === document.body || event.detail.ctx.target === document.body) return;
    const anchor = active.id ? active : active.parentElement?.closest('[id]');
    if (!anchor) return;
    const index = anchor === active ? -1 : [...anchor.querySelectorAll(focusable)].indexOf(active);
    event.detail.ctx.nxFocus = { id: anchor.id, index };
  });

  document.addEventListener('htmx:after:swap', (event) => {
    const { ctx } = event.detail;
    const saved = ctx.nxFocus;
    if (!saved || (document.activeElement && document.activeElement !== document.body)) return;
    const scope = ctx.target?.isConnected ? ctx.target : document.getElementById(ctx.target?.id ?? '');
    const invalid = isPoll(ctx) ? null : scope?.querySelector?.('[aria-invalid="true"]');
    if (invalid) invalid.focus();
    else restoreFocus(saved);
  });

  function restoreFocus(saved) {
    const anchor = document.getElementById(saved.id);
    const target = saved.index < 0 ? anchor : anchor?.querySelectorAll(focusable)[saved.index];
    target?.focus({ preventScroll: true });
  }

  // --- A lost session --------------------------------------------------------------------------------------

  // The server answers a signed-out htmx request with HX-Redirect to the login page (and back to this page
  // afterwards); a 401 without it, from anywhere, is sent the same way rather than swapped into the page.
  document.addEventListener('htmx:response:error', (event) => {
    const { ctx } = event.detail;
    if (ctx.response?.status === 401 && !ctx.hx?.redirect) {
      ctx.hx = { ...ctx.hx, redirect: `/login?next=${encodeURIComponent(location.pathname + location.search)}` };
    }
  });

  // --- Polls: unchanged fragments are not swapped; a failed poll marks its part of the page stale ----------

  /**
   * Per polled element: the ETag of its last answer (for its URL), and when it was last brought up to date (server
   * time) and at which moment here. Content the server rendered into the page may name its ETag and URL
   * (`data-etag`, `data-path`), so the first poll of unchanged content is already a 304.
   */
  const polls = new WeakMap();
  const pollState = (element) => {
    let state = polls.get(element);
    if (!state) {
      const { etag = '', path = '' } = element.dataset ?? {};
      state = { url: path, etag, updatedAt: serverNow(), updatedHere: performance.now(), note: null, reason: '' };
      polls.set(element, state);
    }
    return state;
  };

  // A polled element's data is as old as the element: start its clock when htmx takes it up.
  document.addEventListener('htmx:after:init', (event) => {
    const element = event.target;
    if (/\bevery\b/.test(element.getAttribute?.('hx-trigger') ?? '')) pollState(element);
  });

  function configurePoll(ctx) {
    const state = pollState(ctx.sourceElement);
    if (state.etag && state.url === ctx.request.action) ctx.request.headers['If-None-Match'] = state.etag;
    // A server that hangs should show as stale soon, not after htmx's minute.
    ctx.request.timeout ??= 20000;
  }

  document.addEventListener('htmx:after:request', (event) => {
    const { ctx } = event.detail;
    if (!isPoll(ctx)) return;
    const element = ctx.sourceElement;
    const status = ctx.response?.status ?? 0;
    if (status === 401 || ctx.hx?.redirect) return;
    learnServerTime(ctx.response?.headers);
    const state = pollState(element);
    if (status >= 400) {
      // An error page must not replace the data: the old data stays, marked stale.
      ctx.swap = 'none';
      delete ctx.hx.retarget;
      delete ctx.hx.reswap;
      markStale(element, status === 403 ? 'access was refused (HTTP 403)' : `the server answered HTTP ${status}`);
      return;
    }
    state.url = ctx.request.action;
    state.etag = ctx.response.headers.get('ETag') ?? '';
    markFresh(element);
  });

  document.addEventListener('htmx:error', (event) => {
    const { ctx, error } = event.detail;
    if (!isPoll(ctx)) return;
    const timedOut = ctx.request?.signal?.reason === 'timeout';
    markStale(ctx.sourceElement, timedOut ? 'the server did not answer in time' : 'the server could not be reached');
    if (error && !timedOut && error.name !== 'TypeError') console.warn('poll failed', error);
  });

  function markStale(element, reason) {
    if (!element.isConnected) return;
    const state = pollState(element);
    state.reason = reason;
    element.setAttribute('data-stale', new Date(state.updatedAt).toISOString());
    announce(element, state, false);
    if (!state.note) {
      state.note = document.createElement('p');
      state.note.className = 'poll-stale';
      state.note.setAttribute('role', 'status');
      const anchor = element.closest('.table-wrap, table') ?? element;
      anchor.before(state.note);
      staleElements.add(element);
    }
    describeStale(element, state);
    startStaleClock();
  }

  function markFresh(element) {
    const state = pollState(element);
    state.updatedAt = serverNow();
    state.updatedHere = performance.now();
    announce(element, state, true);
    if (!state.note) return;
    state.note.remove();
    state.note = null;
    element.removeAttribute('data-stale');
    staleElements.delete(element);
  }

  function describeStale(element, state) {
    const since = new Date(state.updatedAt).toISOString().slice(11, 19);
    const ago = age(performance.now() - state.updatedHere);
    state.note.textContent = `Not updated since ${since} UTC (${ago} ago): ${state.reason}. Retrying by itself.`;
  }

  /** Tells whoever listens (the kiosk's status bar) how a poll went: `nx:poll` with {fresh, updatedAt, updatedHere, reason}. */
  function announce(element, state, fresh) {
    const { updatedAt, updatedHere, reason } = state;
    element.dispatchEvent(new CustomEvent('nx:poll', { bubbles: true, detail: { fresh, updatedAt, updatedHere, reason } }));
  }

  /** "40 s", "3 min", "2 h 5 min". */
  function age(ms) {
    const seconds = Math.max(1, Math.round(ms / 1000));
    if (seconds < 60) return `${seconds} s`;
    const minutes = Math.floor(seconds / 60);
    if (minutes < 60) return `${minutes} min`;
    return `${Math.floor(minutes / 60)} h ${minutes % 60} min`;
  }

  // The notes' ages count up between polls too; the clock runs only while something is stale.
  const staleElements = new Set();
  let staleClock = 0;
  function startStaleClock() {
    staleClock ||= setInterval(() => {
      for (const element of staleElements) {
        const state = polls.get(element);
        if (element.isConnected && state?.note) describeStale(element, state);
        else {
          state?.note?.remove();
          staleElements.delete(element);
        }
      }
      if (staleElements.size === 0) {
        clearInterval(staleClock);
        staleClock = 0;
      }
    }, 5000);
  }

  // --- Wide tables: an overflowing one is a labelled region that takes focus, so arrow keys scroll it ------

  function markOverflowingTables(root = document) {
    for (const wrap of root.querySelectorAll?.('.table-wrap') ?? []) {
      const overflowing = wrap.scrollWidth > wrap.clientWidth + 1;
      wrap.classList.toggle('scrolls', overflowing);
      if (overflowing && !wrap.hasAttribute('tabindex')) {
        wrap.setAttribute('tabindex', '0');
        wrap.setAttribute('role', 'region');
        if (!wrap.hasAttribute('aria-label')) wrap.setAttribute('aria-label', tableName(wrap));
        wrap.dataset.madeScrollable = 'true';
      } else if (!overflowing && wrap.dataset.madeScrollable) {
        for (const name of ['tabindex', 'role', 'aria-label', 'data-made-scrollable']) wrap.removeAttribute(name);
      }
    }
  }

  /** A table's caption, else the heading above it, else a plain word. */
  function tableName(wrap) {
    const caption = wrap.querySelector('caption')?.textContent?.trim();
    if (caption) return `${caption} (scrolls sideways)`;
    const section = wrap.closest('section');
    const heading = (section ?? document).querySelector('h1, h2')?.textContent?.trim();
    return `${heading ?? 'Table'} (scrolls sideways)`;
  }

  document.addEventListener(
    'scroll',
    (event) => {
      const wrap = event.target;
      if (!wrap.classList?.contains('table-wrap')) return;
      wrap.classList.toggle('at-end', wrap.scrollLeft + wrap.clientWidth >= wrap.scrollWidth - 1);
    },
    true,
  );
  document.addEventListener('htmx:after:settle', () => markOverflowingTables());
  window.addEventListener('resize', () => markOverflowingTables());
  if (document.readyState === 'loading') {
    document.addEventListener('DOMContentLoaded', () => markOverflowingTables());
  } else {
    markOverflowingTables();
  }
})();
