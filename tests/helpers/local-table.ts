import { randomUUID } from "node:crypto";
import { DeleteTableCommand, DynamoDBClient } from "@aws-sdk/client-dynamodb";
import type { DynamoDBDocumentClient } from "@aws-sdk/lib-dynamodb";
import { inject } from "vitest";
import { createDocumentClient } from "../../lambdas/adapters/aws/clients";
import { LOCAL_CREDENTIALS, LOCAL_REGION } from "../../scripts/local/dynamodb-local";
import { ensureTable } from "../../scripts/local/table";

process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= "true";

export interface LocalTable {
  readonly tableName: string;
  readonly endpoint: string;
  readonly client: DynamoDBClient;
  readonly documentClient: DynamoDBDocumentClient;
  drop(): Promise<void>;
}

/**
 * Creates a fresh table from the same definition the stack uses, in the shared DynamoDB Local or in
 * the one at `endpoint`.
 */
export async function createLocalTable(
  prefix = "test",
  endpoint: string = inject("dynamoDbEndpoint"),
): Promise<LocalTable> {
  const client = new DynamoDBClient({ endpoint, region: LOCAL_REGION, credentials: LOCAL_CREDENTIALS });
  const tableName = `${prefix}-${randomUUID().slice(0, 8)}`;
  await ensureTable(client, tableName);
  return {
    tableName,
    endpoint,
    client,
    documentClient: createDocumentClient(client),
    drop: async () => {
      await client.send(new DeleteTableCommand({ TableName: tableName }));
      client.destroy();
    },
  };
}
