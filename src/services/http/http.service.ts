import axios, { AxiosError, type AxiosInstance, type AxiosRequestConfig, type InternalAxiosRequestConfig } from 'axios';
import axiosRetry, { exponentialDelay, isNetworkError, retryAfter } from 'axios-retry';
import { NxfError } from '../../errors.js';
import type { Logger } from '../../logger.js';
import { redactUrl } from './redact-url.js';

/** Settings of an HTTP client (docs/services.md). */
export interface HttpConfig {
  /** Prefix for relative request URLs. */
  baseURL?: string;
  /** Milliseconds for one attempt (default 10 000). */
  timeout?: number;
  /** Retries after the first attempt for transient failures (default 3; 0 disables). */
  retries?: number;
  /** Headers sent with every request. */
  headers?: Record<string, string>;
  /** First backoff step in ms; it doubles each retry, plus up to 20 % jitter (default 200). */
  retryBaseDelayMs?: number;
  /** A Retry-After longer than this (ms) is not waited for: the request fails at once (default 30 000). */
  maxRetryAfterMs?: number;
}

/** Per-request options: axios's, plus `retries` to override the client's for this request. */
export type HttpRequestOptions = AxiosRequestConfig & { retries?: number };

/** HTTP for the core and for modules with `network:outbound`. */
export interface HttpService {
  /** A new axios instance with retries, backoff and request logging. */
  createClient(config?: HttpConfig): AxiosInstance;
  /** GET through the default client; resolves with the response body. */
  get<T = unknown>(url: string, options?: HttpRequestOptions): Promise<T>;
  /** POST `data` (JSON unless it is a string or buffer) through the default client. */
  post<T = unknown>(url: string, data?: unknown, options?: HttpRequestOptions): Promise<T>;
  /** PUT `data` through the default client. */
  put<T = unknown>(url: string, data?: unknown, options?: HttpRequestOptions): Promise<T>;
  /** DELETE through the default client. */
  delete<T = unknown>(url: string, options?: HttpRequestOptions): Promise<T>;
}

/** A client's settings when its config leaves them out. */
export const httpClientDefaults = {
  timeout: 10_000,
  retries: 3,
  retryBaseDelayMs: 200,
  maxRetryAfterMs: 30_000,
} as const;

const startedAt = Symbol('nxf-http-started');
type TimedConfig = InternalAxiosRequestConfig & { [startedAt]?: number };

/** Creates the HTTP service; `defaults` apply to the default client and to every client created. */
export function createHttpService(logger: Logger, defaults: HttpConfig = {}): HttpService {
  const createClient = (config: HttpConfig = {}) => buildClient(logger, { ...defaults, ...config });
  const client = createClient();
  const call = async <T>(options: HttpRequestOptions): Promise<T> =>
    (await client.request<T>(withRetries(options))).data;
  return {
    createClient,
    get: (url, options) => call({ ...options, method: 'GET', url }),
    post: (url, data, options) => call({ ...options, method: 'POST', url, data }),
    put: (url, data, options) => call({ ...options, method: 'PUT', url, data }),
    delete: (url, options) => call({ ...options, method: 'DELETE', url }),
  };
}

/** Moves a request's `retries` into axios-retry's per-request configuration. */
function withRetries(options: HttpRequestOptions): AxiosRequestConfig {
  const { retries, ...rest } = options;
  return retries === undefined ? rest : { ...rest, 'axios-retry': { retries } };
}

