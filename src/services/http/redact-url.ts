/** Query parameters whose values are credentials and must not reach a log line. */
const secretParameters = /^(token|access_token|api[-_]?key|key|password|passwd|secret|signature|sig|auth)$/i;

/** `raw` without user/password and with credential-like query values replaced, for logs and error messages. */
export function redactUrl(raw: string): string {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    return raw.replace(/\/\/[^/@\s]*@/, '//');
  }
  url.username = '';
  url.password = '';
  for (const name of [...url.searchParams.keys()]) {
    if (secretParameters.test(name)) url.searchParams.set(name, 'redacted');
  }
  return url.toString();
}
