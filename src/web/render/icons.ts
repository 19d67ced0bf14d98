import { assetUrl } from '../static-assets.js';
import { escapeHtml } from './escape-html.js';

/**
 * HTML for a sidebar or page icon: a named icon (`bolt`, `users`…) drawn from /static/icons.svg, or the text
 * itself, e.g. an emoji from a module's manifest. Decorative: hidden from screen readers, the label says it all.
 */
export function iconHtml(name: string | undefined): string {
  if (!name) return '<span class="icon" aria-hidden="true"></span>';
  if (/^[a-z][a-z-]*$/.test(name)) {
    return `<svg class="icon" aria-hidden="true" focusable="false"><use href="${assetUrl(`/static/icons.svg#${name}`)}"></use></svg>`;
  }
  return `<span class="icon" aria-hidden="true">${escapeHtml(name)}</span>`;
}
