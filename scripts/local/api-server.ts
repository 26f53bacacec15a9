import { randomUUID } from "node:crypto";
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import type {
  APIGatewayProxyEventV2WithJWTAuthorizer,
  APIGatewayProxyStructuredResultV2,
  Context,
} from "aws-lambda";
import { ApiProblem, PROBLEM_CONTENT_TYPE, problemBody, unauthorized } from "../../lambdas/api/problem";
import { type ApiFunction, matchRoute, routeKeyOf } from "../../lambdas/api/routes";
import { lambdaContext } from "./aws-events";
import { type LocalJwtKeys, verifyLocalToken } from "./local-jwt";

/**
 * The customer API on this machine. Each HTTP request becomes the API Gateway HTTP API (payload 2.0)
 * event that API Gateway would send after its JWT authorizer accepted the token, and goes to the same
 * Lambda handler that runs in AWS. Like Lambda, a handler instance serves one request at a time; the
 * server keeps as many instances of a function as it has requests for it in flight.
 */

export type ApiLambdaHandler = (
  event: APIGatewayProxyEventV2WithJWTAuthorizer,
  context: Context,
) => Promise<APIGatewayProxyStructuredResultV2>;

export interface LocalApiOptions {
  readonly host?: string;
  readonly port: number;
  readonly keys: LocalJwtKeys;
  /** Creates a new instance of a function's handler, as a Lambda cold start does. */
  readonly createHandler: (functionName: ApiFunction) => ApiLambdaHandler;
  /** The OpenAPI document served at /openapi.json. */
  readonly openApi: unknown;
  /** Takes events posted to /local/events, which stands in for core banking publishing to the bus. */
  readonly localEvents?: (body: unknown) => Promise<{ status: number; body: unknown }>;
}

export interface LocalApi {
  readonly url: string;
  close(): Promise<void>;
}

/** Bodies larger than this are refused before the handler, as API Gateway refuses payloads over its quota. */
const MAX_REQUEST_BYTES = 1024 * 1024;

class HandlerPool {
  private readonly idle = new Map<ApiFunction, ApiLambdaHandler[]>();

  constructor(private readonly create: (functionName: ApiFunction) => ApiLambdaHandler) {}

  async invoke(
    functionName: ApiFunction,
    event: APIGatewayProxyEventV2WithJWTAuthorizer,
  ): Promise<APIGatewayProxyStructuredResultV2> {
    const idle = this.idle.get(functionName) ?? [];
    this.idle.set(functionName, idle);
    const handler = idle.pop() ?? this.create(functionName);
    try {
      return await handler(event, lambdaContext(`personalization-api-${functionName}`));
    } finally {
      idle.push(handler);
    }
  }
}

function sendProblem(response: ServerResponse, problem: ApiProblem, instance: string): void {
  response.writeHead(problem.status, {
    "content-type": PROBLEM_CONTENT_TYPE,
    "cache-control": "no-store",
    ...problem.headers,
  });
  response.end(JSON.stringify(problemBody(problem, instance)));
}

/**
 * Reads the request body. One larger than MAX_REQUEST_BYTES is rejected with a 413 that closes the
 * connection, because the rest of that body is never read.
 */
function readBody(request: IncomingMessage): Promise<Buffer> {
  return new Promise((resolvePromise, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const onData = (chunk: Buffer) => {
      size += chunk.length;
      if (size <= MAX_REQUEST_BYTES) {
        chunks.push(chunk);
        return;
      }
      // Pausing keeps the socket open for the 413. Breaking out of a for await loop would destroy the
      // stream and its socket before the 413 is written, and clients then got no response or a reset.
      request.off("data", onData);
      request.pause();
      const message = `The request is larger than ${MAX_REQUEST_BYTES} bytes`;
      reject(new ApiProblem(413, "Payload Too Large", message, [], { connection: "close" }));
    };
    request.on("data", onData);
    request.once("end", () => resolvePromise(Buffer.concat(chunks)));
    request.once("error", reject);
  });
}

/** Header values as API Gateway passes them: lower-case names, repeated values joined by commas. */
function headersOf(request: IncomingMessage): Record<string, string> {
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(request.headersDistinct)) {
    if (value && name !== "cookie") headers[name] = value.join(",");
  }
  return headers;
}

/** Claims as API Gateway's JWT authorizer passes them: every value as a string. */
function claimsOf(payload: Record<string, unknown>): Record<string, string | number | boolean | string[]> {
  return Object.fromEntries(
    Object.entries(payload).map(([name, value]) => [
      name,
      typeof value === "string" ? value : JSON.stringify(value),
    ]),
  );
}

async function bearerClaims(
  keys: LocalJwtKeys,
  authorization: string | undefined,
): Promise<Record<string, unknown>> {
  const token = /^Bearer\s+(\S+)$/i.exec(authorization ?? "")?.[1];
  if (!token) throw unauthorized("Send an access token: Authorization: Bearer <token> (npm run dev-token)");
  try {
    return await verifyLocalToken(keys, token);
  } catch (error) {
    const reason = error instanceof Error ? error.message : "the token is not valid";
    throw unauthorized(`The access token was refused: ${reason}`);
  }
}

