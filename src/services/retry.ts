import pRetry from 'p-retry';
import { isNxfError } from '../errors.js';

/** How often and how patiently to try again after a transient failure. */
export interface RetryPolicy {
  /** Tries after the first (default 2). */
  retries?: number;
  /** Wait before the first retry in ms; doubled each time, randomised ×1–2 (default 500). */
  minDelayMs?: number;
  /** Longest wait between two tries in ms (default 10 000). */
  maxDelayMs?: number;
}

/** The backoff when a policy leaves it out: 2 retries, from 500 ms, at most 10 s apart. */
export const defaultRetryPolicy: Readonly<Required<RetryPolicy>> = { retries: 2, minDelayMs: 500, maxDelayMs: 10_000 };

/** True for failures worth another try: coded errors that say so in `details.transient`. */
export function isTransientError(error: unknown): boolean {
  return isNxfError(error) && (error.details as { transient?: boolean } | undefined)?.transient === true;
}

/**
 * Runs `attempt` until it succeeds, it fails with a non-transient error, or the retries run out (p-retry does the
 * exponential backoff with jitter). `onFailure` sees every failed attempt, e.g. to record it.
 */
export async function withRetries<T>(
  attempt: (attemptNumber: number) => Promise<T>,
  policy: RetryPolicy = {},
  options: {
    isTransient?: (error: unknown) => boolean;
    onFailure?: (error: unknown, attemptNumber: number) => void | Promise<void>;
  } = {},
): Promise<T> {
  const isTransient = options.isTransient ?? isTransientError;
  return pRetry(attempt, {
    retries: policy.retries ?? defaultRetryPolicy.retries,
    minTimeout: policy.minDelayMs ?? defaultRetryPolicy.minDelayMs,
    maxTimeout: policy.maxDelayMs ?? defaultRetryPolicy.maxDelayMs,
    factor: 2,
    randomize: true,
    onFailedAttempt: async ({ error, attemptNumber }) => options.onFailure?.(error, attemptNumber),
    shouldRetry: ({ error }) => isTransient(error),
  });
}
