// A kiosk display (views/kiosk/layout.eta): refreshes the page on screen, rotates through the display's pages with
// the next one loaded before it shows, and keeps the status bar true. Failed refreshes keep the last good content,
// marked stale by nxforge.js; they are retried with a backoff capped at the refresh interval. Nothing here grows:
// one timer for refreshes, one for rotation, the pages' elements made once. See docs/modules.md, "Kiosk pages".
(() => {
  'use strict';

  const screen = document.getElementById('kiosk');
  if (!screen || !window.htmx) return;
  const refreshMs = Number(screen.dataset.refreshMs) || 30000;
  const rotateMs = Number(screen.dataset.rotateMs) || 30000;
  const bodies = [...screen.querySelectorAll('.kiosk-page-body')];
  const label = document.getElementById('kiosk-page-label');
  const updated = document.getElementById('kiosk-updated');
  const cut = document.getElementById('kiosk-cut');
  if (bodies.length === 0) return;

  let current = Math.max(
    0,
    bodies.findIndex((body) => !body.parentElement.hidden),
  );
  let failures = 0;
  let refreshTimer = 0;
  let rotateTimer = 0;
  let clockTimer = 0;
  let revoked = false;
  /** Per page: when its content was last good (server time, and the moment here), and why it is stale. */
  const status = bodies.map(() => ({
    updatedAt: Date.parse(meta('nxf-rendered-at')) || Date.now(),
    updatedHere: 0,
    stale: '',
  }));

  function meta(name) {
    return document.querySelector(`meta[name="${name}"]`)?.content ?? '';
  }

  /** Asks for one page's content; nxforge.js sends its last ETag and marks it stale when this fails. */
  function load(index) {
    const body = bodies[index];
    return htmx.ajax('GET', body.dataset.path, {
      source: body,
      target: body,
      swap: 'innerMorph',
      event: new CustomEvent('nx:refresh'),
    });
  }

  // --- Refreshing the page on screen: every refresh interval, sooner after a failure ------------------------

  function scheduleRefresh(delay) {
    clearTimeout(refreshTimer);
    if (!revoked) refreshTimer = setTimeout(refresh, delay);
  }

  async function refresh() {
    const index = current;
    await load(index).catch(() => {});
    // The browser keeps a timing entry per request, up to 250 of them: nobody reads a display's, so none are kept.
    performance.clearResourceTimings();
    if (revoked) return;
    markCut();
    const stale = bodies[index].hasAttribute('data-stale');
    failures = stale ? failures + 1 : 0;
    // 1 s, 2 s, 4 s … after failures, never longer than the refresh interval itself.
    scheduleRefresh(stale ? Math.min(refreshMs, 1000 * 2 ** (failures - 1)) : refreshMs);
  }

  // --- Rotating: the next page is loaded a little before it is shown ---------------------------------------

  function scheduleRotation() {
    clearTimeout(rotateTimer);
    if (bodies.length < 2 || revoked) return;
    const lead = Math.min(5000, rotateMs / 2);
    rotateTimer = setTimeout(async () => {
      const next = (current + 1) % bodies.length;
      await load(next).catch(() => {});
      if (revoked) return;
      rotateTimer = setTimeout(() => show(next), lead);
    }, rotateMs - lead);
  }

  function show(next) {
    // A page that has never had content stays off screen; the next turn tries again.
    if (bodies[next].childElementCount > 0) {
      bodies[current].parentElement.hidden = true;
      bodies[next].parentElement.hidden = false;
      current = next;
      if (label) label.textContent = bodies[next].parentElement.getAttribute('aria-label');
      describe();
      markCut();
      scheduleRefresh(refreshMs);
    }
    scheduleRotation();
  }

  // --- A page taller than the screen is cut off, never scrolled: the bar says so, so nothing missing is trusted

  function markCut() {
    if (!cut) return;
    const body = bodies[current];
    const isCut = body.scrollHeight > body.clientHeight + 1 || body.scrollWidth > body.clientWidth + 1;
    cut.hidden = !isCut;
    body.toggleAttribute('data-cut', isCut);
  }
  window.addEventListener('resize', markCut);

  // --- The status bar: the time of the last good update, and since when it is stale ------------------------

  document.addEventListener('nx:poll', (event) => {
    const index = bodies.indexOf(event.target);
    if (index < 0) return;
    const { fresh, updatedAt, updatedHere, reason } = event.detail;
    status[index] = { updatedAt, updatedHere, stale: fresh ? '' : reason };
    if (index === current) describe();
  });

  function describe() {
    if (!updated) return;
    const { updatedAt, updatedHere, stale } = status[current];
    const time = new Date(updatedAt).toISOString().slice(11, 19);
    updated.classList.toggle('is-stale', stale !== '');
    if (stale === '') {
      updated.textContent = `Updated ${time} UTC`;
      clearInterval(clockTimer);
      clockTimer = 0;
      return;
    }
    updated.textContent = `Not updated since ${time} UTC (${age(performance.now() - updatedHere)} ago): ${stale}.`;
    clockTimer ||= setInterval(describe, 5000);
  }

  /** "40 s", "3 min", "2 h 5 min". */
  function age(ms) {
    const seconds = Math.max(1, Math.round(ms / 1000));
    if (seconds < 60) return `${seconds} s`;
    const minutes = Math.floor(seconds / 60);
    if (minutes < 60) return `${minutes} min`;
    return `${Math.floor(minutes / 60)} h ${minutes % 60} min`;
  }

  // --- Revoked: the server says so once, and the display stops asking ---------------------------------------

  document.addEventListener('htmx:before:response', (event) => {
    const { ctx } = event.detail;
    if (ctx.response?.status !== 410 || ctx.response.headers.get('X-Display-Revoked') !== 'true') return;
    event.preventDefault();
    revoked = true;
    clearTimeout(refreshTimer);
    clearTimeout(rotateTimer);
    clearInterval(clockTimer);
    ctx.response.raw.text().then((html) => {
      screen.innerHTML = html;
    });
  });

  markCut();
  scheduleRefresh(refreshMs);
  scheduleRotation();
})();
