/**
 * How a module's own connections take its database role: as a startup parameter of the connection
 * (`options=-c role=…`), so no query can run before it or without it. Role names are `nxfm_<oid>_<prefix>`:
 * lowercase letters, digits and underscores, nothing to quote.
 */
export function roleStartupOption(role: string): string {
  return `-c role=${role}`;
}
