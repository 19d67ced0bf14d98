import http from 'node:http';

/**
 * A browser-like HTTP client for tests: keeps cookies, reads the CSRF token from the last page, never follows
 * redirects (tests look at them).
 */
export class WebClient {
  readonly cookies = new Map<string, string>();
  csrfToken = '';

  constructor(readonly baseUrl: string) {}

  async request(method: string, path: string, init: { headers?: Record<string, string>; body?: BodyInit } = {}) {
    const headers: Record<string, string> = { ...init.headers };
    if (this.cookies.size > 0) {
      headers.cookie = [...this.cookies].map(([name, value]) => `${name}=${value}`).join('; ');
    }
    const response = await fetch(new URL(path, this.baseUrl), { method, headers, body: init.body, redirect: 'manual' });
    for (const line of response.headers.getSetCookie()) this.storeCookie(line);
    const text = await response.text();
    const token = /<meta name="csrf-token" content="([^"]*)"/.exec(text)?.[1];
    if (token) this.csrfToken = token;
    return { status: response.status, headers: response.headers, text, json: () => JSON.parse(text) as unknown };
  }

  get(path: string, headers: Record<string, string> = {}) {
    return this.request('GET', path, { headers });
  }

  /** Posts a urlencoded form, adding `_csrf` unless the fields set it (pass `_csrf: undefined`-free to test). */
  post(path: string, fields: Record<string, string> = {}, headers: Record<string, string> = {}) {
    const body = new URLSearchParams({ _csrf: this.csrfToken, ...fields });
    return this.request('POST', path, {
      headers: { 'content-type': 'application/x-www-form-urlencoded', ...headers },
      body: body.toString(),
    });
  }

  /**
   * Posts a multipart form with one file, as the module upload form does. The CSRF token goes in the query
   * string (`csrf: 'query'`, a plain form), in the X-CSRF-Token header (`'header'`, htmx) or nowhere.
   */
  postFile(
    path: string,
    file: { field: string; name: string; content: Buffer },
    options: {
      fields?: Record<string, string>;
      csrf?: 'query' | 'header' | 'none';
      headers?: Record<string, string>;
    } = {},
  ) {
    const form = new FormData();
    for (const [name, value] of Object.entries(options.fields ?? {})) form.append(name, value);
    form.append(file.field, new Blob([new Uint8Array(file.content)]), file.name);
    const csrf = options.csrf ?? 'query';
    const url =
      csrf === 'query' ? `${path}${path.includes('?') ? '&' : '?'}_csrf=${encodeURIComponent(this.csrfToken)}` : path;
    const headers = { ...options.headers, ...(csrf === 'header' ? { 'X-CSRF-Token': this.csrfToken } : {}) };
    return this.request('POST', url, { headers, body: form });
  }

  /** Posts a form without any CSRF token. */

  postWithoutCsrf(path: string, fields: Record<string, string> = {}) {
    return this.request('POST', path, {
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams(fields).toString(),
    });
  }

  /**
   * Loads the login page (for its CSRF token) and signs in; returns the POST /login response. After a successful
   * sign-in it loads the page it was sent to, so `csrfToken` is the one of the new session.
   */
  async login(username: string, password: string) {
    await this.get('/login');
    const response = await this.post('/login', { username, password });
    if (response.status === 303) await this.get(response.headers.get('location') ?? '/');
    return response;
  }

  private storeCookie(line: string) {
    const [pair = '', ...attributes] = line.split(';');
    const separator = pair.indexOf('=');
    const name = pair.slice(0, separator).trim();
    const value = pair.slice(separator + 1).trim();
    const expired = attributes.some((a) => /^\s*expires=/i.test(a) && new Date(a.split('=')[1] as string) < new Date());
    if (value === '' || expired) this.cookies.delete(name);
    else this.cookies.set(name, value);
  }
}

/** Calls the JSON API with a Bearer token. */
export async function apiRequest(
  baseUrl: string,
  token: string,
  method: string,
  path: string,
  body?: unknown,
): Promise<{ status: number; body: unknown }> {
  const response = await fetch(new URL(path, baseUrl), {
    method,
    headers: {
      authorization: `Bearer ${token}`,
      ...(body === undefined ? {} : { 'content-type': 'application/json' }),
    },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await response.text();
  return { status: response.status, body: text ? (JSON.parse(text) as unknown) : undefined };
}

/** Uploads a module archive to `POST /api/v1/modules/install` with a Bearer token. */
export async function uploadModule(
  baseUrl: string,
  token: string,
  zip: Buffer,
  options: { force?: boolean; fileName?: string } = {},
): Promise<{ status: number; body: any }> {
  const form = new FormData();
  form.append('file', new Blob([new Uint8Array(zip)], { type: 'application/zip' }), options.fileName ?? 'module.zip');
  const response = await fetch(new URL(`/api/v1/modules/install${options.force ? '?force=true' : ''}`, baseUrl), {
    method: 'POST',
    headers: { authorization: `Bearer ${token}` },
    body: form,
  });
  const text = await response.text();
  return { status: response.status, body: text ? JSON.parse(text) : undefined };
}

/**
 * Sends `GET <rawPath>` exactly as written: fetch and `new URL` normalise `..` and dot-segments away before a
 * request leaves, so a traversal attempt must go through http.request's `path`.
 */
export function rawGet(baseUrl: string, rawPath: string): Promise<{ status: number; body: string }> {
  const { hostname, port } = new URL(baseUrl);
  return new Promise((resolve, reject) => {
    const request = http.request({ host: hostname, port, path: rawPath, method: 'GET' }, (response) => {
      const chunks: Buffer[] = [];
      response.on('data', (chunk: Buffer) => chunks.push(chunk));
      response.on('end', () =>
        resolve({ status: response.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8') }),
      );
      response.on('error', reject);
    });
    request.on('error', reject);
    request.end();
  });
}
