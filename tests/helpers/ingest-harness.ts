import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { QueryCommand } from "@aws-sdk/lib-dynamodb";
import type { SQSBatchResponse } from "aws-lambda";
import { customerPartitionKey } from "../../lambdas/adapters/dynamodb/keys";
import type { EventBridgeEvent } from "../../lambdas/contracts/event-bus";
import { createIngestDependencies } from "../../lambdas/handlers/ingest/dependencies";
import { createIngestHandler, type IngestHandlerDependencies } from "../../lambdas/handlers/ingest/handler";
import type { IngestOutcome } from "../../lambdas/use-cases/ingest-transaction";
import { lambdaContext, type QueuedMessage, sqsEventOf } from "../../scripts/local/aws-events";
import type { LocalTable } from "./local-table";

process.env.POWERTOOLS_LOG_LEVEL ??= "SILENT";
process.env.POWERTOOLS_METRICS_DISABLED ??= "true";

export type TransactionEvent = EventBridgeEvent<Record<string, unknown>>;

/** Reads a sample event from events/; every call returns a fresh copy that a test may change. */
export function sampleEvent(name: string): TransactionEvent {
  return JSON.parse(readFileSync(join("events", name), "utf8")) as TransactionEvent;
}

export function invalidSampleEvents(): Array<[string, string]> {
  return readdirSync(join("events", "invalid"))
    .filter((name) => name.endsWith(".json"))
    .map((name) => [name, readFileSync(join("events", "invalid", name), "utf8")]);
}

/** Builds an event from the card-purchase sample with the given detail fields changed. */
export function cardEvent(id: string, detail: Record<string, unknown>): TransactionEvent {
  const event = sampleEvent("transaction-posted.card-purchase.json");
  return { ...event, id, detail: { ...event.detail, ...detail } };
}

export interface Harness {
  readonly deps: IngestHandlerDependencies;
  readonly outcomes: IngestOutcome[];
  /** Delivers events as one SQS batch, with `receiveCount` as SQS would report it. */
  deliver(events: ReadonlyArray<TransactionEvent | string>, receiveCount?: number): Promise<SQSBatchResponse>;
  /** All items of one customer, as the customer's export would read them. */
  customerItems(customerId: string): Promise<Record<string, unknown>[]>;
}

export function createHarness(table: LocalTable, environment: Record<string, string> = {}): Harness {
  const outcomes: IngestOutcome[] = [];
  const deps = createIngestDependencies(
    { documentClient: table.documentClient, onOutcome: (outcome) => outcomes.push(outcome) },
    { TABLE_NAME: table.tableName, ...environment },
  );
  const handler = createIngestHandler(deps);
  let sequence = 0;

  return {
    deps,
    outcomes,
    deliver: (events, receiveCount = 1) => {
      const messages: QueuedMessage[] = events.map((event) => {
        sequence += 1;
        return {
          messageId: `message-${sequence}`,
          body: typeof event === "string" ? event : JSON.stringify(event),
          receiveCount,
          sentAt: Date.now(),
        };
      });
      return handler(sqsEventOf(messages), lambdaContext("test-ingest"));
    },
    customerItems: async (customerId) => {
      const items: Record<string, unknown>[] = [];
      let cursor: Record<string, unknown> | undefined;
      do {
        const page = await table.documentClient.send(
          new QueryCommand({
            TableName: table.tableName,
            KeyConditionExpression: "PK = :pk",
            ExpressionAttributeValues: { ":pk": customerPartitionKey(customerId) },
            ExclusiveStartKey: cursor,
            ConsistentRead: true,
          }),
        );
        items.push(...(page.Items ?? []));
        cursor = page.LastEvaluatedKey;
      } while (cursor);
      return items;
    },
  };
}
