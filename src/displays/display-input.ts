import { NxfError } from '../errors.js';
import { displayThemes, type DisplayTheme } from './display-theme.js';

/** What an administrator sets on a display. */
export interface DisplaySettings {
  name: string;
  /** Module page paths, in the order the display rotates through them. */
  pages: string[];
  /** How long each page stays when there are several. */
  rotateSeconds: number;
  /** How often the page on screen asks for fresh data. */
  refreshMs: number;
  theme: DisplayTheme;
  /** Passed to the pages as `request.state.kiosk.filter`; empty means everything. */
  filter: { rack?: string; customer?: string };
}

/** The fields as a form sends them (strings; `pages` one or many). */
export type DisplayForm = Partial<
  Record<'name' | 'rotateSeconds' | 'refreshSeconds' | 'theme' | 'rack' | 'customer', string>
> & {
  pages?: string | string[];
};

export const displayLimits = {
  nameMaxLength: 80,
  maxPages: 12,
  rotateSeconds: { min: 2, max: 3600 },
  refreshSeconds: { min: 0.1, max: 3600 },
  filterMaxLength: 80,
} as const;

/**
 * Checks a display's form against what it may be: `offered` are the kiosk pages an administrator may choose now;
 * pages the display already had stay allowed (`kept`), so a disabled module does not make the form unsavable.
 * @throws NxfError NXF_VALIDATION (422) with a message per field.
 */
export function parseDisplayForm(
  form: DisplayForm,
  offered: ReadonlySet<string>,
  kept: readonly string[] = [],
): DisplaySettings {
  const errors: Record<string, string> = {};
  const name = (form.name ?? '').trim();
  if (name === '') errors.name = 'Give the display a name.';
  else if (name.length > displayLimits.nameMaxLength)
    errors.name = `At most ${displayLimits.nameMaxLength} characters.`;

  const pages = [...new Set([form.pages ?? []].flat().filter((page) => page !== ''))];
  if (pages.length === 0) errors.pages = 'Choose at least one page.';
  else if (pages.length > displayLimits.maxPages) errors.pages = `At most ${displayLimits.maxPages} pages.`;
  else if (pages.some((page) => !offered.has(page) && !kept.includes(page))) {
    errors.pages = 'Choose pages from the list: only pages their module offers for displays.';
  }

  const rotateSeconds = numberIn(form.rotateSeconds, displayLimits.rotateSeconds, { whole: true });
  if (rotateSeconds === undefined) errors.rotateSeconds = rangeMessage(displayLimits.rotateSeconds, 'whole seconds');
  const refreshSeconds = numberIn(form.refreshSeconds, displayLimits.refreshSeconds, { whole: false });
  if (refreshSeconds === undefined) errors.refreshSeconds = rangeMessage(displayLimits.refreshSeconds, 'seconds');

  const theme = form.theme as DisplayTheme;
  if (!displayThemes.includes(theme)) errors.theme = 'Choose light, dark or high contrast.';

  const filter: DisplaySettings['filter'] = {};
  for (const key of ['rack', 'customer'] as const) {
    const value = (form[key] ?? '').trim();
    if (value.length > displayLimits.filterMaxLength)
      errors[key] = `At most ${displayLimits.filterMaxLength} characters.`;
    else if (value !== '') filter[key] = value;
  }

  if (Object.keys(errors).length > 0) {
    throw new NxfError('NXF_VALIDATION', 'The display could not be saved: check the fields marked.', {
      status: 422,
      details: errors,
    });
  }
  return {
    name,
    pages,
    rotateSeconds: rotateSeconds as number,
    refreshMs: Math.round((refreshSeconds as number) * 1000),
    theme,
    filter,
  };
}

const filterWords = { rack: 'a rack', customer: 'a customer' } as const;

/**
 * Refuses a filter none of the display's pages honours (their manifests' `kioskFilters`), which would show
 * everything while the form says otherwise. `honours(path)` is undefined for a page not offered now (its module is
 * disabled): such a page is given the benefit of the doubt.
 * @throws NxfError NXF_VALIDATION (422) naming the filter.
 */
export function checkFilters(
  settings: DisplaySettings,
  honours: (path: string) => readonly string[] | undefined,
): void {
  const errors: Record<string, string> = {};
  for (const key of ['rack', 'customer'] as const) {
    if (settings.filter[key] === undefined) continue;
    const known = settings.pages.map(honours);
    if (known.some((filters) => filters === undefined || filters.includes(key))) continue;
    errors[key] =
      `None of the chosen pages can be limited to ${filterWords[key]}: leave it empty or choose a page that can.`;
  }
  if (Object.keys(errors).length > 0) {
    throw new NxfError('NXF_VALIDATION', 'The display could not be saved: check the fields marked.', {
      status: 422,
      details: errors,
    });
  }
}

function numberIn(raw: string | undefined, range: { min: number; max: number }, options: { whole: boolean }) {
  const text = (raw ?? '').trim();
  // Tenths at most: a refresh interval is kept in milliseconds, and finer steps mean nothing on a wall screen.
  if (!(options.whole ? /^\d+$/ : /^\d+(\.\d)?$/).test(text)) return undefined;
  const value = Number(text);
  return value >= range.min && value <= range.max ? value : undefined;
}

function rangeMessage(range: { min: number; max: number }, unit: string): string {
  return `Enter ${range.min} to ${range.max} ${unit}${unit === 'seconds' ? ' (tenths at most)' : ''}.`;
}
