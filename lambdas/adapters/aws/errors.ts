/**
 * How the AWS adapters classify SDK errors: whether a retry may succeed, and what of an error may be
 * reported. Shared by the Pinpoint, SES and EventBridge adapters.
 */

/** Error fields that AWS SDK v3 clients and Node's network layer set. */
interface SdkErrorFields extends Error {
  readonly $metadata?: { readonly httpStatusCode?: number };
  readonly $fault?: string;
  readonly $retryable?: unknown;
  readonly code?: unknown;
}

const THROTTLING_ERROR_NAMES = new Set([
  "ThrottlingException",
  "Throttling",
  "ThrottledException",
  "TooManyRequestsException",
  "RequestLimitExceeded",
  "RequestThrottled",
  "RequestThrottledException",
]);
const TIMEOUT_ERROR_NAMES = new Set(["TimeoutError", "RequestTimeout", "RequestTimeoutException"]);
const NETWORK_ERROR_CODES = new Set([
  "ECONNRESET",
  "ECONNREFUSED",
  "EPIPE",
  "ETIMEDOUT",
  "EHOSTUNREACH",
  "ENETUNREACH",
  "ENOTFOUND",
  "EAI_AGAIN",
]);

/**
 * Tells whether an error thrown by an AWS SDK v3 client may pass on a later attempt: throttling, an
 * HTTP 5xx response, a timeout or a network error. The names and codes follow the retry
 * classification of `@smithy/core` 3.41, which the SDK clients use for their own retries.
 * NOTE: after a timeout or a reset connection the provider may have sent the message already, so a
 * later attempt can deliver it twice.
 */
export function isTransientAwsError(error: unknown): boolean {
  if (!(error instanceof Error)) return false;
  const fields: SdkErrorFields = error;
  const httpStatus = fields.$metadata?.httpStatusCode;
  return (
    fields.$retryable !== undefined ||
    fields.$fault === "server" ||
    httpStatus === 429 ||
    (httpStatus !== undefined && httpStatus >= 500) ||
    THROTTLING_ERROR_NAMES.has(error.name) ||
    TIMEOUT_ERROR_NAMES.has(error.name) ||
    (typeof fields.code === "string" && NETWORK_ERROR_CODES.has(fields.code))
  );
}

/**
 * Returns the name of an SDK error ("NotFoundException"), or the code of a Node network error
 * ("ECONNRESET"). Messages are left out because providers may echo addresses or tokens in them.
 */
export function errorName(error: unknown): string {
  if (!(error instanceof Error)) return "non-Error value thrown";
  const fields: SdkErrorFields = error;
  if (error.name === "Error" && typeof fields.code === "string") return fields.code;
  return error.name;
}
