import type { Display } from '../../displays/display-store.js';

/** How a display is doing, as administrators see it on the Displays page. */
export interface DisplayHealth {
  state: 'live' | 'stale' | 'never' | 'revoked';
  /** In words: "live", "stale: no request for 12 min", "stale: answered HTTP 500 for 3 min". */
  text: string;
}

/**
 * A display is stale when its last good answer is older than two refresh intervals (one missed refresh) and 10 s
 * of slack for a slow answer: it stopped asking (switched off, its browser hung) or what it asks for fails.
 */
export function displayHealth(display: Display, now = Date.now()): DisplayHealth {
  if (display.revokedAt) return { state: 'revoked', text: 'revoked' };
  const contact = display.lastContact;
  if (!contact) return { state: 'never', text: 'never opened' };
  const staleAfterMs = 2 * display.refreshMs + 10_000;
  const goodAt = contact.goodAt?.getTime() ?? 0;
  if (now - goodAt <= staleAfterMs) return { state: 'live', text: 'live' };
  if (now - contact.at.getTime() > staleAfterMs) {
    return { state: 'stale', text: `stale: no request for ${duration(now - contact.at.getTime())}` };
  }
  const since = goodAt > 0 ? ` for ${duration(now - goodAt)}` : '';
  return { state: 'stale', text: `stale: answered HTTP ${contact.status}${since}` };
}

/** "40 s", "12 min", "3 h", "2 days". */
function duration(ms: number): string {
  const seconds = Math.round(ms / 1000);
  if (seconds < 60) return `${seconds} s`;
  if (seconds < 3600) return `${Math.round(seconds / 60)} min`;
  if (seconds < 2 * 86400) return `${Math.round(seconds / 3600)} h`;
  return `${Math.round(seconds / 86400)} days`;
}
