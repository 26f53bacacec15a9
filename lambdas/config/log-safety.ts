import { PersonalizationError } from "../domain/errors";

/**
 * Returns what may be logged of an error. This service's own errors are written to name ids only,
 * so their message is kept; other errors (AWS SDK, marshalling, runtime) can quote the values of a
 * request, which may be amounts or addresses, so only their name, code and request id are kept.
 */
export function safeError(error: unknown): Record<string, string | undefined> {
  if (error instanceof PersonalizationError)
    return { name: error.name, message: error.message, stack: error.stack };
  if (!(error instanceof Error)) return { name: typeof error };
  const metadata = (error as { $metadata?: { requestId?: string; httpStatusCode?: number } }).$metadata;
  return {
    name: error.name,
    code: (error as { code?: string }).code,
    requestId: metadata?.requestId,
    httpStatusCode: metadata?.httpStatusCode === undefined ? undefined : String(metadata.httpStatusCode),
  };
}
