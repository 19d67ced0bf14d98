/**
 * Errors of the energy arithmetic. Each carries a stable `CM_…` code (docs/billing.md lists them) so the
 * module's routes can answer with it (`ctx.fail(422, error.code, error.message)`) and scripts can branch on it.
 */

/** The codes the energy arithmetic throws. */
export type EnergyErrorCode =
  | 'CM_READING_INVALID'
  | 'CM_READINGS_CONFLICT'
  | 'CM_COUNTER_DIP'
  | 'CM_POLL_INTERVAL_INVALID'
  | 'CM_MONTH_INVALID'
  | 'CM_TIMEZONE_INVALID';

/** Input the billing rule cannot count: the figure would be wrong, so nothing is computed. */
export class EnergyInputError extends Error {
  /** Stable machine-readable code. */
  readonly code: EnergyErrorCode;
  /** What was wrong, for the API's `details`. */
  readonly details?: Record<string, unknown>;

  constructor(code: EnergyErrorCode, message: string, details?: Record<string, unknown>) {
    super(message);
    this.name = 'EnergyInputError';
    this.code = code;
    this.details = details;
  }
}
