import { NxfError } from '../../errors.js';

/** How a number is written on the page. */
export interface NumberFormat {
  /**
   * BCP 47 locale whose separators the page uses: `en` "1,234.5", `de` "1.234,5", `fr` "1 234,5" (default `en`).
   * A plain or non-breaking space is accepted as the thousands separator in every locale ("12 345").
   */
  locale?: string;
  /** Unit that must follow the number, e.g. `kWh`; picks the right number when the text holds several. */
  unit?: string;
}

/**
 * Reads one number from text such as "Total: 1,234.5 kWh".
 * Text without a number in the stated format (or with several and no unit to choose) is an error, never 0.
 * @throws NxfError NXF_SCRAPE_PARSE
 */
export function parseNumber(text: string, format: NumberFormat = {}): number {
  const { group, decimal } = separators(format.locale ?? 'en');
  const normalized = text.replace(/[\u00a0\u202f\u2009]/g, ' ').replace(/\u2212/g, '-');
  const matches = [...normalized.matchAll(numberPattern(group, decimal, format.unit))];
  const shown = JSON.stringify(text.trim().slice(0, 80));
  const expected = `a number written the ${format.locale ?? 'en'} way${format.unit ? ` followed by ${format.unit}` : ''}`;
  if (matches.length === 0) throw parseError(`Expected ${expected}, found ${shown}.`);
  const distinct = new Set(matches.map((match) => match[1]));
  if (distinct.size > 1) throw parseError(`Found several numbers in ${shown}; name the unit or a narrower selector.`);
  const token = (matches[0] as RegExpMatchArray)[1] as string;
  const value = Number(token.replaceAll(' ', '').replaceAll(group, '').replace(decimal, '.'));
  if (!Number.isFinite(value)) throw parseError(`Expected ${expected}, found ${shown}.`);
  return value;
}

/** Thousands and decimal separators of `locale`, as Intl writes them. */
function separators(locale: string): { group: string; decimal: string } {
  let parts: Intl.NumberFormatPart[];
  try {
    parts = new Intl.NumberFormat(locale).formatToParts(12345.6);
  } catch {
    throw parseError(`"${locale}" is not a locale (e.g. en, de, fr).`);
  }
  const group = (parts.find((part) => part.type === 'group')?.value ?? ',').replace(/[\u00a0\u202f]/, ' ');
  const decimal = parts.find((part) => part.type === 'decimal')?.value ?? '.';
  return { group, decimal };
}

/**
 * A number in one format: digits in groups of three (with the locale's separator or a space), an optional
 * decimal part, not glued to other digits or separators — so "1,234.5" does not half-match as "1,234" in German.
 */
function numberPattern(group: string, decimal: string, unit?: string): RegExp {
  const g = escape(group);
  const d = escape(decimal);
  const separatorsClass = `${g}${d}' ’`;
  const token = `[-+]?\\d+(?:(?:${g}| )\\d{3})*(?:${d}\\d+)?`;
  const notGlued = `(?<!\\d[${separatorsClass}]?)(${token})(?![${separatorsClass}]?\\d)`;
  const suffix = unit ? `\\s*${escape(unit)}(?![\\p{L}])` : '';
  return new RegExp(`${notGlued}${suffix}`, unit ? 'gu' : 'g');
}

function escape(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\/-]/g, '\\$&');
}

function parseError(message: string): NxfError {
  return new NxfError('NXF_SCRAPE_PARSE', message, { status: 422, details: { transient: false } });
}
