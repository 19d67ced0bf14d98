import type { AuthSettings, AuthType, EndpointSecrets, Source } from './endpoint.js';
import { checkUrl, Fields, text } from './fields.js';

/** Auth types each source understands. */
const authTypesOf: Record<Exclude<Source, 'snmp'>, AuthType[]> = {
  browser: ['none', 'basic', 'form', 'cookie'],
  http: ['none', 'basic', 'header'],
  redfish: ['none', 'basic'],
};

/**
 * Checks `auth` for a browser, http or redfish endpoint; its secrets go into `secrets` (a missing one is
 * required only when none is stored).
 */
export function checkAuth(
  f: Fields,
  value: unknown,
  source: Exclude<Source, 'snmp'>,
  secrets: EndpointSecrets,
  stored: EndpointSecrets = {},
): AuthSettings | null {
  if (!source || !authTypesOf[source]) return null;
  const input = (value && typeof value === 'object' ? value : { type: 'none' }) as Record<string, unknown>;
  const type = (text(input.type) || 'none') as AuthType;
  if (!authTypesOf[source].includes(type)) {
    f.fail('auth.type', `A ${source} endpoint signs in with ${authTypesOf[source].join(', ')}.`);
    return null;
  }
  const secret = (field: 'password' | 'cookies' | 'headerValue', message: string) => {
    const given = text(input[field]);
    if (given) secrets[field] = given;
    else if (!stored[field]) f.fail(`auth.${field}`, message);
  };
  if (type === 'none') return null;
  if (type === 'basic' || type === 'form') {
    const username = text(input.username);
    if (!username) f.fail('auth.username', 'Enter the user name.');
    secret('password', 'Enter the password.');
    if (type === 'basic') return { type, username };
    const loginUrl = text(input.loginUrl) || null;
    checkUrl(f, 'auth.loginUrl', loginUrl, false);
    const usernameSelector = text(input.usernameSelector);
    const passwordSelector = text(input.passwordSelector);
    if (!usernameSelector) f.fail('auth.usernameSelector', 'Enter the CSS selector of the user-name field.');
    if (!passwordSelector) f.fail('auth.passwordSelector', 'Enter the CSS selector of the password field.');
    return {
      type,
      username,
      loginUrl,
      usernameSelector,
      passwordSelector,
      submitSelector: text(input.submitSelector) || null,
    };
  }
  if (type === 'cookie') {
    secret('cookies', 'Enter the cookies as name=value; name2=value2.');
    if (secrets.cookies && !/^[^=;\s]+=[^;]*(;\s*[^=;\s]+=[^;]*)*;?$/.test(secrets.cookies)) {
      f.fail('auth.cookies', 'Cookies are name=value pairs separated by semicolons.');
    }
    return { type };
  }
  const headerName = text(input.headerName);
  if (!/^[A-Za-z0-9!#$%&'*+.^_`|~-]+$/.test(headerName))
    f.fail('auth.headerName', 'Enter a header name, e.g. X-Api-Key.');
  secret('headerValue', 'Enter the header value.');
  return { type, headerName };
}
