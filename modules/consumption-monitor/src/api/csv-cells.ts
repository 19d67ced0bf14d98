/**
 * A text cell as a spreadsheet reads it safely: text that begins with `=`, `+`, `-`, `@`, a tab or a carriage
 * return would be run as a formula (`=HYPERLINK(…)` in an endpoint's name or a device's raw text), so it gets a
 * leading `'`, which spreadsheets show as plain text. A plain signed number ("-5", "+1.5") is left as it is.
 */
export function spreadsheetSafe(text: string): string {
  if (!/^[=+\-@\t\r]/.test(text) || /^[+-]?\d+([.,]\d+)*$/.test(text)) return text;
  return `'${text}`;
}
