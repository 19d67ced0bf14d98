/** A billing request that cannot be done as asked; the API answers it with `status` and the module's `code`. */
export class BillingError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly details?: unknown,
  ) {
    super(message);
    this.name = 'BillingError';
  }
}
