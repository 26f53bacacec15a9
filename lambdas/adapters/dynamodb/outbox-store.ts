import { ConditionalCheckFailedException } from "@aws-sdk/client-dynamodb";
import { type DynamoDBDocumentClient, PutCommand, QueryCommand, UpdateCommand } from "@aws-sdk/lib-dynamodb";
import { unmarshall } from "@aws-sdk/util-dynamodb";
import type { OutboxMessage } from "../../domain/outbox";
import type {
  ClaimOutcome,
  DeliveryResult,
  OutboxReference,
  OutboxStore,
  SettledMessage,
} from "../../ports/delivery";
import {
  dueIndexKeys,
  messageOf,
  type OutboxItem,
  outboxItemFromItem,
  outboxKey,
  outboxToItem,
  RESULT_EVENT_SAFETY_NET_MINUTES,
} from "./outbox-items";

/** Days back the release job looks for due items; older ones are past any deferral or retry. */
const DUE_LOOKBACK_DAYS = 7;

/**
 * Outbox state in DynamoDB. Every transition is a conditional write on the item's status and attempt
 * number, so two invocations never both send one message and a late writer cannot undo a result.
 */
export class DynamoDbOutboxStore implements OutboxStore {
  constructor(
    private readonly client: DynamoDBDocumentClient,
    private readonly tableName: string,
  ) {}

