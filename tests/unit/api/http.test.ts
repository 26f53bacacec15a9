import { Logger } from "@aws-lambda-powertools/logger";
import { Metrics } from "@aws-lambda-powertools/metrics";
import type { APIGatewayProxyEventV2WithJWTAuthorizer, APIGatewayProxyStructuredResultV2 } from "aws-lambda";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import {
  type ApiRequest,
  type ApiResult,
  createApiHandler,
  MAX_BODY_BYTES,
  type RouteImplementation,
} from "../../../lambdas/api/http";
import { CHANNEL_KEYS } from "../../../lambdas/api/schemas";
import { lambdaContext } from "../../../scripts/local/aws-events";

const CUSTOMER_ID = "cust-0042";
const NOW = new Date("2026-11-20T05:00:00Z");

/** An HTTP API (payload 2.0) event as API Gateway sends it after its JWT authorizer accepted the token. */
const BASE_EVENT: APIGatewayProxyEventV2WithJWTAuthorizer = {
  version: "2.0",
  routeKey: "GET /v1/me/preferences",
  rawPath: "/v1/me/preferences",
  rawQueryString: "",
  headers: { "user-agent": "vitest" },
  requestContext: {
    accountId: "000000000000",
    apiId: "test",
    authorizer: {
      principalId: "",
      integrationLatency: 0,
      jwt: { claims: { sub: CUSTOMER_ID, scope: "personalization/me" }, scopes: [] },
    },
    domainName: "api.bank.example",
    domainPrefix: "api",
    http: {
      method: "GET",
      path: "/v1/me/preferences",
      protocol: "HTTP/1.1",
      sourceIp: "192.0.2.10",
      userAgent: "vitest",
    },
    requestId: "req-1",
    routeKey: "GET /v1/me/preferences",
    stage: "$default",
    time: NOW.toISOString(),
    timeEpoch: NOW.getTime(),
  },
  isBase64Encoded: false,
};

interface EventOptions {
  readonly headers?: Record<string, string>;
  readonly body?: string;
  readonly isBase64Encoded?: boolean;
  readonly query?: Record<string, string>;
  readonly pathParameters?: Record<string, string>;
  readonly claims?: Record<string, string>;
}

/** Builds the event of `routeKey` from a fresh copy of BASE_EVENT. */
function apiEvent(routeKey: string, options: EventOptions = {}): APIGatewayProxyEventV2WithJWTAuthorizer {
  const event = structuredClone(BASE_EVENT);
  const [method = "GET", path = "/"] = routeKey.split(" ");
  event.routeKey = routeKey;
  event.rawPath = path;
  event.requestContext.routeKey = routeKey;
  event.requestContext.http.method = method;
  event.requestContext.http.path = path;
  event.headers = { ...event.headers, ...options.headers };
  if (options.claims) event.requestContext.authorizer.jwt.claims = options.claims;
  if (options.query) event.queryStringParameters = options.query;
  if (options.pathParameters) event.pathParameters = options.pathParameters;
  if (options.body !== undefined) {
    event.body = options.body;
    event.isBase64Encoded = options.isBase64Encoded ?? false;
  }
  return event;
}

function jsonEvent(routeKey: string, body: unknown, options: EventOptions = {}) {
  return apiEvent(routeKey, {
    ...options,
    headers: { "content-type": "application/json", ...options.headers },
    body: JSON.stringify(body),
  });
}

/** Route implementations of the settings function that record each request they get. */
function stubRoutes(result: ApiResult = { status: 200, body: { ok: true } }) {
  const received: ApiRequest[] = [];
  const implementation: RouteImplementation = async (request) => {
    received.push(request);
    return result;
  };
  const routes: Record<string, RouteImplementation> = {
    getPreferences: implementation,
    updatePreferences: implementation,
    setConsent: implementation,
    giveServiceFeedback: implementation,
    registerDevice: implementation,
  };
  return { routes, received };
}

/**
 * Builds the settings function's handler with a real Powertools logger. POWERTOOLS_DEV makes the
 * logger write through the global console, where the test captures each entry.
 */
