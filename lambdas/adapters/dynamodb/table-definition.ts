/**
 * The single table's shape, defined once: the CDK stack and the local runtime both build the table
 * from this object, so keys, index and stream cannot drift between AWS and DynamoDB Local.
 *
 * Every item of a customer shares the partition key `C#<customerId>` (profile, transactions, month
 * aggregates, quarantined events, and later preferences, consents, devices and messages), so one
 * Query finds all of a customer's data for export or erasure.
 */
export const TABLE_DEFINITION = {
  partitionKey: { name: "PK", type: "S" },
  sortKey: { name: "SK", type: "S" },
  /** Epoch seconds after which DynamoDB deletes the item (transaction records, quarantined events). */
  timeToLiveAttribute: "expiresAt",
  /** Dispatch reads new outbox items from the stream; NEW_IMAGE carries the item that was written. */
  streamViewType: "NEW_IMAGE",
  globalSecondaryIndexes: [
    {
      /**
       * Sparse, keys-only index for work lists that span customers: open quarantined events today.
       * Keys-only keeps index writes away from the profile, which changes on every event.
       */
      indexName: "GSI1",
      partitionKey: { name: "GSI1PK", type: "S" },
      sortKey: { name: "GSI1SK", type: "S" },
      projectionType: "KEYS_ONLY",
    },
  ],
} as const;

export type TableDefinition = typeof TABLE_DEFINITION;
export type GlobalSecondaryIndexName = TableDefinition["globalSecondaryIndexes"][number]["indexName"];
