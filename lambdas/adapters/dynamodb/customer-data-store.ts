import { randomUUID } from "node:crypto";
import { ConditionalCheckFailedException, TransactionCanceledException } from "@aws-sdk/client-dynamodb";
import {
  BatchGetCommand,
  DeleteCommand,
  type DynamoDBDocumentClient,
  GetCommand,
  PutCommand,
  QueryCommand,
  TransactWriteCommand,
  UpdateCommand,
} from "@aws-sdk/lib-dynamodb";
import * as z from "zod/mini";
import { addDays } from "../../domain/calendar";
import type { ConsentPurpose, ConsentRecord, Consents } from "../../domain/consents";
import type { Preferences } from "../../domain/preferences";
import { type CustomerProfile, emptyProfile, type MonthAggregate } from "../../domain/profile";
import {
  type CustomerDataStore,
  type InboxPage,
  InvalidCursorError,
  type OfferFeedback,
  type OfferFeedbackRecord,
  type ServiceFeedback,
  type StoredOffer,
  VersionConflictError,
} from "../../ports/customer-data";
import type { DevicePlatform } from "../../ports/delivery";
import {
  CUSTOMER_SORT_KEYS,
  consentsFromItem,
  consentsToItem,
  customerItemKey,
  offerFeedbackFromItem,
  preferencesFromItem,
  preferencesToItem,
} from "./customer-items";
import { customerPartitionKey, dueSortKey, monthSortKey, offerSortKey } from "./keys";
import { dueEntryFromItem, dueEntryToItem, monthFromItem, profileFromItem, profileKey } from "./ledger-items";
import { deviceSortKey, INBOX_SORT_KEY_PREFIX, inboxSortKey } from "./recipient-store";

const OFFER_FEEDBACK_SORT_KEY = CUSTOMER_SORT_KEYS.offerFeedback;
const CONSENT_EVIDENCE_PREFIX = "CONSENT_EVIDENCE#";
const SERVICE_FEEDBACK_PREFIX = "FEEDBACK#";
/** Days consent evidence is kept: longer than any dispute window for marketing complaints. */
const CONSENT_EVIDENCE_RETENTION_DAYS = 365 * 5;

const OfferItemSchema = z.object({
  offerId: z.string(),
  ruleId: z.string(),
  ruleVersion: z.number(),
  productCode: z.string(),
  priority: z.number(),
  presentedAt: z.string(),
  validUntil: z.string(),
  language: z.enum(["vi", "en"]),
  title: z.string(),
  body: z.string(),
  triggerKey: z.string(),
  status: z.enum(["presented", "clicked", "accepted", "dismissed", "not_interested"]),
});

const InboxItemSchema = z.object({
  messageId: z.string(),
  ruleId: z.string(),
  kind: z.enum(["alert", "offer"]),
  severity: z.enum(["critical", "service", "marketing"]),
  title: z.string(),
  body: z.string(),
  createdAt: z.string(),
  read: z.boolean(),
});

/** Encodes the key where a page ended as an opaque cursor; the partition is never part of it. */
function encodeCursor(key: Record<string, unknown> | undefined): string | undefined {
  if (!key) return undefined;
  return Buffer.from(String(key.SK), "utf8").toString("base64url");
}

function decodeCursor(customerId: string, cursor: string | undefined): Record<string, string> | undefined {
  if (!cursor) return undefined;
  const sortKey = Buffer.from(cursor, "base64url").toString("utf8");
  // A cursor names only a sort key; the partition always comes from the token's customer. A sort key
  // outside the inbox would make DynamoDB reject the query, so it is refused here with the reason.
  if (
    !sortKey.startsWith(INBOX_SORT_KEY_PREFIX) ||
    Buffer.from(sortKey, "utf8").toString("base64url") !== cursor
  )
    throw new InvalidCursorError("The cursor is not one this API returned");
  return { PK: customerPartitionKey(customerId), SK: sortKey };
}

/**
 * The customer API's storage. Every key it builds starts with the customer's partition, taken from
 * the caller's token, so no request can reach another customer's items.
 */
export class DynamoDbCustomerDataStore implements CustomerDataStore {
  constructor(
    private readonly client: DynamoDBDocumentClient,
    private readonly tableName: string,
  ) {}

  async getPreferences(customerId: string) {
    const { Item } = await this.client.send(
      new GetCommand({
        TableName: this.tableName,
        Key: customerItemKey(customerId, CUSTOMER_SORT_KEYS.preferences),
        ConsistentRead: true,
      }),
    );
    return preferencesFromItem(Item);
  }

  async putPreferences(
    customerId: string,
    preferences: Preferences,
    expectedVersion: number,
    at: Date,
  ): Promise<number> {
    const version = expectedVersion + 1;
    try {
      await this.client.send(
        new PutCommand({
          TableName: this.tableName,
          Item: preferencesToItem(customerId, preferences, version, at),
          ...(expectedVersion === 0
            ? { ConditionExpression: "attribute_not_exists(PK)" }
            : {
                ConditionExpression: "#version = :expected",
                ExpressionAttributeNames: { "#version": "version" },
                ExpressionAttributeValues: { ":expected": expectedVersion },
              }),
        }),
      );
      return version;
    } catch (error) {
      if (error instanceof ConditionalCheckFailedException)
        throw new VersionConflictError("Preferences changed");
      throw error;
    }
  }

