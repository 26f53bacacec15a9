import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { Ajv2020 } from "ajv/dist/2020.js";
import { describe, expect, it } from "vitest";
import {
  renderTransactionPostedSchema,
  TRANSACTION_POSTED_SCHEMA_PATH,
} from "../../../scripts/export-schema";

function details(folder: string): Array<[string, unknown]> {
  return readdirSync(folder)
    .filter((name) => name.endsWith(".json"))
    .map((name) => [
      name,
      (JSON.parse(readFileSync(join(folder, name), "utf8")) as { detail: unknown }).detail,
    ]);
}

describe("TransactionPosted JSON Schema", () => {
  const schema = JSON.parse(renderTransactionPostedSchema()) as Record<string, unknown>;
  const validate = new Ajv2020({ allErrors: true, strict: false }).compile(schema);

  it("matches the committed file", () => {
    expect(readFileSync(TRANSACTION_POSTED_SCHEMA_PATH, "utf8")).toBe(renderTransactionPostedSchema());
  });

  it.each(details("events"))("accepts the sample %s", (_name, detail) => {
    expect(validate(detail), JSON.stringify(validate.errors)).toBe(true);
  });

  it.each(details(join("events", "invalid")).filter(([name]) => name !== "vnd-with-decimals.json"))(
    "rejects the invalid sample %s",
    (_name, detail) => {
      expect(validate(detail)).toBe(false);
    },
  );

  it("leaves currency exponents to the prose, which the zod schema enforces", () => {
    const detail = details(join("events", "invalid")).find(
      ([name]) => name === "vnd-with-decimals.json",
    )?.[1];
    expect(validate(detail)).toBe(true);
    expect(String(schema.description)).toContain("VND 0");
  });
});