function isTextual(contentType: string | undefined): boolean {
  return contentType === undefined || /^(text\/|application\/([\w.+-]*\+)?json)/i.test(contentType);
}

export async function startLocalApi(options: LocalApiOptions): Promise<LocalApi> {
  const pool = new HandlerPool(options.createHandler);
  const host = options.host ?? "127.0.0.1";

  async function serve(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const requestId = randomUUID();
    let url: URL;
    try {
      url = new URL(request.url ?? "/", "http://localhost");
    } catch {
      // A target that starts with "//" is read as a host name, and an invalid one such as "//%" throws.
      sendProblem(response, new ApiProblem(400, "Bad Request", "The request path is not valid"), requestId);
      return;
    }
    const method = request.method ?? "GET";
    try {
      if (url.pathname === "/openapi.json" && method === "GET") {
        response.writeHead(200, { "content-type": "application/json; charset=utf-8" });
        response.end(JSON.stringify(options.openApi, null, 2));
        return;
      }
      if (url.pathname === "/local/events" && options.localEvents) {
        if (method !== "POST") {
          throw new ApiProblem(405, "Method Not Allowed", "/local/events takes POST", [], { allow: "POST" });
        }
        let posted: unknown;
        try {
          posted = JSON.parse((await readBody(request)).toString("utf8"));
        } catch (error) {
          if (error instanceof ApiProblem) throw error;
          throw new ApiProblem(
            400,
            "Bad Request",
            "Post a TransactionPosted event, or an array of them, as JSON",
          );
        }
        const result = await options.localEvents(posted);
        response.writeHead(result.status, { "content-type": "application/json; charset=utf-8" });
        response.end(`${JSON.stringify(result.body, null, 2)}\n`);
        return;
      }
      let match: ReturnType<typeof matchRoute>;
      try {
        match = matchRoute(method, url.pathname);
      } catch {
        throw new ApiProblem(400, "Bad Request", "The path is not valid percent-encoded UTF-8");
      }
      if (!match) throw new ApiProblem(404, "Not Found", `No route ${url.pathname}; see /openapi.json`);
      if ("allowed" in match) {
        throw new ApiProblem(
          405,
          "Method Not Allowed",
          `${url.pathname} takes ${match.allowed.join(", ")}, not ${method}`,
          [],
          { allow: match.allowed.join(", ") },
        );
      }
      const headers = headersOf(request);
      const body = await readBody(request);
      const claims = await bearerClaims(options.keys, headers.authorization);
      const now = new Date();
      const query = new Map<string, string[]>();
      for (const [name, value] of url.searchParams) query.set(name, [...(query.get(name) ?? []), value]);
      const textual = isTextual(headers["content-type"]);
      const event: APIGatewayProxyEventV2WithJWTAuthorizer = {
        version: "2.0",
        routeKey: routeKeyOf(match.route),
        rawPath: url.pathname,
        rawQueryString: url.search.slice(1),
        headers,
        ...(query.size > 0 && {
          queryStringParameters: Object.fromEntries(
            [...query].map(([name, values]) => [name, values.join(",")]),
          ),
        }),
        ...(Object.keys(match.params).length > 0 && { pathParameters: match.params }),
        requestContext: {
          accountId: "000000000000",
          apiId: "local",
          authorizer: {
            principalId: "",
            integrationLatency: 0,
            jwt: { claims: claimsOf(claims), scopes: [] },
          },
          domainName: host,
          domainPrefix: "local",
          http: {
            method,
            path: url.pathname,
            protocol: `HTTP/${request.httpVersion}`,
            sourceIp: request.socket.remoteAddress ?? "127.0.0.1",
            userAgent: headers["user-agent"] ?? "",
          },
          requestId,
          routeKey: routeKeyOf(match.route),
          stage: "$default",
          time: now.toISOString(),
          timeEpoch: now.getTime(),
        },
        ...(body.length > 0 && { body: textual ? body.toString("utf8") : body.toString("base64") }),
        isBase64Encoded: body.length > 0 && !textual,
      };
      const result = await pool.invoke(match.route.function, event);
      response.writeHead(result.statusCode ?? 200, {
        ...Object.fromEntries(
          Object.entries(result.headers ?? {}).map(([name, value]) => [name, String(value)]),
        ),
        "x-request-id": requestId,
      });
      response.end(result.isBase64Encoded ? Buffer.from(result.body ?? "", "base64") : (result.body ?? ""));
    } catch (error) {
      if (error instanceof ApiProblem) {
        sendProblem(response, error, requestId);
        return;
      }
      // The handlers answer every failure themselves; reaching this is a fault of the local server.
      console.error(
        `Local API: ${method} ${url.pathname} failed: ${error instanceof Error ? error.name : "error"}`,
      );
      sendProblem(
        response,
        new ApiProblem(500, "Internal Server Error", "The local server failed"),
        requestId,
      );
    }
  }

  const server: Server = createServer((request, response) => {
    void serve(request, response);
  });
  await new Promise<void>((resolvePromise, reject) => {
    server.once("error", reject);
    server.listen(options.port, host, () => resolvePromise());
  });
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://${host}:${port}`,
    close: () =>
      new Promise<void>((resolvePromise) => {
        server.closeAllConnections();
        server.close(() => resolvePromise());
      }),
  };
}
