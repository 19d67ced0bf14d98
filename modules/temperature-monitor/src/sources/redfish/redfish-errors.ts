import { SourceError } from '../source-types.js';

/** What the core HTTP service's errors carry (docs/services.md: an NxfError whose `cause` is the axios error). */
interface HttpFailure {
  code?: string;
  message?: string;
  details?: { status?: number };
  cause?: { code?: string; details?: { status?: number } };
}

const certificateProblems = /CERT|SELF_SIGNED|UNABLE_TO_VERIFY|UNABLE_TO_GET_ISSUER|ERR_TLS/;

/** The HTTP status of a failed request (or of the failure it caused), when the BMC answered at all. */
export function statusOf(error: unknown): number | undefined {
  const failure = error as (HttpFailure & { cause?: HttpFailure }) | undefined;
  return failure?.details?.status ?? failure?.cause?.details?.status;
}

/**
 * A failed request as the host's failure, with a message that says what to do: a refused password, a
 * certificate NxForge does not trust, a redirect loop, a BMC that is down.
 */
export function redfishFailure(error: unknown, what: string): SourceError {
  if (error instanceof SourceError) return error;
  const failure = (error ?? {}) as HttpFailure;
  const status = failure.details?.status;
  const causeCode = failure.cause?.code ?? '';
  if (status === 401 || status === 403) {
    return new SourceError(
      'TM_REDFISH_AUTH',
      `The BMC refused the user name or password (HTTP ${status}) for ${what}.`,
      'error',
      { cause: error },
    );
  }
  if (certificateProblems.test(causeCode)) {
    return new SourceError(
      'TM_TLS_CERTIFICATE',
      `The BMC's HTTPS certificate is not trusted (${causeCode}). Install a trusted certificate on the BMC, or switch off "Verify the certificate" for this host if it uses a self-signed one.`,
      'error',
      { cause: error },
    );
  }
  if (causeCode === 'ERR_FR_TOO_MANY_REDIRECTS') {
    return new SourceError(
      'TM_REDFISH_REDIRECT_LOOP',
      `${what} redirects in a loop; check the host's address (http or https, the BMC's own name).`,
      'error',
      { cause: error },
    );
  }
  if (status !== undefined && status < 500 && status !== 429) {
    return new SourceError('TM_REDFISH_STATUS', `${what} answered HTTP ${status}.`, 'error', { cause: error });
  }
  return new SourceError(
    failure.code ?? 'NXF_HTTP_UNREACHABLE',
    `The BMC did not answer ${what}: ${failure.message ?? String(error)}`,
    'unreachable',
    { cause: error },
  );
}

/** A body that is not a Redfish JSON object (an HTML login page, a proxy's error page). */
export function notRedfish(what: string, detail: string): SourceError {
  return new SourceError(
    'TM_REDFISH_NOT_JSON',
    `${what} did not answer with Redfish JSON (${detail}); is the address the BMC's Redfish service?`,
    'error',
  );
}
