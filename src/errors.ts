import { errorCatalog, type NxfCode } from './error-catalog.js';

export { errorCatalog, isNxfCode, type NxfCode } from './error-catalog.js';

/** What an error may carry besides its code and message. */
export interface NxfErrorOptions {
  /** HTTP status to answer with; the catalog's for the code when not given. */
  status?: number;
  /** Structured details (per-field validation errors, limits…). */
  details?: unknown;
  cause?: unknown;
}

/**
 * Coded errors. Every failure the product reports has a stable `NXF_…` code from the catalog
 * (`src/error-catalog.ts`, documented in docs/errors.md), shown in the JSON API (`{"error": {"code", "message"}}`)
 * and in HTML error fragments, so scripts can branch on the code and people can search for it.
 */
export class NxfError extends Error {
  /** Stable machine-readable code, e.g. `NXF_CONFIG_INVALID` (a module's own code for a `ModuleError`). */
  readonly code: string;
  /** HTTP status the web layer answers with when this error escapes a request. */
  readonly status: number;
  /** Optional structured details (per-field validation errors, limits…). */
  readonly details?: unknown;

  constructor(code: NxfCode, message: string, options: NxfErrorOptions = {}) {
    super(message, { cause: options.cause });
    this.name = 'NxfError';
    this.code = code;
    this.status = options.status ?? errorCatalog[code]?.status ?? 500;
    this.details = options.details;
  }
}

/**
 * An error a module raised with `ctx.fail(status, code, message, details?)`: a core code for a generic condition or the
 * module's own (`CM_…`), listed in the module's docs rather than in the core's catalog. Answered like any
 * NxfError.
 */
export class ModuleError extends NxfError {
  constructor(status: number, code: string, message: string, details?: unknown) {
    // The catalog types the core's codes only; a module's code passes through as the module wrote it.
    super(code as NxfCode, message, { status, details });
    this.name = 'ModuleError';
  }
}

/** True when `error` is an NxfError carrying `code`. */
export function isNxfError(error: unknown, code?: NxfCode): error is NxfError {
  return error instanceof NxfError && (code === undefined || error.code === code);
}

/** Error message of anything thrown, for logs and records. */
export function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