  async getConsents(customerId: string) {
    const { Item } = await this.client.send(
      new GetCommand({
        TableName: this.tableName,
        Key: customerItemKey(customerId, CUSTOMER_SORT_KEYS.consents),
        ConsistentRead: true,
      }),
    );
    return consentsFromItem(Item);
  }

  async setConsent(
    customerId: string,
    purpose: ConsentPurpose,
    record: ConsentRecord,
    expectedVersion: number,
  ) {
    const current = await this.getConsents(customerId);
    if (current.version !== expectedVersion) throw new VersionConflictError("Consents changed");
    const consents: Consents = { ...current.consents, [purpose]: record };
    try {
      await this.client.send(
        new TransactWriteCommand({
          TransactItems: [
            {
              Put: {
                TableName: this.tableName,
                Item: consentsToItem(customerId, consents, expectedVersion + 1),
                ...(expectedVersion === 0
                  ? { ConditionExpression: "attribute_not_exists(PK)" }
                  : {
                      ConditionExpression: "#version = :expected",
                      ExpressionAttributeNames: { "#version": "version" },
                      ExpressionAttributeValues: { ":expected": expectedVersion },
                    }),
              },
            },
            {
              Put: {
                TableName: this.tableName,
                Item: {
                  PK: customerPartitionKey(customerId),
                  // Two changes in the same millisecond must both stay as evidence, hence the suffix.
                  SK: `${CONSENT_EVIDENCE_PREFIX}${record.at}#${purpose}#${randomUUID()}`,
                  purpose,
                  ...record,
                  expiresAt:
                    Math.floor(Date.parse(record.at) / 1000) + CONSENT_EVIDENCE_RETENTION_DAYS * 86_400,
                },
              },
            },
          ],
        }),
      );
    } catch (error) {
      if (error instanceof TransactionCanceledException) throw new VersionConflictError("Consents changed");
      throw error;
    }
  }

  async putDevice(customerId: string, deviceId: string, platform: DevicePlatform, token: string, at: Date) {
    await this.client.send(
      new PutCommand({
        TableName: this.tableName,
        Item: {
          PK: customerPartitionKey(customerId),
          SK: deviceSortKey(deviceId),
          deviceId,
          platform,
          token,
          active: true,
          registeredAt: at.toISOString(),
        },
      }),
    );
  }

  async deleteDevice(customerId: string, deviceId: string) {
    await this.client.send(
      new DeleteCommand({
        TableName: this.tableName,
        Key: { PK: customerPartitionKey(customerId), SK: deviceSortKey(deviceId) },
      }),
    );
  }

  async getProfile(customerId: string): Promise<CustomerProfile> {
    const { Item } = await this.client.send(
      new GetCommand({ TableName: this.tableName, Key: profileKey(customerId), ConsistentRead: true }),
    );
    return Item ? profileFromItem(customerId, Item) : emptyProfile(customerId);
  }

  async getMonths(customerId: string, months: readonly string[]): Promise<Record<string, MonthAggregate>> {
    const profile = await this.getProfile(customerId);
    const result: Record<string, MonthAggregate> = {};
    const archived: string[] = [];
    for (const month of months) {
      const inProfile = profile.months[month];
      if (inProfile) result[month] = inProfile;
      else archived.push(month);
    }
    if (archived.length > 0) {
      const response = await this.client.send(
        new BatchGetCommand({
          RequestItems: {
            [this.tableName]: {
              Keys: archived.map((month) => ({
                PK: customerPartitionKey(customerId),
                SK: monthSortKey(month),
              })),
            },
          },
        }),
      );
      for (const item of response.Responses?.[this.tableName] ?? []) {
        result[String(item.SK).slice(2)] = monthFromItem(item);
      }
    }
    return result;
  }

  async displayName(customerId: string): Promise<string | undefined> {
    const { Item } = await this.client.send(
      new GetCommand({
        TableName: this.tableName,
        Key: customerItemKey(customerId, CUSTOMER_SORT_KEYS.contact),
      }),
    );
    return typeof Item?.displayName === "string" ? Item.displayName : undefined;
  }

  async listOffers(customerId: string): Promise<StoredOffer[]> {
    const page = await this.client.send(
      new QueryCommand({
        TableName: this.tableName,
        KeyConditionExpression: "PK = :pk AND begins_with(SK, :prefix)",
        ExpressionAttributeValues: { ":pk": customerPartitionKey(customerId), ":prefix": offerSortKey("") },
        ConsistentRead: true,
      }),
    );
    return (page.Items ?? []).flatMap((item) => {
      const parsed = OfferItemSchema.safeParse(item);
      return parsed.success ? [parsed.data] : [];
    });
  }

