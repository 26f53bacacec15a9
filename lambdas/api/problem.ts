import { PersonalizationError } from "../domain/errors";

/**
 * Errors of the customer API and their RFC 9457 `application/problem+json` form. Only these errors'
 * details reach the caller; any other error becomes a plain 500 whose details stay in the logs.
 */

export const PROBLEM_CONTENT_TYPE = "application/problem+json";

/** One problem with one field of the request: where it is and what to send instead. */
export interface FieldProblem {
  /** The field, as "body.quietHours.start", "query.month" or "path.purpose", or "headers.if-match". */
  readonly field: string;
  readonly message: string;
}

export class ApiProblem extends PersonalizationError {
  constructor(
    readonly status: number,
    readonly title: string,
    readonly detail: string,
    readonly errors: readonly FieldProblem[] = [],
    readonly headers: Readonly<Record<string, string>> = {},
  ) {
    super(`${status} ${title}: ${detail}`);
  }
}

export function badRequest(detail: string, errors: readonly FieldProblem[] = []): ApiProblem {
  return new ApiProblem(400, "Bad Request", detail, errors);
}

export function notFound(detail: string): ApiProblem {
  return new ApiProblem(404, "Not Found", detail);
}

export function unauthorized(detail: string): ApiProblem {
  return new ApiProblem(401, "Unauthorized", detail, [], {
    "www-authenticate": 'Bearer error="invalid_token"',
  });
}

/** Type URIs name each kind of problem; they are stable identifiers, not links to fetch. */
const TYPE_BY_STATUS: Readonly<Record<number, string>> = {
  400: "urn:bank-personalization:problem:invalid-request",
  401: "urn:bank-personalization:problem:unauthorized",
  404: "urn:bank-personalization:problem:not-found",
  405: "urn:bank-personalization:problem:method-not-allowed",
  409: "urn:bank-personalization:problem:conflict",
  412: "urn:bank-personalization:problem:precondition-failed",
  413: "urn:bank-personalization:problem:payload-too-large",
  415: "urn:bank-personalization:problem:unsupported-media-type",
  428: "urn:bank-personalization:problem:precondition-required",
  500: "urn:bank-personalization:problem:internal",
};

export interface ProblemBody {
  readonly type: string;
  readonly title: string;
  readonly status: number;
  readonly detail: string;
  readonly instance?: string;
  readonly errors?: readonly FieldProblem[];
}

export function problemBody(problem: ApiProblem, instance?: string): ProblemBody {
  return {
    type: TYPE_BY_STATUS[problem.status] ?? "about:blank",
    title: problem.title,
    status: problem.status,
    detail: problem.detail,
    ...(instance && { instance }),
    ...(problem.errors.length > 0 && { errors: problem.errors }),
  };
}

export const INTERNAL_PROBLEM = new ApiProblem(
  500,
  "Internal Server Error",
  "The request could not be completed; it is safe to retry. Quote the request id to support.",
);
