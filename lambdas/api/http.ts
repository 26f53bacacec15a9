import type { Logger } from "@aws-lambda-powertools/logger";
import { injectLambdaContext } from "@aws-lambda-powertools/logger/middleware";
import { type Metrics, MetricUnit } from "@aws-lambda-powertools/metrics";
import { logMetrics } from "@aws-lambda-powertools/metrics/middleware";
import middy from "@middy/core";
import type { APIGatewayProxyEventV2WithJWTAuthorizer, APIGatewayProxyStructuredResultV2 } from "aws-lambda";
import type * as z from "zod/mini";
import { safeError } from "../config/log-safety";
import { CustomerIdSchema } from "../contracts/transaction-posted";
import {
  ApiProblem,
  badRequest,
  type FieldProblem,
  INTERNAL_PROBLEM,
  notFound,
  PROBLEM_CONTENT_TYPE,
  problemBody,
  unauthorized,
} from "./problem";
import { type ApiFunction, ROUTES_BY_KEY, type RouteDefinition } from "./routes";

/** Largest request body accepted, in bytes; larger ones get 413 before any parsing. */
export const MAX_BODY_BYTES = 16 * 1024;

/** A validated request, with the customer taken from the token and never from the request itself. */
export interface ApiRequest {
  readonly customerId: string;
  readonly params: Readonly<Record<string, string>>;
  readonly query: Readonly<Record<string, string>>;
  readonly body: unknown;
  readonly ifMatch?: string;
  readonly requestId: string;
  readonly now: Date;
}

export interface ApiResult {
  readonly status: number;
  readonly body?: unknown;
  readonly headers?: Readonly<Record<string, string>>;
}

export type RouteImplementation = (request: ApiRequest) => Promise<ApiResult>;

/**
 * The request body as the type of its schema. The handler validated it against the same schema
 * already; parsing it again here is what gives the route a typed value without a cast.
 */
export function bodyOf<Schema extends z.ZodMiniType>(request: ApiRequest, schema: Schema): z.infer<Schema> {
  const parsed = schema.safeParse(request.body);
  if (!parsed.success)
    throw badRequest("The request body is invalid", issuesToProblems(parsed.error.issues, "body"));
  return parsed.data;
}

/** A path parameter of the route; its presence and syntax were validated with the route's schema. */
export function paramOf(request: ApiRequest, name: string): string {
  const value = request.params[name];
  if (value === undefined)
    throw badRequest(`The path has no ${name}`, [{ field: `path.${name}`, message: "is missing" }]);
  return value;
}

export interface ApiHandlerDependencies {
  readonly logger: Logger;
  readonly metrics: Metrics;
  readonly clock: () => Date;
  /** The verified token claim that holds the customer id: `sub` unless the deployment names another. */
  readonly customerIdClaim?: string;
}

const RESPONSE_HEADERS = {
  "cache-control": "no-store",
  "x-content-type-options": "nosniff",
} as const;

/** The message zod/mini gives an issue when the schema names none (it ships no message locale). */
const GENERIC_MESSAGE = "Invalid input";

function typeName(value: unknown): string {
  if (value === null) return "null";
  if (Array.isArray(value)) return "an array";
  if (typeof value === "string") return "a string";
  if (typeof value === "object") return "an object";
  return `a ${typeof value}`;
}

/** Returns the JSON type that zod expected, with its article. Zod names a JSON object "object" or "record". */
function expectedTypeName(expected: string): string {
  if (expected === "object" || expected === "record") return "an object";
  if (expected === "array") return "an array";
  return `a ${expected}`;
}

/**
 * Says what to send for an issue whose schema gave no message of its own. Written here rather than
 * loading zod's English locale, whose messages ("Invalid input: expected string") name no fix.
 */
function fallbackMessage(issue: z.core.$ZodIssue): string {
  switch (issue.code) {
    case "invalid_type":
      return issue.input === undefined
        ? `is required: send ${expectedTypeName(issue.expected)}`
        : `must be ${expectedTypeName(issue.expected)}, not ${typeName(issue.input)}`;
    case "invalid_key": {
      // The key's own schema has the rule for a key, and zod nests that schema's issue inside this one.
      const keyMessage = issue.issues[0]?.message;
      return keyMessage && keyMessage !== GENERIC_MESSAGE ? keyMessage : "is not an allowed key";
    }
    case "invalid_value":
      return `must be one of ${issue.values.map((value) => JSON.stringify(value)).join(", ")}`;
    case "too_small":
      return `must be at least ${String(issue.minimum)}${issue.origin === "string" ? " characters" : ""}`;
    case "too_big":
      return `must be at most ${String(issue.maximum)}${issue.origin === "string" ? " characters" : ""}`;
    case "invalid_format":
      return `must be in the ${issue.format} format`;
    default:
      return "is not valid; see the operation's schema in /openapi.json";
  }
}

