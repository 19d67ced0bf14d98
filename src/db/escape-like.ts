/** `text` for a LIKE pattern that matches it literally: `%`, `_` and the escape character (backslash) escaped. */
export function escapeLike(text: string): string {
  return text.replace(/[\\%_]/g, (char) => `\\${char}`);
}
