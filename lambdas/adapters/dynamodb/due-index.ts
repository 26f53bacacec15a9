import { BatchGetCommand, type DynamoDBDocumentClient, QueryCommand } from "@aws-sdk/lib-dynamodb";
import type { DueEntry } from "../../domain/reminders";
import type { DueIndex, DueReference } from "../../ports/due-index";
import { customerPartitionKey, dueSortKey, reminderDateKey } from "./keys";
import { dueEntryFromItem } from "./ledger-items";

/** BatchGetItem reads at most 100 keys per call. */
const BATCH_GET_LIMIT = 100;

/** Due-payment entries in GSI1 under `REMIND#<date>`, sorted by time zone, customer and payee. */
export class DynamoDbDueIndex implements DueIndex {
  constructor(
    private readonly client: DynamoDBDocumentClient,
    private readonly tableName: string,
  ) {}

  async listReminders(localDate: string, timeZone: string): Promise<DueReference[]> {
    const references: DueReference[] = [];
    const prefix = `${timeZone}#`;
    let cursor: Record<string, unknown> | undefined;
    do {
      const page = await this.client.send(
        new QueryCommand({
          TableName: this.tableName,
          IndexName: "GSI1",
          KeyConditionExpression: "GSI1PK = :date AND begins_with(GSI1SK, :zone)",
          ExpressionAttributeValues: { ":date": reminderDateKey(localDate), ":zone": prefix },
          ExclusiveStartKey: cursor,
        }),
      );
      for (const item of page.Items ?? []) {
        const [customerId, payeeKey] = String(item.GSI1SK).slice(prefix.length).split("#");
        if (customerId && payeeKey) references.push({ customerId, payeeKey });
      }
      cursor = page.LastEvaluatedKey;
    } while (cursor);
    return references;
  }

  async entries(customerId: string, payeeKeys: readonly string[]): Promise<DueEntry[]> {
    const entries: DueEntry[] = [];
    for (let start = 0; start < payeeKeys.length; start += BATCH_GET_LIMIT) {
      const keys = payeeKeys
        .slice(start, start + BATCH_GET_LIMIT)
        .map((payeeKey) => ({ PK: customerPartitionKey(customerId), SK: dueSortKey(payeeKey) }));
      let request: Record<string, { Keys: Record<string, unknown>[]; ConsistentRead: boolean }> | undefined =
        {
          [this.tableName]: { Keys: keys, ConsistentRead: true },
        };
      while (request && Object.keys(request).length > 0) {
        const response = await this.client.send(new BatchGetCommand({ RequestItems: request }));
        for (const item of response.Responses?.[this.tableName] ?? []) entries.push(dueEntryFromItem(item));
        request = response.UnprocessedKeys as typeof request;
      }
    }
    return entries;
  }
}