function issuesToProblems(issues: readonly z.core.$ZodIssue[], prefix: string): FieldProblem[] {
  return issues.flatMap((issue) => {
    const field = [prefix, ...issue.path.map(String)].join(".");
    if (issue.code === "unrecognized_keys") {
      return issue.keys.map((key) => ({
        field: `${field}.${key}`,
        message: "is not a field of this operation; remove it",
      }));
    }
    return [{ field, message: issue.message === GENERIC_MESSAGE ? fallbackMessage(issue) : issue.message }];
  });
}

/** Parses with the input kept on each issue, so a message can say what was sent instead of what. */
function parseWith<Schema extends z.ZodMiniType>(schema: Schema, value: unknown) {
  return schema.safeParse(value, { reportInput: true });
}

function parseBody(event: APIGatewayProxyEventV2WithJWTAuthorizer, route: RouteDefinition): unknown {
  const raw = event.body ?? "";
  const text = event.isBase64Encoded ? Buffer.from(raw, "base64").toString("utf8") : raw;
  if (!route.body) {
    if (text.trim() !== "")
      throw badRequest("This operation takes no request body", [{ field: "body", message: "must be empty" }]);
    return undefined;
  }
  if (Buffer.byteLength(text, "utf8") > MAX_BODY_BYTES) {
    throw new ApiProblem(413, "Payload Too Large", `The request body is larger than ${MAX_BODY_BYTES} bytes`);
  }
  const contentType = event.headers["content-type"] ?? "";
  if (!/^application\/json\s*(;|$)/i.test(contentType)) {
    throw new ApiProblem(
      415,
      "Unsupported Media Type",
      "Send the body as JSON with Content-Type: application/json",
      [{ field: "headers.content-type", message: "must be application/json" }],
    );
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    throw badRequest("The request body is not valid JSON", [
      { field: "body", message: "must be a JSON object" },
    ]);
  }
  // zod drops a "__proto__" key from records instead of checking it, so an unknown key would pass.
  const reserved = reservedKeyPath(json, "body");
  if (reserved) {
    throw badRequest("The request body is invalid", [
      { field: reserved, message: "is not an accepted key; remove it" },
    ]);
  }
  const parsed = parseWith(route.body, json);
  if (!parsed.success)
    throw badRequest("The request body is invalid", issuesToProblems(parsed.error.issues, "body"));
  return parsed.data;
}

function parseParams(
  event: APIGatewayProxyEventV2WithJWTAuthorizer,
  route: RouteDefinition,
): Record<string, string> {
  const params: Record<string, string> = {};
  const problems: FieldProblem[] = [];
  for (const [name, schema] of Object.entries(route.params ?? {})) {
    const parsed = parseWith(schema, event.pathParameters?.[name]);
    if (parsed.success) params[name] = String(parsed.data);
    else problems.push(...issuesToProblems(parsed.error.issues, `path.${name}`));
  }
  if (problems.length > 0) throw badRequest("A path parameter is invalid", problems);
  return params;
}

function parseQuery(
  event: APIGatewayProxyEventV2WithJWTAuthorizer,
  route: RouteDefinition,
): Record<string, string> {
  const query = event.queryStringParameters ?? {};
  if (!route.query) {
    const names = Object.keys(query);
    if (names.length > 0)
      throw badRequest(
        "This operation takes no query parameters",
        names.map((name) => ({ field: `query.${name}`, message: "is not a parameter of this operation" })),
      );
    return {};
  }
  const parsed = parseWith(route.query, query);
  if (!parsed.success)
    throw badRequest("A query parameter is invalid", issuesToProblems(parsed.error.issues, "query"));
  return parsed.data as Record<string, string>;
}

/** The customer id from a claim of the token, which API Gateway's JWT authorizer has verified. */
function customerOf(event: APIGatewayProxyEventV2WithJWTAuthorizer, claim: string): string {
  const value = event.requestContext?.authorizer?.jwt?.claims?.[claim];
  const parsed = CustomerIdSchema.safeParse(value);
  if (!parsed.success) throw unauthorized(`The access token names no valid customer in its ${claim} claim`);
  return parsed.data;
}

