import { ConditionalCheckFailedException } from "@aws-sdk/client-dynamodb";
import {
  BatchGetCommand,
  type DynamoDBDocumentClient,
  PutCommand,
  QueryCommand,
  UpdateCommand,
} from "@aws-sdk/lib-dynamodb";
import * as z from "zod/mini";
import { CorruptItemError } from "../../domain/errors";
import type {
  QuarantinedEvent,
  QuarantineEntry,
  QuarantineReference,
  QuarantineStore,
} from "../../ports/quarantine-store";
import {
  closedQuarantineShardKey,
  customerQuarantinePartitionKey,
  QUARANTINE_SHARDS,
  quarantineShardKey,
  quarantineShardOf,
  quarantineSortKey,
  unattributedQuarantinePartitionKey,
} from "./keys";

const QuarantineItemSchema = z.object({
  PK: z.string(),
  SK: z.string(),
  eventId: z.string(),
  customerId: z.optional(z.string()),
  messageId: z.optional(z.string()),
  reasons: z.array(z.object({ field: z.string(), message: z.string() })),
  body: z.string(),
  quarantinedAt: z.string(),
  status: z.enum(["open", "redriven"]),
  redriveAttempts: z.number(),
  redrivenAt: z.optional(z.string()),
});

/** BatchGetItem reads at most 100 keys per call. */
const BATCH_GET_LIMIT = 100;

export interface DynamoDbQuarantineStoreOptions {
  readonly tableName: string;
  /** Days a quarantined event is kept; long enough to be reviewed, bounded because it holds personal data. */
  readonly retentionDays: number;
}

function keyOf(reference: QuarantineReference): { PK: string; SK: string } {
  return {
    PK: reference.customerId
      ? customerQuarantinePartitionKey(reference.customerId)
      : unattributedQuarantinePartitionKey(reference.eventId),
    SK: quarantineSortKey(reference.eventId),
  };
}

function fromItem(item: Record<string, unknown>): QuarantinedEvent {
  const parsed = QuarantineItemSchema.safeParse(item);
  if (!parsed.success)
    throw new CorruptItemError(`${String(item.PK)}/${String(item.SK)}`, "not a quarantine item");
  const { PK: _pk, SK: _sk, quarantinedAt, redrivenAt, ...rest } = parsed.data;
  return {
    ...rest,
    quarantinedAt: new Date(quarantinedAt),
    ...(redrivenAt && { redrivenAt: new Date(redrivenAt) }),
  };
}

/**
 * Quarantined events, in a quarantine partition per customer when the customer id is readable and
 * per event otherwise, never in the customer's `C#` partition (see keys.ts). GSI1 lists
 * them with the event id as sort key, under `QUARANTINE#<shard>` while open and
 * `QUARANTINE#CLOSED#<shard>` once re-driven, so that an event is found by id and the open ones by
 * querying every open shard.
 */
export class DynamoDbQuarantineStore implements QuarantineStore {
  constructor(
    private readonly client: DynamoDBDocumentClient,
    private readonly options: DynamoDbQuarantineStoreOptions,
  ) {}

  async quarantine(entry: QuarantineEntry): Promise<"stored" | "already-quarantined"> {
    const shard = quarantineShardOf(entry.eventId);
    try {
      await this.client.send(
        new PutCommand({
          TableName: this.options.tableName,
          Item: {
            ...keyOf(entry),
            GSI1PK: quarantineShardKey(shard),
            GSI1SK: entry.eventId,
            eventId: entry.eventId,
            ...(entry.customerId && { customerId: entry.customerId }),
            ...(entry.messageId && { messageId: entry.messageId }),
            reasons: entry.reasons,
            body: entry.body,
            quarantinedAt: entry.quarantinedAt.toISOString(),
            status: "open",
            redriveAttempts: 0,
            expiresAt: Math.floor(entry.quarantinedAt.getTime() / 1000) + this.options.retentionDays * 86_400,
          },
          ConditionExpression: "attribute_not_exists(PK)",
        }),
      );
      return "stored";
    } catch (error) {
      if (error instanceof ConditionalCheckFailedException) return "already-quarantined";
      throw error;
    }
  }

