import { GetCommand, PutCommand } from "@aws-sdk/lib-dynamodb";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  CUSTOMER_SORT_KEYS,
  consentsToItem,
  customerItemKey,
} from "../../lambdas/adapters/dynamodb/customer-items";
import { type SeedCustomer, seedCustomers } from "../../scripts/local/seed";
import { createLocalTable, type LocalTable } from "../helpers/local-table";

let table: LocalTable;

beforeAll(async () => {
  table = await createLocalTable("seed");
});

afterAll(async () => {
  await table.drop();
});

const CUSTOMER: SeedCustomer = {
  customerId: "seed-an",
  preferences: { language: "vi" },
  consents: ["marketing"],
  email: true,
};

async function storedItem(sortKey: string): Promise<Record<string, unknown> | undefined> {
  const { Item } = await table.documentClient.send(
    new GetCommand({
      TableName: table.tableName,
      Key: customerItemKey(CUSTOMER.customerId, sortKey),
      ConsistentRead: true,
    }),
  );
  return Item;
}

describe("seedCustomers", () => {
  it("keeps consents and preferences the customer changed since", async () => {
    // Prepare: a first start seeds the customer, who then withdraws marketing consent.
    await seedCustomers(table.documentClient, table.tableName, [CUSTOMER], new Date("2026-12-01T00:00:00Z"));
    const withdrawn = consentsToItem(
      CUSTOMER.customerId,
      { marketing: { granted: false, at: "2026-12-02T00:00:00Z", textVersion: "2026-01" } },
      2,
    );
    await table.documentClient.send(new PutCommand({ TableName: table.tableName, Item: withdrawn }));
    const preferencesBefore = await storedItem(CUSTOMER_SORT_KEYS.preferences);

    // Act: a second start on the same data.
    await seedCustomers(table.documentClient, table.tableName, [CUSTOMER], new Date("2026-12-03T00:00:00Z"));

    // Assess
    expect(await storedItem(CUSTOMER_SORT_KEYS.consents)).toEqual(withdrawn);
    expect(await storedItem(CUSTOMER_SORT_KEYS.preferences)).toEqual(preferencesBefore);
    expect(await storedItem(CUSTOMER_SORT_KEYS.contact)).toMatchObject({ email: "seed-an@example.invalid" });
  });
});
