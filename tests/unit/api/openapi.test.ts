import { readFileSync } from "node:fs";
import { Validator } from "@seriousme/openapi-schema-validator";
import { describe, expect, it } from "vitest";
import { openApiDocument } from "../../../lambdas/api/openapi";
import { RESPONSE_SCHEMAS } from "../../../lambdas/api/responses";
import { ROUTES } from "../../../lambdas/api/routes";
import { OPENAPI_PATH, renderOpenApi } from "../../../scripts/export-openapi";

interface Operation {
  operationId: string;
  parameters?: Array<{ name: string; in: string; required: boolean }>;
  requestBody?: { required: boolean; content: Record<string, unknown> };
  responses: Record<string, { content?: Record<string, { schema: { $ref: string } }> }>;
}

type Paths = Record<string, Record<string, Operation>>;

function documentOf() {
  return openApiDocument({ version: "0.1.0", serverUrl: "http://127.0.0.1:3000" });
}

function operationOf(paths: Paths, method: string, path: string): Operation | undefined {
  return paths[path]?.[method.toLowerCase()];
}

describe("openApiDocument", () => {
  it("is a valid OpenAPI 3.1 document", async () => {
    // Prepare
    const validator = new Validator();

    // Act
    const result = await validator.validate(structuredClone(documentOf()));

    // Assess
    expect(result.errors).toBeUndefined();
    expect(result.valid).toBe(true);
    expect(validator.version).toBe("3.1");
  });

  it("has every route with its operationId", () => {
    // Act
    const paths = documentOf().paths as Paths;

    // Assess
    for (const route of ROUTES) {
      expect(operationOf(paths, route.method, route.path)?.operationId, `${route.method} ${route.path}`).toBe(
        route.operationId,
      );
    }
    const operations = Object.values(paths).flatMap((methods) => Object.values(methods));
    expect(operations).toHaveLength(ROUTES.length);
    expect(new Set(operations.map((operation) => operation.operationId)).size).toBe(ROUTES.length);
  });

  it("describes each route's contract", () => {
    // Act
    const document = documentOf();
    const paths = document.paths as Paths;
    const schemas = (document.components as { schemas: Record<string, unknown> }).schemas;

    // Assess
    for (const route of ROUTES) {
      const operation = operationOf(paths, route.method, route.path);
      const success = operation?.responses[String(route.success.status)];
      expect(success, route.operationId).toBeDefined();
      if (route.success.schema) {
        expect(Object.keys(RESPONSE_SCHEMAS)).toContain(route.success.schema);
        expect(success?.content?.["application/json"]?.schema.$ref).toBe(
          `#/components/schemas/${route.success.schema}`,
        );
        expect(schemas[route.success.schema], route.success.schema).toBeDefined();
      } else {
        expect(success?.content, route.operationId).toBeUndefined();
      }
      const pathNames = (operation?.parameters ?? []).filter((parameter) => parameter.in === "path");
      expect(pathNames.map((parameter) => parameter.name).sort()).toEqual(
        Object.keys(route.params ?? {}).sort(),
      );
      expect(operation?.requestBody !== undefined, route.operationId).toBe(route.body !== undefined);
      const ifMatch = operation?.parameters?.find((parameter) => parameter.name === "If-Match");
      expect(ifMatch?.required === true, route.operationId).toBe(route.ifMatch === true);
      expect(operation?.responses["401"], route.operationId).toBeDefined();
    }
  });
});

describe(OPENAPI_PATH, () => {
  it("equals the document generated from the routes", () => {
    // Act
    const committed = readFileSync(OPENAPI_PATH, "utf8");

    // Assess
    expect(committed, `${OPENAPI_PATH} is out of date: run npm run openapi and commit the result`).toBe(
      renderOpenApi(),
    );
  });
});