function createHandler(routes: Record<string, RouteImplementation>, customerIdClaim?: string) {
  return createApiHandler("settings", routes, {
    logger: new Logger({ serviceName: "api-settings", logLevel: "INFO" }),
    metrics: new Metrics({ namespace: "BankPersonalizationTest", serviceName: "api-settings" }),
    clock: () => NOW,
    ...(customerIdClaim !== undefined && { customerIdClaim }),
  });
}

async function invoke(
  routes: Record<string, RouteImplementation>,
  event: APIGatewayProxyEventV2WithJWTAuthorizer,
  customerIdClaim?: string,
): Promise<APIGatewayProxyStructuredResultV2> {
  return createHandler(routes, customerIdClaim)(event, lambdaContext("personalization-api-settings"));
}

interface Problem {
  type: string;
  title: string;
  status: number;
  detail: string;
  instance?: string;
  errors?: Array<{ field: string; message: string }>;
}

function problemOf(response: APIGatewayProxyStructuredResultV2): Problem {
  expect(response.headers?.["content-type"]).toBe("application/problem+json");
  return JSON.parse(response.body ?? "") as Problem;
}

function fieldsOf(problem: Problem): string[] {
  return (problem.errors ?? []).map((error) => error.field);
}

/** Every log entry written through the console during a test, parsed from its JSON. */
let logEntries: () => Array<Record<string, unknown>>;

beforeEach(() => {
  vi.stubEnv("POWERTOOLS_DEV", "true");
  vi.stubEnv("POWERTOOLS_METRICS_DISABLED", "true");
  const spies = (["log", "info", "warn", "error", "debug"] as const).map((method) =>
    vi.spyOn(console, method).mockImplementation(() => undefined),
  );
  logEntries = () =>
    spies.flatMap((spy) =>
      spy.mock.calls.flatMap((call) => {
        try {
          return [JSON.parse(String(call[0])) as Record<string, unknown>];
        } catch {
          return [];
        }
      }),
    );
});

afterEach(() => {
  vi.unstubAllEnvs();
  vi.restoreAllMocks();
});