  async getOfferFeedback(customerId: string): Promise<OfferFeedback> {
    const { Item } = await this.client.send(
      new GetCommand({
        TableName: this.tableName,
        Key: customerItemKey(customerId, OFFER_FEEDBACK_SORT_KEY),
        ConsistentRead: true,
      }),
    );
    return offerFeedbackFromItem(Item);
  }

  async recordOfferFeedback(
    customerId: string,
    offerId: string,
    feedback: OfferFeedbackRecord,
  ): Promise<boolean> {
    try {
      await this.client.send(
        new TransactWriteCommand({
          TransactItems: [
            {
              Update: {
                TableName: this.tableName,
                Key: { PK: customerPartitionKey(customerId), SK: offerSortKey(offerId) },
                UpdateExpression: "SET #status = :action, feedbackAt = :at",
                ConditionExpression: "attribute_exists(PK)",
                ExpressionAttributeNames: { "#status": "status" },
                ExpressionAttributeValues: { ":action": feedback.action, ":at": feedback.at },
              },
            },
            {
              Update: {
                TableName: this.tableName,
                Key: customerItemKey(customerId, OFFER_FEEDBACK_SORT_KEY),
                UpdateExpression: "SET feedback = if_not_exists(feedback, :empty)",
                ExpressionAttributeValues: { ":empty": {} },
              },
            },
          ],
        }),
      );
    } catch (error) {
      if (error instanceof TransactionCanceledException) return false;
      throw error;
    }
    // The map exists now, so the offer's entry can be set by path.
    await this.client.send(
      new UpdateCommand({
        TableName: this.tableName,
        Key: customerItemKey(customerId, OFFER_FEEDBACK_SORT_KEY),
        UpdateExpression: "SET feedback.#offer = :feedback",
        ExpressionAttributeNames: { "#offer": offerId },
        ExpressionAttributeValues: { ":feedback": feedback },
      }),
    );
    return true;
  }

  async listInbox(customerId: string, limit: number, cursor?: string): Promise<InboxPage> {
    const page = await this.client.send(
      new QueryCommand({
        TableName: this.tableName,
        KeyConditionExpression: "PK = :pk AND begins_with(SK, :prefix)",
        ExpressionAttributeValues: {
          ":pk": customerPartitionKey(customerId),
          ":prefix": INBOX_SORT_KEY_PREFIX,
        },
        ScanIndexForward: false,
        Limit: limit,
        ExclusiveStartKey: decodeCursor(customerId, cursor),
      }),
    );
    const entries = (page.Items ?? []).flatMap((item) => {
      const parsed = InboxItemSchema.safeParse(item);
      return parsed.success ? [parsed.data] : [];
    });
    const nextCursor = encodeCursor(page.LastEvaluatedKey);
    return { entries, ...(nextCursor && { nextCursor }) };
  }

  async markRead(customerId: string, notificationId: string, at: Date): Promise<boolean> {
    const [createdAtMs, id] = notificationId.split("-");
    const createdAt = new Date(Number(createdAtMs)).toISOString();
    try {
      await this.client.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: { PK: customerPartitionKey(customerId), SK: inboxSortKey(createdAt, id ?? "") },
          UpdateExpression: "SET #read = :true, readAt = if_not_exists(readAt, :at)",
          ConditionExpression: "attribute_exists(PK)",
          ExpressionAttributeNames: { "#read": "read" },
          ExpressionAttributeValues: { ":true": true, ":at": at.toISOString() },
        }),
      );
      return true;
    } catch (error) {
      if (error instanceof ConditionalCheckFailedException) return false;
      throw error;
    }
  }

  async reindexDueEntries(customerId: string, preferences: Preferences): Promise<void> {
    const page = await this.client.send(
      new QueryCommand({
        TableName: this.tableName,
        KeyConditionExpression: "PK = :pk AND begins_with(SK, :prefix)",
        ExpressionAttributeValues: { ":pk": customerPartitionKey(customerId), ":prefix": dueSortKey("") },
        ConsistentRead: true,
      }),
    );
    for (const item of page.Items ?? []) {
      const entry = dueEntryFromItem(item);
      const updated = {
        ...entry,
        remindOn: addDays(entry.dueDate, -preferences.paymentReminderLeadDays),
        timeZone: preferences.timeZone,
      };
      // NOTE: an ingest that read the old preferences can still write the old entry back; the payee's next
      // payment rewrites it with the new ones.
      await this.client.send(
        new PutCommand({ TableName: this.tableName, Item: dueEntryToItem(customerId, updated) }),
      );
    }
  }

  async addServiceFeedback(customerId: string, feedback: ServiceFeedback) {
    await this.client.send(
      new PutCommand({
        TableName: this.tableName,
        Item: {
          PK: customerPartitionKey(customerId),
          // Two ratings in the same millisecond must both be kept, hence the random suffix.
          SK: `${SERVICE_FEEDBACK_PREFIX}${feedback.at}#${randomUUID()}`,
          ...feedback,
        },
      }),
    );
  }
}