  async claim(reference: OutboxReference, now: Date, leaseMs: number): Promise<ClaimOutcome> {
    const leaseUntil = new Date(now.getTime() + leaseMs);
    try {
      const { Attributes } = await this.client.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: outboxKey(reference.customerId, reference.messageId),
          UpdateExpression:
            "SET #status = :sending, claimedAt = :now, leaseUntil = :leaseUntil, GSI1PK = :gsiPk, GSI1SK = :gsiSk ADD attempts :one",
          ConditionExpression: "#status = :pending OR (#status = :deferred AND nextAttemptAt <= :now)",
          ExpressionAttributeNames: { "#status": "status" },
          ExpressionAttributeValues: {
            ":sending": "sending",
            ":pending": "pending",
            ":deferred": "deferred",
            ":now": now.toISOString(),
            ":leaseUntil": leaseUntil.toISOString(),
            ":one": 1,
            ...prefixed(dueIndexKeys(reference.customerId, reference.messageId, leaseUntil)),
          },
          ReturnValues: "ALL_NEW",
          ReturnValuesOnConditionCheckFailure: "ALL_OLD",
        }),
      );
      const item = outboxItemFromItem(Attributes ?? {});
      return { claimed: { message: messageOf(item), attempt: item.attempts } };
    } catch (error) {
      if (!(error instanceof ConditionalCheckFailedException)) throw error;
      if (!error.Item) return { skipped: "missing" };
      const stored = unmarshall(error.Item);
      const item = outboxItemFromItem(stored);
      if (item.status === "delivered" || item.status === "failed" || item.status === "suppressed") {
        // A settled item still listed in GSI1 was never confirmed by markAnnounced.
        return stored.GSI1PK === undefined
          ? { skipped: "done" }
          : { unannounced: settledMessageOf(item, stored) };
      }
      if (item.status === "deferred") return { skipped: "not-due" };
      if (item.status === "sending" && item.leaseUntil !== undefined && item.leaseUntil > now.toISOString()) {
        return { skipped: "in-progress" };
      }
      return { interrupted: { message: messageOf(item), attempt: item.attempts } };
    }
  }

  async record(
    reference: OutboxReference,
    attempt: number,
    result: DeliveryResult,
    at: Date,
  ): Promise<boolean> {
    return this.update(reference, result, at, {
      condition: "#status = :sending AND attempts = :attempt",
      values: { ":sending": "sending", ":attempt": attempt },
      listUntilAnnounced: true,
    });
  }

  async markAnnounced(reference: OutboxReference): Promise<void> {
    try {
      await this.client.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: outboxKey(reference.customerId, reference.messageId),
          UpdateExpression: "REMOVE GSI1PK, GSI1SK",
          ConditionExpression: "#status IN (:delivered, :failed, :suppressed)",
          ExpressionAttributeNames: { "#status": "status" },
          ExpressionAttributeValues: {
            ":delivered": "delivered",
            ":failed": "failed",
            ":suppressed": "suppressed",
          },
        }),
      );
    } catch (error) {
      // The item is gone or not settled: there is no listing of a settled result to remove.
      if (!(error instanceof ConditionalCheckFailedException)) throw error;
    }
  }

  async settleEvent(reference: OutboxReference, result: DeliveryResult, at: Date): Promise<void> {
    await this.update(reference, result, at, {
      condition: "#status = :pending",
      values: { ":pending": "pending" },
      countAttempt: true,
    });
  }

  async addEvent(message: OutboxMessage, at: Date): Promise<void> {
    try {
      await this.client.send(
        new PutCommand({
          TableName: this.tableName,
          Item: outboxToItem(message, at),
          ConditionExpression: "attribute_not_exists(PK)",
        }),
      );
    } catch (error) {
      if (!(error instanceof ConditionalCheckFailedException)) throw error;
    }
  }

  /**
   * Moves an item to the result's state if it is still in the state the caller expects. Returns false
   * when it was not, because another invocation took the message over or settled it first. With
   * `listUntilAnnounced`, a final result keeps the item listed in GSI1, due
   * {@link RESULT_EVENT_SAFETY_NET_MINUTES} later, until markAnnounced removes the listing.
   */
  private async update(
    reference: OutboxReference,
    result: DeliveryResult,
    at: Date,
    expected: {
      condition: string;
      values: Record<string, unknown>;
      countAttempt?: boolean;
      listUntilAnnounced?: boolean;
    },
  ): Promise<boolean> {
    const values: Record<string, unknown> = { ...expected.values, ":at": at.toISOString() };
    const counting = expected.countAttempt ? " ADD attempts :one" : "";
    if (expected.countAttempt) values[":one"] = 1;
    // The end of a final result's update: it leaves GSI1, or stays listed until its event is confirmed.
    const settledListing = (): string => {
      if (!expected.listUntilAnnounced) return `${counting} REMOVE GSI1PK, GSI1SK, leaseUntil`;
      const announceBy = new Date(at.getTime() + RESULT_EVENT_SAFETY_NET_MINUTES * 60_000);
      Object.assign(values, prefixed(dueIndexKeys(reference.customerId, reference.messageId, announceBy)));
      return `, GSI1PK = :gsiPk, GSI1SK = :gsiSk${counting} REMOVE leaseUntil`;
    };
    let update: string;
    switch (result.status) {
      case "delivered":
        update = `SET #status = :delivered, deliveredAt = :at, deliveryDetail = :detail${settledListing()}`;
        values[":delivered"] = "delivered";
        values[":detail"] = result.detail ?? "";
        break;
      case "failed":
        update = `SET #status = :failed, failedAt = :at, lastError = :reason${settledListing()}`;
        values[":failed"] = "failed";
        values[":reason"] = result.reason;
        break;
      case "suppressed":
        update = `SET #status = :suppressed, suppressedAt = :at, lastError = :reason${settledListing()}`;
        values[":suppressed"] = "suppressed";
        values[":reason"] = result.reason;
        break;
      case "retry":
        update = `SET #status = :retrying, nextAttemptAt = :next, lastError = :reason, lastErrorAt = :at, GSI1PK = :gsiPk, GSI1SK = :gsiSk${counting} REMOVE leaseUntil`;
        values[":retrying"] = "deferred";
        values[":next"] = result.nextAttemptAt.toISOString();
        values[":reason"] = result.reason;
        Object.assign(
          values,
          prefixed(dueIndexKeys(reference.customerId, reference.messageId, result.nextAttemptAt)),
        );
        break;
    }
    try {
      await this.client.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: outboxKey(reference.customerId, reference.messageId),
          UpdateExpression: update,
          ConditionExpression: expected.condition,
          ExpressionAttributeNames: { "#status": "status" },
          ExpressionAttributeValues: values,
        }),
      );
      return true;
    } catch (error) {
      // Another invocation took the message over, or settled it first; its result stands.
      if (!(error instanceof ConditionalCheckFailedException)) throw error;
      return false;
    }
  }

  async listDue(now: Date, limit: number): Promise<OutboxReference[]> {
    const references: OutboxReference[] = [];
    const nowKey = `${now.toISOString()}#\uffff`;
    for (let daysBack = DUE_LOOKBACK_DAYS; daysBack >= 0 && references.length < limit; daysBack -= 1) {
      const date = new Date(now.getTime() - daysBack * 86_400_000).toISOString().slice(0, 10);
      let cursor: Record<string, unknown> | undefined;
      do {
        const page = await this.client.send(
          new QueryCommand({
            TableName: this.tableName,
            IndexName: "GSI1",
            KeyConditionExpression: "GSI1PK = :partition AND GSI1SK <= :now",
            ExpressionAttributeValues: { ":partition": `OUTBOX#${date}`, ":now": nowKey },
            ExclusiveStartKey: cursor,
            Limit: limit - references.length,
          }),
        );
        for (const item of page.Items ?? []) {
          const [, customerId, messageId] = String(item.GSI1SK).split("#");
          if (customerId && messageId) references.push({ customerId, messageId });
        }
        cursor = references.length < limit ? page.LastEvaluatedKey : undefined;
      } while (cursor);
    }
    return references;
  }
}

/** Rebuilds the final result and its time from a settled item, to publish its result event again. */
function settledMessageOf(item: OutboxItem, stored: Record<string, unknown>): SettledMessage {
  const text = (name: string) => (typeof stored[name] === "string" ? (stored[name] as string) : "");
  const message = messageOf(item);
  switch (item.status) {
    case "delivered": {
      const detail = text("deliveryDetail");
      return {
        message,
        result: detail ? { status: "delivered", detail } : { status: "delivered" },
        at: new Date(text("deliveredAt")),
      };
    }
    case "suppressed":
      return {
        message,
        result: { status: "suppressed", reason: text("lastError") },
        at: new Date(text("suppressedAt")),
      };
    default:
      return {
        message,
        result: { status: "failed", reason: text("lastError") },
        at: new Date(text("failedAt")),
      };
  }
}

function prefixed(keys: { GSI1PK: string; GSI1SK: string }): Record<string, string> {
  return { ":gsiPk": keys.GSI1PK, ":gsiSk": keys.GSI1SK };
}
