import * as z from "zod/mini";
import { MAX_BODY_BYTES } from "./http";
import { RESPONSE_REGISTRY } from "./responses";
import { ROUTES, type RouteDefinition } from "./routes";

/**
 * Generates the OpenAPI 3.1 document of the customer API from the routes and the zod schemas the
 * handlers validate with, so the document cannot drift from what the API accepts and returns.
 */

type JsonSchema = Record<string, unknown>;

function jsonSchemaOf(schema: z.ZodMiniType, io: "input" | "output"): JsonSchema {
  const { $schema: _dialect, ...rest } = z.toJSONSchema(schema, {
    target: "draft-2020-12",
    io,
    unrepresentable: "any",
  }) as JsonSchema;
  return rest;
}

/** The named response schemas, each referring to the others by `#/components/schemas/<name>`. */
function componentSchemas(): Record<string, JsonSchema> {
  const { schemas } = z.toJSONSchema(RESPONSE_REGISTRY, {
    target: "draft-2020-12",
    io: "output",
    unrepresentable: "any",
    uri: (id) => `#/components/schemas/${id}`,
  }) as { schemas: Record<string, JsonSchema> };
  return Object.fromEntries(
    Object.entries(schemas).map(([name, { $schema: _dialect, $id: _id, ...schema }]) => [name, schema]),
  );
}

const PROBLEM_SCHEMA: JsonSchema = {
  type: "object",
  description: "An RFC 9457 problem; `errors` names each invalid field and what to send instead.",
  required: ["type", "title", "status", "detail"],
  properties: {
    type: { type: "string", description: "A URN naming the kind of problem" },
    title: { type: "string" },
    status: { type: "integer" },
    detail: { type: "string", description: "What went wrong and how to fix it" },
    instance: { type: "string", description: "The request id, to quote to support" },
    errors: {
      type: "array",
      items: {
        type: "object",
        required: ["field", "message"],
        properties: {
          field: { type: "string", examples: ["body.quietHours.start", "query.month"] },
          message: { type: "string" },
        },
      },
    },
  },
};

function problemResponse(description: string) {
  return {
    description,
    content: { "application/problem+json": { schema: { $ref: "#/components/schemas/Problem" } } },
  };
}

function parametersOf(route: RouteDefinition): JsonSchema[] {
  const parameters: JsonSchema[] = [];
  for (const [name, schema] of Object.entries(route.params ?? {})) {
    parameters.push({ name, in: "path", required: true, schema: jsonSchemaOf(schema, "input") });
  }
  if (route.query) {
    const query = jsonSchemaOf(route.query, "input");
    const required = new Set((query.required as string[] | undefined) ?? []);
    for (const [name, schema] of Object.entries((query.properties as Record<string, JsonSchema>) ?? {})) {
      parameters.push({ name, in: "query", required: required.has(name), schema });
    }
  }
  if (route.ifMatch) {
    parameters.push({
      name: "If-Match",
      in: "header",
      required: true,
      description: "The ETag of the preferences this change was made on, from GET /v1/me/preferences",
      schema: { type: "string", examples: ['"v3"'] },
    });
  }
  return parameters;
}

function operationOf(route: RouteDefinition): JsonSchema {
  const responses: Record<string, unknown> = {};
  const { success } = route;
  responses[String(success.status)] = {
    description: success.description,
    ...(route.path === "/v1/me/preferences" && {
      headers: { ETag: { description: "The version to send in If-Match", schema: { type: "string" } } },
    }),
    ...(success.schema && {
      content: { "application/json": { schema: { $ref: `#/components/schemas/${success.schema}` } } },
    }),
  };
  responses["400"] = problemResponse("A field is invalid; `errors` names it and the fix");
  responses["401"] = problemResponse("The access token is missing, expired or not valid");
  if (route.params) responses["404"] = problemResponse("The customer has no such item");
  if (route.ifMatch) {
    responses["412"] = problemResponse("The preferences changed since they were read; read them again");
    responses["428"] = problemResponse("If-Match is missing");
  }
  if (route.body) {
    responses["413"] = problemResponse(`The body is larger than ${MAX_BODY_BYTES} bytes`);
    responses["415"] = problemResponse("The body is not sent as application/json");
  }
  responses["500"] = problemResponse("The request failed; it is safe to retry");
  return {
    operationId: route.operationId,
    summary: route.summary,
    tags: [route.function],
    ...(parametersOf(route).length > 0 && { parameters: parametersOf(route) }),
    ...(route.body && {
      requestBody: {
        required: true,
        content: { "application/json": { schema: jsonSchemaOf(route.body, "input") } },
      },
    }),
    responses,
  };
}

export interface OpenApiOptions {
  readonly version: string;
  readonly serverUrl?: string;
}

export function openApiDocument(options: OpenApiOptions): JsonSchema {
  const paths: Record<string, Record<string, unknown>> = {};
  for (const route of ROUTES) {
    const path = paths[route.path] ?? {};
    path[route.method.toLowerCase()] = operationOf(route);
    paths[route.path] = path;
  }
  return {
    openapi: "3.1.0",
    info: {
      title: "Bank personalization customer API",
      version: options.version,
      description:
        "Preferences, consents, insights, offers, the notification inbox and the home screen of the " +
        "signed-in customer. The customer is always the access token's `sub`; no operation takes a " +
        "customer id. Errors are `application/problem+json`. Money is minor units, a currency and text " +
        "formatted for the customer's language.",
      license: { name: "MIT", identifier: "MIT" },
    },
    ...(options.serverUrl && { servers: [{ url: options.serverUrl }] }),
    security: [{ bearer: [] }],
    tags: [
      { name: "settings", description: "Preferences, devices, consents and service feedback" },
      { name: "insights", description: "Insights, the home screen and tips before a payment" },
      { name: "offers", description: "Ranked offers and the customer's answers to them" },
      { name: "inbox", description: "The notification inbox" },
    ],
    paths,
    components: {
      securitySchemes: {
        bearer: {
          type: "http",
          scheme: "bearer",
          bearerFormat: "JWT",
          description: "An access token from the bank's identity provider; its `sub` is the customer id",
        },
      },
      schemas: {
        Problem: PROBLEM_SCHEMA,
        ...componentSchemas(),
      },
    },
  };
}