function respond(result: ApiResult): APIGatewayProxyStructuredResultV2 {
  const hasBody = result.body !== undefined && result.status !== 204;
  return {
    statusCode: result.status,
    headers: {
      ...RESPONSE_HEADERS,
      ...(hasBody && { "content-type": "application/json; charset=utf-8" }),
      ...result.headers,
    },
    ...(hasBody && { body: JSON.stringify(result.body) }),
  };
}

function respondWithProblem(problem: ApiProblem, instance: string): APIGatewayProxyStructuredResultV2 {
  return {
    statusCode: problem.status,
    headers: { ...RESPONSE_HEADERS, "content-type": PROBLEM_CONTENT_TYPE, ...problem.headers },
    body: JSON.stringify(problemBody(problem, instance)),
  };
}

/**
 * Builds the Lambda handler of one API function. It serves the routes of `functionName` that
 * `implementations` names, by API Gateway's route key: it takes the customer from the token,
 * validates path, query, If-Match and body against the route's schemas, runs the route, and turns
 * every failure into `application/problem+json`. Only ApiProblem details reach the caller; any other
 * error is logged (without its message, which may quote data) and answered with a plain 500.
 */
export function createApiHandler(
  functionName: ApiFunction,
  implementations: Readonly<Record<string, RouteImplementation>>,
  deps: ApiHandlerDependencies,
) {
  const { logger, metrics } = deps;

  async function handle(
    event: APIGatewayProxyEventV2WithJWTAuthorizer,
  ): Promise<APIGatewayProxyStructuredResultV2> {
    const instance = event.requestContext?.requestId ?? "";
    const route = ROUTES_BY_KEY.get(event.routeKey);
    try {
      const implementation =
        route?.function === functionName ? implementations[route.operationId] : undefined;
      if (!route || !implementation) throw notFound(`No operation ${event.routeKey} here`);
      const customerId = customerOf(event, deps.customerIdClaim ?? "sub");
      logger.appendKeys({ customerId, operation: route.operationId });
      const ifMatch = event.headers["if-match"];
      if (route.ifMatch && ifMatch === undefined) {
        throw new ApiProblem(
          428,
          "Precondition Required",
          "Send If-Match with the ETag from GET /v1/me/preferences",
          [
            {
              field: "headers.if-match",
              message: "is missing; send the ETag that GET /v1/me/preferences returned",
            },
          ],
        );
      }
      const request: ApiRequest = {
        customerId,
        params: parseParams(event, route),
        query: parseQuery(event, route),
        body: parseBody(event, route),
        ...(ifMatch !== undefined && { ifMatch }),
        requestId: instance,
        now: deps.clock(),
      };
      const result = await implementation(request);
      metrics.addMetric("RequestsServed", MetricUnit.Count, 1);
      return respond(result);
    } catch (error) {
      if (error instanceof ApiProblem) {
        metrics.addMetric(error.status >= 500 ? "RequestsFailed" : "RequestsRejected", MetricUnit.Count, 1);
        if (error.status >= 500) logger.error("Request failed", { error: safeError(error) });
        else
          logger.info("Request rejected", {
            status: error.status,
            fields: error.errors.map((problem) => problem.field),
          });
        return respondWithProblem(error, instance);
      }
      metrics.addMetric("RequestsFailed", MetricUnit.Count, 1);
      logger.error("Request failed", { routeKey: event.routeKey, error: safeError(error) });
      return respondWithProblem(INTERNAL_PROBLEM, instance);
    }
  }

  return middy(handle)
    .use(injectLambdaContext(logger, { resetKeys: true, logEvent: false }))
    .use(logMetrics(metrics));
}

/** Keys that JavaScript objects treat specially, which no request schema accepts. */
const RESERVED_KEYS: ReadonlySet<string> = new Set(["__proto__", "constructor", "prototype"]);

/** Returns the path of the first reserved key in a parsed JSON value, such as "body.channels.__proto__". */
function reservedKeyPath(value: unknown, path: string): string | undefined {
  if (value === null || typeof value !== "object") return undefined;
  for (const [key, child] of Object.entries(value)) {
    const childPath = `${path}.${key}`;
    if (RESERVED_KEYS.has(key)) return childPath;
    const nested = reservedKeyPath(child, childPath);
    if (nested) return nested;
  }
  return undefined;
}
