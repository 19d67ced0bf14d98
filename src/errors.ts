/**
 * Coded errors. Every failure the product reports has a stable `NXF_…` code, shown in the JSON API
 * (`{"error": {"code", "message"}}`) and in HTML error fragments, so scripts can branch on the code and people
 * can search for it.
 */
export class NxfError extends Error {
  /** Stable machine-readable code, e.g. `NXF_CONFIG_INVALID`. */
  readonly code: string;
  /** HTTP status the web layer answers with when this error escapes a request. */
  readonly status: number;
  /** Optional structured details (per-field validation errors, limits…). */
  readonly details?: unknown;

  constructor(code: string, message: string, options: { status?: number; details?: unknown; cause?: unknown } = {}) {
    super(message, { cause: options.cause });
    this.name = 'NxfError';
    this.code = code;
    this.status = options.status ?? 500;
    this.details = options.details;
  }
}

/** True when `error` is an NxfError carrying `code`. */
export function isNxfError(error: unknown, code?: string): error is NxfError {
  return error instanceof NxfError && (code === undefined || error.code === code);
}

/** Error message of anything thrown, for logs and records. */
export function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