describe("createApiHandler", () => {
  it("passes a valid request to the route", async () => {
    // Prepare
    const { routes, received } = stubRoutes({ status: 200, body: { language: "vi" } });

    // Act
    const response = await invoke(routes, apiEvent("GET /v1/me/preferences"));

    // Assess
    expect(response.statusCode).toBe(200);
    expect(response.headers?.["content-type"]).toBe("application/json; charset=utf-8");
    expect(response.headers?.["cache-control"]).toBe("no-store");
    expect(JSON.parse(response.body ?? "")).toEqual({ language: "vi" });
    expect(received).toHaveLength(1);
    expect(received[0]).toMatchObject({
      customerId: CUSTOMER_ID,
      params: {},
      query: {},
      body: undefined,
      requestId: "req-1",
      now: NOW,
    });
  });

  it("takes the customer from sub only", async () => {
    // Prepare
    const { routes, received } = stubRoutes();
    const event = apiEvent("GET /v1/me/preferences", {
      claims: { sub: CUSTOMER_ID, customerId: "cust-other", "custom:customerId": "cust-other" },
    });

    // Act
    const response = await invoke(routes, event);

    // Assess
    expect(response.statusCode).toBe(200);
    expect(received[0]?.customerId).toBe(CUSTOMER_ID);
  });

  it("takes the customer from the configured claim", async () => {
    // Prepare: Cognito's sub is its own user id, so a deployment can name the claim with the customer id.
    const { routes, received } = stubRoutes();
    const event = apiEvent("GET /v1/me/preferences", {
      claims: { sub: "5f0c1d2e-cognito-user", username: CUSTOMER_ID },
    });

    // Act
    const response = await invoke(routes, event, "username");
    const withoutClaim = await invoke(
      routes,
      apiEvent("GET /v1/me/preferences", { claims: { sub: CUSTOMER_ID } }),
      "username",
    );

    // Assess
    expect(response.statusCode).toBe(200);
    expect(received.map((request) => request.customerId)).toEqual([CUSTOMER_ID]);
    expect(withoutClaim.statusCode).toBe(401);
    expect(problemOf(withoutClaim).detail).toBe(
      "The access token names no valid customer in its username claim",
    );
  });

  it.each([
    ["an unknown route key", "GET /v1/me/accounts"],
    ["a route of another function", "GET /v1/me/offers"],
    ["a route without an implementation", "GET /v1/me/consents"],
  ])("returns 404 for %s", async (_case, routeKey) => {
    // Prepare
    const { routes, received } = stubRoutes();

    // Act
    const response = await invoke(routes, apiEvent(routeKey));

    // Assess
    expect(response.statusCode).toBe(404);
    const problem = problemOf(response);
    expect(problem).toEqual({
      type: "urn:bank-personalization:problem:not-found",
      title: "Not Found",
      status: 404,
      detail: `No operation ${routeKey} here`,
      instance: "req-1",
    });
    expect(received).toEqual([]);
  });

  it.each([
    ["no sub", { scope: "personalization/me" }],
    ["an empty sub", { sub: "" }],
    ["a sub with a key separator", { sub: "cust#1" }],
    ["a sub over 128 characters", { sub: "c".repeat(129) }],
  ])("returns 401 for a token with %s", async (_case, claims) => {
    // Prepare
    const { routes, received } = stubRoutes();

    // Act
    const response = await invoke(routes, apiEvent("GET /v1/me/preferences", { claims }));

    // Assess
    expect(response.statusCode).toBe(401);
    expect(response.headers?.["www-authenticate"]).toBe('Bearer error="invalid_token"');
    const problem = problemOf(response);
    expect(problem.type).toBe("urn:bank-personalization:problem:unauthorized");
    expect(problem.detail).toBe("The access token names no valid customer in its sub claim");
    expect(problem.errors).toBeUndefined();
    expect(received).toEqual([]);
  });

  it("returns 401 without authorizer context", async () => {
    // Prepare
    const { routes } = stubRoutes();
    const event = apiEvent("GET /v1/me/preferences");
    const { authorizer: _authorizer, ...requestContext } = event.requestContext;

    // Act
    const response = await invoke(routes, {
      ...event,
      requestContext: requestContext as typeof event.requestContext,
    });

    // Assess
    expect(response.statusCode).toBe(401);
    expect(response.headers?.["www-authenticate"]).toBe('Bearer error="invalid_token"');
  });

  it.each([
    ["ASCII", "a".repeat(MAX_BODY_BYTES)],
    ["multi-byte UTF-8 under the limit in characters", "₫".repeat(Math.ceil(MAX_BODY_BYTES / 3))],
  ])("returns 413 for a body over 16 KiB of %s", async (_case, filler) => {
    // Prepare
    const { routes, received } = stubRoutes();
    const body = JSON.stringify({ rating: 5, comment: filler });

    // Act
    const response = await invoke(
      routes,
      apiEvent("POST /v1/me/feedback", { headers: { "content-type": "application/json" }, body }),
    );

    // Assess
    expect(response.statusCode).toBe(413);
    const problem = problemOf(response);
    expect(problem.type).toBe("urn:bank-personalization:problem:payload-too-large");
    expect(problem.detail).toBe("The request body is larger than 16384 bytes");
    expect(received).toEqual([]);
  });

  it("decodes a base64-encoded body", async () => {
    // Prepare: API Gateway encodes a body whose content type it does not treat as text.
    const { routes, received } = stubRoutes({ status: 204 });
    const json = JSON.stringify({ rating: 4, comment: "Ứng dụng dễ dùng" });

    // Act
    const response = await invoke(
      routes,
      apiEvent("POST /v1/me/feedback", {
        headers: { "content-type": "application/json" },
        body: Buffer.from(json, "utf8").toString("base64"),
        isBase64Encoded: true,
      }),
    );

    // Assess
    expect(response.statusCode).toBe(204);
    expect(response.body).toBeUndefined();
    expect(received[0]?.body).toEqual({ rating: 4, comment: "Ứng dụng dễ dùng" });
  });

  it.each([
    ["text/plain", "text/plain"],
    ["form data", "application/x-www-form-urlencoded"],
    ["JSON with a suffix", "application/jsonp"],
    ["no content type", undefined],
  ])("returns 415 for %s", async (_case, contentType) => {
    // Prepare
    const { routes, received } = stubRoutes();
    const headers: Record<string, string> = contentType === undefined ? {} : { "content-type": contentType };

    // Act
    const response = await invoke(
      routes,
      apiEvent("POST /v1/me/feedback", { headers, body: JSON.stringify({ rating: 5 }) }),
    );

    // Assess
    expect(response.statusCode).toBe(415);
    const problem = problemOf(response);
    expect(problem.type).toBe("urn:bank-personalization:problem:unsupported-media-type");
    expect(problem.errors).toEqual([{ field: "headers.content-type", message: "must be application/json" }]);
    expect(received).toEqual([]);
  });

  it("accepts application/json with a charset", async () => {
    // Prepare
    const { routes, received } = stubRoutes({ status: 204 });

    // Act
    const response = await invoke(
      routes,
      apiEvent("POST /v1/me/feedback", {
        headers: { "content-type": "Application/JSON; charset=utf-8" },
        body: JSON.stringify({ rating: 5 }),
      }),
    );

    // Assess
    expect(response.statusCode).toBe(204);
    expect(received[0]?.body).toEqual({ rating: 5 });
  });

  it.each([
    ["a truncated object", '{"rating": 5'],
    ["a trailing comma", '{"rating": 5,}'],
    ["single quotes", "{'rating': 5}"],
    ["an empty body", ""],
  ])("returns 400 for invalid JSON: %s", async (_case, body) => {
    // Prepare
    const { routes, received } = stubRoutes();

    // Act
    const response = await invoke(
      routes,
      apiEvent("POST /v1/me/feedback", { headers: { "content-type": "application/json" }, body }),
    );

    // Assess
    expect(response.statusCode).toBe(400);
    const problem = problemOf(response);
    expect(problem.detail).toBe("The request body is not valid JSON");
    expect(problem.errors).toEqual([{ field: "body", message: "must be a JSON object" }]);
    expect(received).toEqual([]);
  });

  it("returns 400 naming an unknown body field", async () => {
    // Prepare
    const { routes, received } = stubRoutes();

    // Act
    const response = await invoke(
      routes,
      jsonEvent("POST /v1/me/feedback", { rating: 5, customerId: "cust-other", stars: 5 }),
    );

    // Assess
    expect(response.statusCode).toBe(400);
    const problem = problemOf(response);
    expect(problem.type).toBe("urn:bank-personalization:problem:invalid-request");
    expect(problem.detail).toBe("The request body is invalid");
    expect(problem.errors).toEqual([
      { field: "body.customerId", message: "is not a field of this operation; remove it" },
      { field: "body.stars", message: "is not a field of this operation; remove it" },
    ]);
    expect(received).toEqual([]);
  });

  it("returns 400 naming an unknown nested field", async () => {
    // Prepare
    const { routes } = stubRoutes();

    // Act
    const response = await invoke(
      routes,
      jsonEvent(
        "PATCH /v1/me/preferences",
        { quietHours: { start: "22:00", end: "07:00", days: "weekdays" } },
        { headers: { "if-match": '"v1"' } },
      ),
    );

    // Assess
    expect(response.statusCode).toBe(400);
    expect(fieldsOf(problemOf(response))).toEqual(["body.quietHours.days"]);
  });

  it("returns 400 naming a __proto__ key", async () => {
    // Prepare
    const { routes, received } = stubRoutes();
    const event = apiEvent("PATCH /v1/me/preferences", {
      headers: { "content-type": "application/json", "if-match": '"v1"' },
      body: '{"channels":{"__proto__":["inbox"]}}',
    });

    // Act
    const response = await invoke(routes, event);

    // Assess
    expect(response.statusCode).toBe(400);
    expect(fieldsOf(problemOf(response))).toEqual(["body.channels.__proto__"]);
    expect(received).toEqual([]);
  });

  it('returns 400 for "false" as a boolean', async () => {
    // Prepare
    const { routes, received } = stubRoutes();

    // Act
    const response = await invoke(
      routes,
      jsonEvent(
        "PUT /v1/me/consents/{purpose}",
        { granted: "false", textVersion: "2026-01" },
        { pathParameters: { purpose: "marketing" } },
      ),
    );

    // Assess
    expect(response.statusCode).toBe(400);
    expect(problemOf(response).errors).toEqual([
      { field: "body.granted", message: "must be true or false (a JSON boolean, not a string)" },
    ]);
    expect(received).toEqual([]);
  });

  it.each([
    ["POST /v1/me/feedback", { rating: "" }, {}, "body.rating", "must be a whole number from 1 to 5"],
    [
      "PATCH /v1/me/preferences",
      { dailyMessageCap: "" },
      { headers: { "if-match": '"v1"' } },
      "body.dailyMessageCap",
      "must be a whole number",
    ],
  ])('returns 400 for "" as a number in %s', async (routeKey, body, options, field, message) => {
    // Prepare
    const { routes, received } = stubRoutes();

    // Act
    const response = await invoke(routes, jsonEvent(routeKey, body, options));

    // Assess
    expect(response.statusCode).toBe(400);
    expect(problemOf(response).errors).toEqual([{ field, message }]);
    expect(received).toEqual([]);
  });

  it("names JSON types with their article", async () => {
    // Prepare
    const { routes } = stubRoutes();

    // Act
    const response = await invoke(
      routes,
      jsonEvent(
        "PATCH /v1/me/preferences",
        { homeLayout: true, channels: 5, quietHours: [] },
        { headers: { "if-match": '"v1"' } },
      ),
    );

    // Assess
    expect(response.statusCode).toBe(400);
    expect(problemOf(response).errors).toEqual([
      { field: "body.quietHours", message: "must be an object, not an array" },
      { field: "body.channels", message: "must be an object, not a number" },
      { field: "body.homeLayout", message: "must be an array, not a boolean" },
    ]);
  });

  it.each([
    [
      { channels: { "balance-low": ["push"] } },
      "body.channels.balance-low",
      `must be an alert id or "offers": ${CHANNEL_KEYS.join(", ")}`,
    ],
    [
      { thresholds: { lowBalance: { XYZ: 100 }, largeTransaction: {} } },
      "body.thresholds.lowBalance.XYZ",
      "must be an active ISO 4217 currency code such as VND",
    ],
  ])("explains an invalid map key with its rule", async (body, field, message) => {
    // Prepare
    const { routes } = stubRoutes();

    // Act
    const response = await invoke(
      routes,
      jsonEvent("PATCH /v1/me/preferences", body, { headers: { "if-match": '"v1"' } }),
    );

    // Assess
    expect(response.statusCode).toBe(400);
    expect(problemOf(response).errors).toEqual([{ field, message }]);
  });

  it("returns 400 for an unexpected query", async () => {
    // Prepare
    const { routes, received } = stubRoutes();

    // Act
    const response = await invoke(
      routes,
      apiEvent("GET /v1/me/preferences", { query: { customerId: "cust-other", fields: "all" } }),
    );

    // Assess
    expect(response.statusCode).toBe(400);
    const problem = problemOf(response);
    expect(problem.detail).toBe("This operation takes no query parameters");
    expect(problem.errors).toEqual([
      { field: "query.customerId", message: "is not a parameter of this operation" },
      { field: "query.fields", message: "is not a parameter of this operation" },
    ]);
    expect(received).toEqual([]);
  });

  it("returns 400 for an unexpected body", async () => {
    // Prepare
    const { routes, received } = stubRoutes();

    // Act
    const response = await invoke(routes, jsonEvent("GET /v1/me/preferences", { language: "en" }));

    // Assess
    expect(response.statusCode).toBe(400);
    expect(problemOf(response).errors).toEqual([{ field: "body", message: "must be empty" }]);
    expect(received).toEqual([]);
  });

  it("returns 400 naming an invalid path parameter", async () => {
    // Prepare
    const { routes, received } = stubRoutes();

    // Act
    const response = await invoke(
      routes,
      jsonEvent(
        "PUT /v1/me/consents/{purpose}",
        { granted: true, textVersion: "2026-01" },
        { pathParameters: { purpose: "profiling" } },
      ),
    );

    // Assess
    expect(response.statusCode).toBe(400);
    expect(problemOf(response).errors).toEqual([
      {
        field: "path.purpose",
        message: "must be one of marketing, personalized_insights, location_based_services",
      },
    ]);
    expect(received).toEqual([]);
  });

  it("returns 428 for PATCH preferences without If-Match", async () => {
    // Prepare
    const { routes, received } = stubRoutes();

    // Act
    const response = await invoke(routes, jsonEvent("PATCH /v1/me/preferences", { language: "en" }));

    // Assess
    expect(response.statusCode).toBe(428);
    const problem = problemOf(response);
    expect(problem.type).toBe("urn:bank-personalization:problem:precondition-required");
    expect(problem.errors).toEqual([
      {
        field: "headers.if-match",
        message: "is missing; send the ETag that GET /v1/me/preferences returned",
      },
    ]);
    expect(received).toEqual([]);
  });

  it("passes If-Match and the parsed body", async () => {
    // Prepare
    const { routes, received } = stubRoutes();

    // Act
    const response = await invoke(
      routes,
      jsonEvent("PATCH /v1/me/preferences", { language: "en" }, { headers: { "if-match": '"v7"' } }),
    );

    // Assess
    expect(response.statusCode).toBe(200);
    expect(received[0]).toMatchObject({ ifMatch: '"v7"', body: { language: "en" } });
  });

  it("hides a route's error behind 500", async () => {
    // Prepare: the error message quotes what a careless dependency might put in it.
    const secretComment = "Số tài khoản 0123456789 của Nguyễn Văn An";
    const routes: Record<string, RouteImplementation> = {
      giveServiceFeedback: async () => {
        throw new Error(`Failed to store feedback "${secretComment}"`);
      },
    };

    // Act
    const response = await invoke(
      routes,
      jsonEvent("POST /v1/me/feedback", { rating: 2, comment: secretComment }),
    );

    // Assess
    expect(response.statusCode).toBe(500);
    const problem = problemOf(response);
    expect(problem).toEqual({
      type: "urn:bank-personalization:problem:internal",
      title: "Internal Server Error",
      status: 500,
      detail: "The request could not be completed; it is safe to retry. Quote the request id to support.",
      instance: "req-1",
    });
    expect(response.body).not.toContain("0123456789");
    const entries = logEntries();
    const failure = entries.find((entry) => entry.message === "Request failed");
    expect(failure).toMatchObject({
      level: "ERROR",
      customerId: CUSTOMER_ID,
      operation: "giveServiceFeedback",
      routeKey: "POST /v1/me/feedback",
      error: { name: "Error" },
    });
    const logged = JSON.stringify(entries);
    expect(logged).not.toContain("0123456789");
    expect(logged).not.toContain("Nguyễn");
    expect(logged).not.toContain("Failed to store feedback");
    expect(logged).not.toContain('"rating"');
  });

  it("logs a rejected request by field names only", async () => {
    // Prepare
    const { routes } = stubRoutes();

    // Act
    const response = await invoke(
      routes,
      jsonEvent("POST /v1/me/feedback", { rating: 9, comment: "Số thẻ 4111111111111111" }),
    );

    // Assess
    expect(response.statusCode).toBe(400);
    const rejected = logEntries().find((entry) => entry.message === "Request rejected");
    expect(rejected).toMatchObject({
      level: "INFO",
      customerId: CUSTOMER_ID,
      status: 400,
      fields: ["body.rating"],
    });
    expect(JSON.stringify(logEntries())).not.toContain("4111111111111111");
  });

  it.each<[string, APIGatewayProxyEventV2WithJWTAuthorizer, number]>([
    ["unknown route", apiEvent("DELETE /v1/me"), 404],
    ["missing sub", apiEvent("GET /v1/me/preferences", { claims: {} }), 401],
    [
      "large body",
      apiEvent("POST /v1/me/feedback", {
        headers: { "content-type": "application/json" },
        body: "x".repeat(MAX_BODY_BYTES + 1),
      }),
      413,
    ],
    [
      "wrong content type",
      apiEvent("POST /v1/me/feedback", { headers: { "content-type": "text/plain" }, body: "5" }),
      415,
    ],
    ["invalid field", jsonEvent("POST /v1/me/feedback", { rating: 0 }), 400],
    ["missing If-Match", jsonEvent("PATCH /v1/me/preferences", { theme: "dark" }), 428],
  ])("answers %s as problem+json", async (_case, event, status) => {
    // Prepare
    const { routes } = stubRoutes();

    // Act
    const response = await invoke(routes, event);

    // Assess
    expect(response.statusCode).toBe(status);
    const problem = problemOf(response);
    expect(problem.status).toBe(status);
    expect(problem.instance).toBe("req-1");
    expect(response.headers?.["x-content-type-options"]).toBe("nosniff");
    for (const error of problem.errors ?? []) {
      expect(error.field).toMatch(/^(body|query|path|headers)(\.|$)/);
      expect(error.message).not.toBe("");
    }
  });
});