  async listOpen(limit: number): Promise<QuarantinedEvent[]> {
    const keys: { PK: string; SK: string }[] = [];
    for (let shard = 0; shard < QUARANTINE_SHARDS; shard += 1) {
      let cursor: Record<string, unknown> | undefined;
      do {
        const page = await this.client.send(
          new QueryCommand({
            TableName: this.options.tableName,
            IndexName: "GSI1",
            KeyConditionExpression: "GSI1PK = :shard",
            ExpressionAttributeValues: { ":shard": quarantineShardKey(shard) },
            ExclusiveStartKey: cursor,
          }),
        );
        for (const item of page.Items ?? []) keys.push({ PK: String(item.PK), SK: String(item.SK) });
        cursor = page.LastEvaluatedKey;
      } while (cursor);
    }

    const events: QuarantinedEvent[] = [];
    for (let start = 0; start < keys.length; start += BATCH_GET_LIMIT) {
      let request: Record<string, { Keys: Record<string, unknown>[] }> | undefined = {
        [this.options.tableName]: { Keys: keys.slice(start, start + BATCH_GET_LIMIT) },
      };
      while (request && Object.keys(request).length > 0) {
        const response = await this.client.send(new BatchGetCommand({ RequestItems: request }));
        for (const item of response.Responses?.[this.options.tableName] ?? []) events.push(fromItem(item));
        request = response.UnprocessedKeys as typeof request;
      }
    }
    return events
      .filter((event) => event.status === "open")
      .sort((a, b) => a.quarantinedAt.getTime() - b.quarantinedAt.getTime())
      .slice(0, limit);
  }

  async find(eventId: string): Promise<QuarantinedEvent | undefined> {
    const shard = quarantineShardOf(eventId);
    let key: Record<string, unknown> | undefined;
    for (const partition of [quarantineShardKey(shard), closedQuarantineShardKey(shard)]) {
      const page = await this.client.send(
        new QueryCommand({
          TableName: this.options.tableName,
          IndexName: "GSI1",
          KeyConditionExpression: "GSI1PK = :partition AND GSI1SK = :eventId",
          ExpressionAttributeValues: { ":partition": partition, ":eventId": eventId },
        }),
      );
      key = page.Items?.[0];
      if (key) break;
    }
    if (!key) return undefined;
    const response = await this.client.send(
      new BatchGetCommand({
        RequestItems: {
          [this.options.tableName]: { Keys: [{ PK: key.PK, SK: key.SK }], ConsistentRead: true },
        },
      }),
    );
    const item = response.Responses?.[this.options.tableName]?.[0];
    return item ? fromItem(item) : undefined;
  }

  async recordFailedRedrive(
    reference: QuarantineReference,
    reasons: QuarantineEntry["reasons"],
    at: Date,
  ): Promise<void> {
    await this.client.send(
      new UpdateCommand({
        TableName: this.options.tableName,
        Key: keyOf(reference),
        UpdateExpression: "SET reasons = :reasons, lastRedriveAt = :at ADD redriveAttempts :one",
        ConditionExpression: "attribute_exists(PK)",
        ExpressionAttributeValues: { ":reasons": reasons, ":at": at.toISOString(), ":one": 1 },
      }),
    );
  }

  async markRedriven(reference: QuarantineReference, at: Date): Promise<void> {
    await this.client.send(
      new UpdateCommand({
        TableName: this.options.tableName,
        Key: keyOf(reference),
        UpdateExpression:
          "SET #status = :redriven, redrivenAt = :at, GSI1PK = :closed ADD redriveAttempts :one",
        ConditionExpression: "attribute_exists(PK)",
        ExpressionAttributeNames: { "#status": "status" },
        ExpressionAttributeValues: {
          ":redriven": "redriven",
          ":at": at.toISOString(),
          ":closed": closedQuarantineShardKey(quarantineShardOf(reference.eventId)),
          ":one": 1,
        },
      }),
    );
  }
}
