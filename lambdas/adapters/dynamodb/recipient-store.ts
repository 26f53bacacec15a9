import { ConditionalCheckFailedException } from "@aws-sdk/client-dynamodb";
import {
  type DynamoDBDocumentClient,
  GetCommand,
  PutCommand,
  QueryCommand,
  UpdateCommand,
} from "@aws-sdk/lib-dynamodb";
import * as z from "zod/mini";
import type { Consents } from "../../domain/consents";
import type { Device, InboxEntry, InboxStore, RecipientStore } from "../../ports/delivery";
import { CUSTOMER_SORT_KEYS, consentsFromItem, customerItemKey } from "./customer-items";
import { customerPartitionKey } from "./keys";

/** Sort-key prefix of device items, one per registered app installation. */
export const DEVICE_SORT_KEY_PREFIX = "DEVICE#";
/** Sort-key prefix of inbox entries, ordered by creation time. */
export const INBOX_SORT_KEY_PREFIX = "INBOX#";
/** Days an inbox entry stays in the customer's inbox after it was delivered. */
export const INBOX_RETENTION_DAYS = 180;

const DeviceItemSchema = z.object({
  deviceId: z.string(),
  platform: z.enum(["ios", "android"]),
  token: z.string(),
  active: z.boolean(),
});

const ContactItemSchema = z.object({ email: z.optional(z.string()) });

export function deviceSortKey(deviceId: string): string {
  return `${DEVICE_SORT_KEY_PREFIX}${deviceId}`;
}

export function inboxSortKey(createdAt: string, messageId: string): string {
  return `${INBOX_SORT_KEY_PREFIX}${createdAt}#${messageId}`;
}

/**
 * Devices, the e-mail address the bank provisioned, and consents, read at delivery time so changes
 * apply at once.
 */
export class DynamoDbRecipientStore implements RecipientStore {
  constructor(
    private readonly client: DynamoDBDocumentClient,
    private readonly tableName: string,
  ) {}

  async activeDevices(customerId: string): Promise<readonly Device[]> {
    const devices: Device[] = [];
    let cursor: Record<string, unknown> | undefined;
    do {
      const page = await this.client.send(
        new QueryCommand({
          TableName: this.tableName,
          KeyConditionExpression: "PK = :pk AND begins_with(SK, :prefix)",
          ExpressionAttributeValues: {
            ":pk": customerPartitionKey(customerId),
            ":prefix": DEVICE_SORT_KEY_PREFIX,
          },
          ExclusiveStartKey: cursor,
        }),
      );
      for (const item of page.Items ?? []) {
        const parsed = DeviceItemSchema.safeParse(item);
        if (parsed.success && parsed.data.active) {
          devices.push({
            deviceId: parsed.data.deviceId,
            platform: parsed.data.platform,
            token: parsed.data.token,
          });
        }
      }
      cursor = page.LastEvaluatedKey;
    } while (cursor);
    return devices;
  }

  async deactivateDevice(customerId: string, deviceId: string, reason: string, at: Date): Promise<void> {
    try {
      await this.client.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: { PK: customerPartitionKey(customerId), SK: deviceSortKey(deviceId) },
          UpdateExpression: "SET active = :false, deactivatedAt = :at, deactivationReason = :reason",
          ConditionExpression: "attribute_exists(PK)",
          ExpressionAttributeValues: { ":false": false, ":at": at.toISOString(), ":reason": reason },
        }),
      );
    } catch (error) {
      // The customer removed the device meanwhile: nothing is left to deactivate.
      if (!(error instanceof ConditionalCheckFailedException)) throw error;
    }
  }

  async emailAddress(customerId: string): Promise<string | undefined> {
    const { Item } = await this.client.send(
      new GetCommand({
        TableName: this.tableName,
        Key: customerItemKey(customerId, CUSTOMER_SORT_KEYS.contact),
      }),
    );
    const parsed = ContactItemSchema.safeParse(Item ?? {});
    return parsed.success ? parsed.data.email : undefined;
  }

  /** Reads the CONSENTS item; throws CorruptItemError when it does not parse. */
  async consents(customerId: string): Promise<Consents> {
    const { Item } = await this.client.send(
      new GetCommand({
        TableName: this.tableName,
        Key: customerItemKey(customerId, CUSTOMER_SORT_KEYS.consents),
        ConsistentRead: true,
      }),
    );
    return consentsFromItem(Item).consents;
  }
}

/** The in-app inbox: entries under the customer's partition, newest last in key order. */
export class DynamoDbInboxStore implements InboxStore {
  constructor(
    private readonly client: DynamoDBDocumentClient,
    private readonly tableName: string,
  ) {}

  async add(customerId: string, entry: InboxEntry, at: Date): Promise<void> {
    try {
      await this.client.send(
        new PutCommand({
          TableName: this.tableName,
          Item: {
            PK: customerPartitionKey(customerId),
            SK: inboxSortKey(entry.createdAt, entry.messageId),
            ...entry,
            read: false,
            expiresAt: Math.floor(at.getTime() / 1000) + INBOX_RETENTION_DAYS * 86_400,
          },
          ConditionExpression: "attribute_not_exists(PK)",
        }),
      );
    } catch (error) {
      // The same message was added before; the first entry stays, with its read state.
      if (!(error instanceof ConditionalCheckFailedException)) throw error;
    }
  }
}
