import { JSONPath } from 'jsonpath-plus';
import { parse as parseHtml } from 'node-html-parser';
import type { Endpoint, EndpointSecrets } from '../endpoints/endpoint.js';
import { ReadError, type SourceContext, type SourceReader } from './source.js';

/** An HTML page read with a CSS selector, or JSON read with a JSONPath, fetched by the HTTP service. */
export const readHttp: SourceReader = async (endpoint, context) => {
  const body = await fetchText(endpoint.url!, endpoint, context);
  if (endpoint.jsonPath) return readJson(body, endpoint.jsonPath, endpoint, context);
  const element = parseHtml(body).querySelector(endpoint.selector!);
  if (!element)
    throw new ReadError('CM_NO_MATCH', `Nothing on ${endpoint.url} matches ${endpoint.selector}.`, {
      raw: excerpt(body),
    });
  const raw = element.textContent.trim();
  return { raw, number: context.services.scraping.parseNumber(raw, { locale: endpoint.locale }) };
};

/** GETs `url` as text with the endpoint's basic auth or header; HTTP errors are the service's NXF_HTTP_…. */
export async function fetchText(url: string, endpoint: Endpoint, context: SourceContext): Promise<string> {
  return context.services.http.get<string>(url, {
    timeout: endpoint.timeoutSeconds * 1000,
    retries: 1,
    responseType: 'text',
    transformResponse: (data: unknown) => data,
    maxRedirects: 3,
    maxContentLength: 5 * 1024 * 1024,
    ...requestAuth(endpoint, context.secrets),
  });
}

function requestAuth(endpoint: Endpoint, secrets: EndpointSecrets) {
  const auth = endpoint.auth;
  if (auth?.type === 'basic') return { auth: { username: auth.username ?? '', password: secrets.password ?? '' } };
  if (auth?.type === 'header' && auth.headerName) return { headers: { [auth.headerName]: secrets.headerValue ?? '' } };
  return {};
}

/** The first value `path` finds in the JSON `body`, as a number. */
export function readJson(
  body: string,
  path: string,
  endpoint: Pick<Endpoint, 'url' | 'locale'>,
  context: SourceContext,
) {
  const json = parseJson(body, endpoint.url ?? '');
  const found: unknown = (JSONPath({ path, json: json as object, wrap: true }) as unknown[] | undefined)?.[0];
  if (found === undefined || found === null) {
    throw new ReadError('CM_NO_MATCH', `${path} finds nothing in the JSON of ${endpoint.url}.`, { raw: excerpt(body) });
  }
  const raw = typeof found === 'object' ? JSON.stringify(found) : String(found);
  if (typeof found === 'number') return { raw, number: found };
  return { raw, number: context.services.scraping.parseNumber(raw, { locale: endpoint.locale }) };
}

/** JSON, or CM_NOT_JSON naming what came instead (an HTML error page, a login page). */
export function parseJson(body: string, url: string): unknown {
  try {
    return JSON.parse(body) as unknown;
  } catch {
    const kind = /^\s*</.test(body) ? 'HTML' : 'text';
    throw new ReadError('CM_NOT_JSON', `${url} answered ${kind}, not JSON.`, { raw: excerpt(body) });
  }
}

/** The first 200 characters, for the reading's raw text. */
export function excerpt(text: string): string {
  const flat = text.replace(/\s+/g, ' ').trim();
  return flat.length > 200 ? `${flat.slice(0, 199)}…` : flat;
}
