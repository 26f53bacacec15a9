import { ConditionalCheckFailedException } from "@aws-sdk/client-dynamodb";
import { BatchWriteCommand, type DynamoDBDocumentClient, PutCommand } from "@aws-sdk/lib-dynamodb";
import {
  CUSTOMER_SORT_KEYS,
  consentsToItem,
  customerItemKey,
  preferencesToItem,
} from "../../lambdas/adapters/dynamodb/customer-items";
import { customerPartitionKey } from "../../lambdas/adapters/dynamodb/keys";
import { deviceSortKey } from "../../lambdas/adapters/dynamodb/recipient-store";
import type { ConsentPurpose, Consents } from "../../lambdas/domain/consents";
import { defaultPreferences, type Preferences } from "../../lambdas/domain/preferences";
import type { DevicePlatform } from "../../lambdas/ports/delivery";

/**
 * Customer settings the local runtime writes before a replay, standing in for what customers set in
 * the app and the bank provisions: preferences, consents, e-mail addresses and push devices. Every
 * address is under example.invalid and every token is made up, so nothing could reach a real person.
 */
export interface SeedCustomer {
  readonly customerId: string;
  readonly preferences?: Partial<Preferences>;
  readonly consents?: readonly ConsentPurpose[];
  readonly devices?: ReadonlyArray<{ deviceId: string; platform: DevicePlatform; token: string }>;
  readonly email?: boolean;
  /** Name the app greets the customer by, which the bank provisions with the contact details. */
  readonly displayName?: string;
}

/** Version of the consent text the demo customers accepted. */
const DEMO_CONSENT_TEXT_VERSION = "2026-01";

/** The demo customers' settings, chosen so that the demo shows each rule and each suppression. */
export const DEMO_CUSTOMERS: readonly SeedCustomer[] = [
  {
    customerId: "demo-an",
    displayName: "An",
    consents: ["marketing", "personalized_insights"],
    devices: [{ deviceId: "an-iphone", platform: "ios", token: "local-an-iphone" }],
    email: true,
  },
  {
    customerId: "demo-binh",
    displayName: "Bình",
    consents: ["marketing", "personalized_insights", "location_based_services"],
    devices: [{ deviceId: "binh-android", platform: "android", token: "local-binh-android" }],
    email: true,
  },
  {
    // No consent at all: service alerts only, and no offers.
    customerId: "demo-chi",
    displayName: "Chi",
    preferences: { quietHours: { start: "23:00", end: "06:30" } },
    devices: [{ deviceId: "chi-android", platform: "android", token: "local-chi-android" }],
    email: true,
  },
  {
    customerId: "demo-dung",
    displayName: "Dũng",
    consents: ["marketing"],
    preferences: { channels: { "low-balance": ["inbox"], offers: ["inbox", "email"] } },
    devices: [
      { deviceId: "dung-android", platform: "android", token: "local-dung-android" },
      { deviceId: "dung-old-ipad", platform: "ios", token: "invalid-dung-old-ipad" },
    ],
    email: true,
  },
  {
    customerId: "demo-emma",
    displayName: "Emma",
    consents: ["marketing", "personalized_insights", "location_based_services"],
    preferences: { language: "en", quietHours: { start: "22:30", end: "07:30" } },
    devices: [{ deviceId: "emma-iphone", platform: "ios", token: "local-emma-iphone" }],
    email: true,
  },
];

function consentsOf(purposes: readonly ConsentPurpose[], at: string): Consents {
  return Object.fromEntries(
    purposes.map((purpose) => [purpose, { granted: true, at, textVersion: DEMO_CONSENT_TEXT_VERSION }]),
  );
}

function itemsOf(customer: SeedCustomer, at: Date): Record<string, unknown>[] {
  const items: Record<string, unknown>[] = [];
  if (customer.preferences) {
    items.push(
      preferencesToItem(customer.customerId, { ...defaultPreferences(), ...customer.preferences }, 1, at),
    );
  }
  if (customer.consents && customer.consents.length > 0) {
    items.push(consentsToItem(customer.customerId, consentsOf(customer.consents, at.toISOString()), 1));
  }
  if (customer.email) {
    items.push({
      ...customerItemKey(customer.customerId, CUSTOMER_SORT_KEYS.contact),
      email: `${customer.customerId}@example.invalid`,
      ...(customer.displayName && { displayName: customer.displayName }),
    });
  }
  for (const device of customer.devices ?? []) {
    items.push({
      PK: customerPartitionKey(customer.customerId),
      SK: deviceSortKey(device.deviceId),
      ...device,
      active: true,
      registeredAt: at.toISOString(),
    });
  }
  return items;
}

/** Sort keys of the items a customer changes through the API, which a later start must keep. */
const CUSTOMER_OWNED: ReadonlySet<string> = new Set([
  CUSTOMER_SORT_KEYS.preferences,
  CUSTOMER_SORT_KEYS.consents,
]);

/**
 * Writes the customers' settings. Preferences and consents are written only where the customer has
 * none yet, so that a start on kept data does not undo what the customer changed through the API.
 * The other items go 25 per BatchWriteItem call, resending unprocessed items.
 */
export async function seedCustomers(
  client: DynamoDBDocumentClient,
  tableName: string,
  customers: readonly SeedCustomer[],
  at: Date,
): Promise<number> {
  const all = customers.flatMap((customer) => itemsOf(customer, at));
  for (const item of all.filter((candidate) => CUSTOMER_OWNED.has(String(candidate.SK)))) {
    try {
      await client.send(
        new PutCommand({ TableName: tableName, Item: item, ConditionExpression: "attribute_not_exists(PK)" }),
      );
    } catch (error) {
      if (!(error instanceof ConditionalCheckFailedException)) throw error;
    }
  }
  const items = all.filter((candidate) => !CUSTOMER_OWNED.has(String(candidate.SK)));
  for (let start = 0; start < items.length; start += 25) {
    let request: Record<string, Array<{ PutRequest: { Item: Record<string, unknown> } }>> | undefined = {
      [tableName]: items.slice(start, start + 25).map((Item) => ({ PutRequest: { Item } })),
    };
    while (request && Object.keys(request).length > 0) {
      const response = await client.send(new BatchWriteCommand({ RequestItems: request }));
      request = response.UnprocessedItems as typeof request;
    }
  }
  return all.length;
}

/**
 * Settings for customers of imported data, who have none: an e-mail address and one device each,
 * default preferences, and no consents, as for any customer who never answered.
 */
export function recipientsFor(customerIds: Iterable<string>): SeedCustomer[] {
  return [...customerIds].map((customerId) => ({
    customerId,
    devices: [{ deviceId: "phone", platform: "android", token: `local-${customerId}` }],
    email: true,
  }));
}