function buildClient(logger: Logger, config: HttpConfig): AxiosInstance {
  const instance = axios.create({
    baseURL: config.baseURL,
    timeout: config.timeout ?? httpClientDefaults.timeout,
    headers: { 'User-Agent': 'NxForge', ...config.headers },
    // Modules talk to devices on the rack network: no proxy from the environment unless they configure one.
    proxy: false,
  });
  const baseDelay = config.retryBaseDelayMs ?? httpClientDefaults.retryBaseDelayMs;
  const maxRetryAfter = config.maxRetryAfterMs ?? httpClientDefaults.maxRetryAfterMs;
  // A retried request's response comes back through the outer attempt's interceptors too: log it once.
  const logged = new WeakSet<object>();
  instance.interceptors.request.use((request: TimedConfig) => {
    request[startedAt] = Date.now();
    return request;
  });
  axiosRetry(instance, {
    retries: config.retries ?? httpClientDefaults.retries,
    // Each attempt gets the whole timeout: a slow first try must not leave the retry no time at all.
    shouldResetTimeout: true,
    retryCondition: (error) => isTransient(error) && retryAfter(error) <= maxRetryAfter,
    retryDelay: (retryCount, error) => exponentialDelay(retryCount, error, baseDelay),
    onRetry: (retryCount, error, request) =>
      logger.debug(
        {
          method: request.method?.toUpperCase(),
          url: describeUrl(instance, request),
          retryCount,
          reason: reason(error),
        },
        'http retry',
      ),
  });
  instance.interceptors.response.use(
    (response) => {
      if (!logged.has(response)) logRequest(logger, instance, response.config as TimedConfig, response.status);
      logged.add(response);
      return response;
    },
    (error: unknown) => {
      if (!(error instanceof AxiosError) || !error.config) return Promise.reject(error);
      logRequest(logger, instance, error.config as TimedConfig, error.response?.status, reason(error));
      return Promise.reject(toNxfError(instance, error));
    },
  );
  return instance;
}

/**
 * Worth another try: the request never got an answer (refused, reset, timed out), or the server said it is
 * overloaded (429) or failing (5xx). Any other 4xx is the request's fault and would fail again.
 */
export function isTransient(error: AxiosError): boolean {
  if (error.code === AxiosError.ERR_CANCELED) return false;
  if (!error.response) return isNetworkError(error) || isTimeout(error);
  return error.response.status === 429 || error.response.status >= 500;
}

function isTimeout(error: AxiosError): boolean {
  return error.code === AxiosError.ECONNABORTED || error.code === AxiosError.ETIMEDOUT;
}

function reason(error: AxiosError): string {
  return error.response ? `HTTP ${error.response.status}` : (error.code ?? error.message);
}

function describeUrl(instance: AxiosInstance, request: AxiosRequestConfig): string {
  try {
    return redactUrl(instance.getUri(request));
  } catch {
    return redactUrl(String(request.url));
  }
}

function logRequest(
  logger: Logger,
  instance: AxiosInstance,
  request: TimedConfig,
  status?: number,
  failure?: string,
): void {
  const entry = {
    method: request.method?.toUpperCase(),
    url: describeUrl(instance, request),
    status,
    durationMs: request[startedAt] === undefined ? undefined : Date.now() - request[startedAt],
  };
  if (failure) logger.warn({ ...entry, error: failure }, 'http request failed');
  else logger.debug(entry, 'http request');
}

/** The final failure as a coded error: what was asked, of whom (without credentials), and what came back. */
function toNxfError(instance: AxiosInstance, error: AxiosError): NxfError {
  const method = error.config?.method?.toUpperCase() ?? 'GET';
  const url = error.config ? describeUrl(instance, error.config) : '?';
  const status = error.response?.status;
  const details = { method, url, status, transient: isTransient(error) };
  if (status !== undefined) {
    return new NxfError('NXF_HTTP_STATUS', `${method} ${url} answered ${status}.`, {
      status: 502,
      details,
      cause: error,
    });
  }
  if (isTimeout(error)) {
    return new NxfError('NXF_HTTP_TIMEOUT', `${method} ${url} timed out.`, { status: 504, details, cause: error });
  }
  return new NxfError('NXF_HTTP_UNREACHABLE', `${method} ${url} failed: ${error.code ?? error.message}.`, {
    status: 502,
    details,
    cause: error,
  });
}
