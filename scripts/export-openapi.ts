import { readFileSync, writeFileSync } from "node:fs";
import { openApiDocument } from "../lambdas/api/openapi";

/** Where channel-app developers find the API's contract; a test fails when it differs from the routes. */
export const OPENAPI_PATH = "docs/openapi.json";

export function renderOpenApi(): string {
  const { version } = JSON.parse(readFileSync("package.json", "utf8")) as { version: string };
  return `${JSON.stringify(openApiDocument({ version, serverUrl: "http://127.0.0.1:3000" }), null, 2)}\n`;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  writeFileSync(OPENAPI_PATH, renderOpenApi());
  console.log(`Wrote ${OPENAPI_PATH}`);
}
