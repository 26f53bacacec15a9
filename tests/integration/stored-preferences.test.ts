import { Logger } from "@aws-lambda-powertools/logger";
import { PutCommand } from "@aws-sdk/lib-dynamodb";
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from "vitest";
import { preferencesToItem } from "../../lambdas/adapters/dynamodb/customer-items";
import { defaultPreferences } from "../../lambdas/domain/preferences";
import { cardEvent, createHarness } from "../helpers/ingest-harness";
import { createLocalTable, type LocalTable } from "../helpers/local-table";

let table: LocalTable;

beforeAll(async () => {
  table = await createLocalTable("prefs");
});

afterAll(async () => {
  await table.drop();
});

afterEach(() => {
  vi.restoreAllMocks();
});

/** Stores a preferences item in English whose time zone and quiet hours no API call would accept. */
async function storeInvalidPreferences(customerId: string): Promise<void> {
  const item = {
    ...preferencesToItem(customerId, { ...defaultPreferences(), language: "en" }, 3, new Date()),
    timeZone: "Asia/Saigon_Old",
    quietHours: { start: "22:00", end: "7" },
  };
  await table.documentClient.send(new PutCommand({ TableName: table.tableName, Item: item }));
}

/** A card debit of 200 000 VND that leaves 400 000 VND, below the default low balance. */
function lowBalanceEvent(customerId: string, transactionId: string) {
  return cardEvent(`event-${transactionId}`, {
    customerId,
    transactionId,
    amount: "200000",
    balanceAfter: "400000",
  });
}

describe("ingest with invalid stored preferences", () => {
  it("applies the customer's transactions", async () => {
    // Prepare
    const customerId = "it-bad-prefs";
    await storeInvalidPreferences(customerId);
    const harness = createHarness(table, { MAX_EVENT_AGE_HOURS: "0" });

    // Act
    const response = await harness.deliver([lowBalanceEvent(customerId, "bad-prefs-tx-1")]);

    // Assess
    expect(response.batchItemFailures).toEqual([]);
    const [outcome] = harness.outcomes;
    expect(outcome?.kind).toBe("applied");
    if (outcome?.kind !== "applied") return;
    expect(outcome.decisions.map((decision) => decision.ruleId)).toEqual(["low-balance"]);
    expect(outcome.decisions[0]?.language).toBe("en");
    expect(outcome.decisions[0]?.text.title).toBe("Low balance");
  });

  it("logs the replaced field names", async () => {
    // Prepare
    const customerId = "it-bad-prefs-logged";
    await storeInvalidPreferences(customerId);
    const harness = createHarness(table, { MAX_EVENT_AGE_HOURS: "0" });
    const warn = vi.spyOn(Logger.prototype, "warn");

    // Act
    await harness.deliver([lowBalanceEvent(customerId, "bad-prefs-tx-2")]);
    await harness.deliver([lowBalanceEvent(customerId, "bad-prefs-tx-3")]);

    // Assess
    const warnings = warn.mock.calls.filter(([message]) => String(message).startsWith("Stored preferences"));
    expect(warnings).toHaveLength(1);
    expect(warnings[0]?.[1]).toEqual({ customerId, fields: ["timeZone", "quietHours"] });
    expect(JSON.stringify(warnings)).not.toContain("Asia/Saigon_Old");
  });
});
