import type { DisplayTheme } from '../displays/display-theme.js';

export type { DisplayTheme };

/**
 * What a module page learns when a kiosk display asks for it (`request.state.kiosk`, `it.kiosk` in views); see
 * docs/modules.md, "Kiosk pages". Such a request has no user: it may only read the display's pages.
 */
export interface KioskRequest {
  /** The display asking: its id and the name shown on its screen. */
  display: { id: string; name: string };
  /** What the display is limited to; a page honours what applies to it and shows everything when it is empty. */
  filter: { rack?: string; customer?: string };
  /** The display's theme; the core styles its pages for it, a page need only use the core's colours. */
  theme: DisplayTheme;
}
