/** Collects a message per bad field while a body is checked. */
export class Fields {
  readonly errors: Record<string, string> = {};

  /** Records the first problem of `field`. */
  fail(field: string, message: string): void {
    this.errors[field] ??= message;
  }
}

/** A trimmed string, or '' for anything that is not text. */
export function text(value: unknown): string {
  return typeof value === 'string' ? value.trim() : typeof value === 'number' ? String(value) : '';
}

/** The number in `value` (NaN when it is not one), or `fallback` when there is nothing. */
export function numberOr<T extends number | null>(value: unknown, fallback: T): number | T {
  if (value === undefined || value === null || (typeof value === 'string' && value.trim() === '')) return fallback;
  if (typeof value === 'number') return value;
  if (typeof value === 'string' && /^\s*-?(\d+\.?\d*|\.\d+)(e-?\d+)?\s*$/i.test(value)) return Number(value);
  return Number.NaN;
}

/** Only http(s) addresses: a `javascript:` or `file:` URL is refused. */
export function checkUrl(f: Fields, field: string, url: string | null, required: boolean): void {
  if (!url) {
    if (required) f.fail(field, 'Enter the address, e.g. http://10.0.7.21/status.htm.');
    return;
  }
  let parsed: URL | undefined;
  try {
    parsed = new URL(url);
  } catch {
    return f.fail(field, 'This is not a URL.');
  }
  if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:')
    f.fail(field, 'Only http:// and https:// addresses.');
}
