import {
  CreateTableCommand,
  DeleteTableCommand,
  DynamoDBClient,
  PutItemCommand,
  waitUntilTableExists,
} from "@aws-sdk/client-dynamodb";
import { LOCAL_CREDENTIALS, LOCAL_REGION } from "../scripts/local/dynamodb-local";
import { type AttributeMap, itemSize, writeUnits } from "./item-size";

const CHECK_TABLE = "bench-size-check";

export interface SizeCheck {
  readonly items: number;
  /** Items whose write units by the size formula differ from DynamoDB Local's ConsumedCapacity. */
  readonly differing: ReadonlyArray<{
    readonly bytes: number;
    readonly formula: number;
    readonly dynamoDbLocal: number;
  }>;
}

/**
 * Writes items to a scratch table of DynamoDB Local with ReturnConsumedCapacity and compares the
 * units it reports with the units of the size formula. The scratch table has no index and no
 * stream, so the reported units are the item's own.
 */
export async function checkItemSizes(endpoint: string, items: readonly AttributeMap[]): Promise<SizeCheck> {
  const client = new DynamoDBClient({ endpoint, region: LOCAL_REGION, credentials: LOCAL_CREDENTIALS });
  try {
    await client.send(
      new CreateTableCommand({
        TableName: CHECK_TABLE,
        BillingMode: "PAY_PER_REQUEST",
        AttributeDefinitions: [
          { AttributeName: "PK", AttributeType: "S" },
          { AttributeName: "SK", AttributeType: "S" },
        ],
        KeySchema: [
          { AttributeName: "PK", KeyType: "HASH" },
          { AttributeName: "SK", KeyType: "RANGE" },
        ],
      }),
    );
    await waitUntilTableExists({ client, maxWaitTime: 60 }, { TableName: CHECK_TABLE });
    const differing: SizeCheck["differing"][number][] = [];
    for (const item of items) {
      const { ConsumedCapacity } = await client.send(
        new PutItemCommand({ TableName: CHECK_TABLE, Item: item, ReturnConsumedCapacity: "TOTAL" }),
      );
      const bytes = itemSize(item);
      const reported = ConsumedCapacity?.CapacityUnits ?? Number.NaN;
      if (reported !== writeUnits(bytes))
        differing.push({ bytes, formula: writeUnits(bytes), dynamoDbLocal: reported });
    }
    await client.send(new DeleteTableCommand({ TableName: CHECK_TABLE }));
    return { items: items.length, differing };
  } finally {
    client.destroy();
  }
}
