import { spawn } from "node:child_process";
import { randomUUID } from "node:crypto";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import {
  CreateTableCommand,
  DeleteTableCommand,
  DynamoDBClient,
  waitUntilTableExists,
} from "@aws-sdk/client-dynamodb";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { TABLE_DEFINITION } from "../../lambdas/adapters/dynamodb/table-definition";
import { LOCAL_CREDENTIALS, LOCAL_REGION } from "../../scripts/local/dynamodb-local";
import { createTableInput } from "../../scripts/local/table";

/** How long `npm start` may take to fail; it used to keep printing its progress bar forever. */
const EXIT_TIMEOUT_MS = 90_000;

const endpoint = inject("dynamoDbEndpoint");
const client = new DynamoDBClient({ endpoint, region: LOCAL_REGION, credentials: LOCAL_CREDENTIALS });
const tableName = `start-errors-${randomUUID().slice(0, 8)}`;
const folder = mkdtempSync(join(tmpdir(), "start-errors-"));

beforeAll(async () => {
  // The table lacks the due-payment index, so the first reminder run of the replay fails.
  const input = createTableInput(tableName);
  const keys = new Set<string>([TABLE_DEFINITION.partitionKey.name, TABLE_DEFINITION.sortKey.name]);
  await client.send(
    new CreateTableCommand({
      ...input,
      GlobalSecondaryIndexes: undefined,
      AttributeDefinitions: input.AttributeDefinitions?.filter((attribute) =>
        keys.has(String(attribute.AttributeName)),
      ),
    }),
  );
  await waitUntilTableExists({ client, maxWaitTime: 60 }, { TableName: tableName });
});

afterAll(async () => {
  await client.send(new DeleteTableCommand({ TableName: tableName }));
  client.destroy();
  rmSync(folder, { recursive: true, force: true });
});

/** Runs `npm start` with `args` and returns its exit code (null when it was killed) and stderr. */
function runStart(args: readonly string[]): Promise<{ code: number | null; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ["--import", "tsx", "scripts/start.ts", ...args], {
      env: { ...process.env, AWS_ENDPOINT_URL_DYNAMODB: endpoint, POWERTOOLS_LOG_LEVEL: "SILENT" },
      stdio: ["ignore", "ignore", "pipe"],
    });
    let stderr = "";
    child.stderr.on("data", (chunk: Buffer) => {
      stderr += chunk.toString();
    });
    const timer = setTimeout(() => child.kill("SIGKILL"), EXIT_TIMEOUT_MS);
    child.on("exit", (code) => {
      clearTimeout(timer);
      resolve({ code, stderr });
    });
  });
}

describe("npm start", () => {
  it(
    "exits after a replay error",
    async () => {
      // Prepare
      const events = ["2026-03-01", "2026-03-02"].map((date, index) =>
        JSON.stringify({
          schemaVersion: "1.0",
          transactionId: `start-error-${index}`,
          customerId: "start-error-customer",
          accountId: "start-error-account",
          bookingTime: `${date}T12:00:00+07:00`,
          amount: "65000",
          currency: "VND",
          direction: "debit",
          balanceAfter: String(10_000_000 - index * 65_000),
          channel: "card",
        }),
      );
      const input = join(folder, "events.jsonl");
      writeFileSync(input, `${events.join("\n")}\n`);

      // Act
      const { code, stderr } = await runStart([
        "--exit",
        "--input",
        input,
        "--table",
        tableName,
        "--outbox-dir",
        join(folder, "outbox"),
      ]);

      // Assess
      expect(code).toBe(1);
      expect(stderr).toMatch(/Error: The replay stopped after \d+ of 2 events: /);
    },
    EXIT_TIMEOUT_MS + 30_000,
  );
});
