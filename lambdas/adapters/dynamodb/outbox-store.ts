import { ConditionalCheckFailedException } from "@aws-sdk/client-dynamodb";
import { type DynamoDBDocumentClient, PutCommand, QueryCommand, UpdateCommand } from "@aws-sdk/lib-dynamodb";
import { unmarshall } from "@aws-sdk/util-dynamodb";
import type { OutboxMessage } from "../../domain/outbox";
import type { ClaimOutcome, DeliveryResult, OutboxReference, OutboxStore } from "../../ports/delivery";
import { dueIndexKeys, messageOf, outboxItemFromItem, outboxKey, outboxToItem } from "./outbox-items";

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
      const item = outboxItemFromItem(unmarshall(error.Item));
      if (item.status === "delivered" || item.status === "failed" || item.status === "suppressed") {
        return { skipped: "done" };
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
    });
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
   * when it was not, because another invocation took the message over or settled it first.
   */
  private async update(
    reference: OutboxReference,
    result: DeliveryResult,
    at: Date,
    expected: { condition: string; values: Record<string, unknown>; countAttempt?: boolean },
  ): Promise<boolean> {
    const values: Record<string, unknown> = { ...expected.values, ":at": at.toISOString() };
    const counting = expected.countAttempt ? " ADD attempts :one" : "";
    if (expected.countAttempt) values[":one"] = 1;
    let update: string;
    switch (result.status) {
      case "delivered":
        update = `SET #status = :delivered, deliveredAt = :at, deliveryDetail = :detail${counting} REMOVE GSI1PK, GSI1SK, leaseUntil`;
        values[":delivered"] = "delivered";
        values[":detail"] = result.detail ?? "";
        break;
      case "failed":
        update = `SET #status = :failed, failedAt = :at, lastError = :reason${counting} REMOVE GSI1PK, GSI1SK, leaseUntil`;
        values[":failed"] = "failed";
        values[":reason"] = result.reason;
        break;
      case "suppressed":
        update = `SET #status = :suppressed, suppressedAt = :at, lastError = :reason${counting} REMOVE GSI1PK, GSI1SK, leaseUntil`;
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

function prefixed(keys: { GSI1PK: string; GSI1SK: string }): Record<string, string> {
  return { ":gsiPk": keys.GSI1PK, ":gsiSk": keys.GSI1SK };
}
