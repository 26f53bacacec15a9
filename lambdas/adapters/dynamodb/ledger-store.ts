import { Logger } from "@aws-lambda-powertools/logger";
import { TransactionCanceledException } from "@aws-sdk/client-dynamodb";
import {
  BatchGetCommand,
  type BatchGetCommandOutput,
  type DynamoDBDocumentClient,
  TransactWriteCommand,
} from "@aws-sdk/lib-dynamodb";
import { emptyProfile } from "../../domain/profile";
import type {
  CommitResult,
  CustomerState,
  LedgerCommit,
  LedgerStore,
  StoredDuplicate,
} from "../../ports/ledger-store";
import {
  CUSTOMER_SORT_KEYS,
  consentsFromItem,
  customerItemKey,
  offerFeedbackFromItem,
  preferencesFromItem,
} from "./customer-items";
import { customerPartitionKey, dueSortKey } from "./keys";
import {
  dueEntryToItem,
  monthAddUpdate,
  offerToItem,
  profileFromItem,
  profileKey,
  profileToItem,
  transactionToItem,
} from "./ledger-items";
import { outboxToItem } from "./outbox-items";

type TransactItem = NonNullable<
  ConstructorParameters<typeof TransactWriteCommand>[0]["TransactItems"]
>[number];
type BatchGetCommandInput = ConstructorParameters<typeof BatchGetCommand>[0];

/** TransactWriteItems accepts at most 100 items per call. */
const MAX_TRANSACT_ITEMS = 100;

/**
 * Logs warnings of this adapter. It is created at the first warning, so it reads the log level and
 * POWERTOOLS_SERVICE_NAME (set per function by the stack) after the entry point configured them.
 */
let logger: Logger | undefined;

/** Customers whose invalid preferences were logged by this process, so each is logged once, not per event. */
const warnedCustomers = new Set<string>();
const MAX_WARNED_CUSTOMERS = 10_000;

function warnDefaultedPreferences(customerId: string, fields: readonly string[]): void {
  if (warnedCustomers.has(customerId)) return;
  if (warnedCustomers.size >= MAX_WARNED_CUSTOMERS) warnedCustomers.clear();
  warnedCustomers.add(customerId);
  logger ??= new Logger();
  logger.warn(
    "Stored preferences have invalid fields; their defaults are used until the customer saves them",
    {
      customerId,
      fields,
    },
  );
}

export interface DynamoDbLedgerStoreOptions {
  readonly tableName: string;
  /** Days a transaction record is kept after it was applied (and a duplicate recognized). */
  readonly retentionDays: number;
}

/**
 * Ledger storage in the single table. One commit is one `TransactWriteItems` call, laid out as:
 * the transaction records first (each conditional on its id being new), then the profile
 * (conditional on the version read), then `ADD` updates of month items, due-payment entries, offers,
 * and the outbox messages (each conditional on its id being new).
 * The cancellation reasons come back in the same order, which is how a failed commit is explained.
 */
export class DynamoDbLedgerStore implements LedgerStore {
  readonly maxItemsPerCommit = MAX_TRANSACT_ITEMS;

  constructor(
    private readonly client: DynamoDBDocumentClient,
    private readonly options: DynamoDbLedgerStoreOptions,
  ) {}

  async loadCustomer(customerId: string): Promise<CustomerState> {
    const { tableName } = this.options;
    const keys = [
      profileKey(customerId),
      customerItemKey(customerId, CUSTOMER_SORT_KEYS.preferences),
      customerItemKey(customerId, CUSTOMER_SORT_KEYS.consents),
      customerItemKey(customerId, CUSTOMER_SORT_KEYS.offerFeedback),
    ];
    const items = new Map<string, Record<string, unknown>>();
    let request: BatchGetCommandInput["RequestItems"] = { [tableName]: { Keys: keys, ConsistentRead: true } };
    for (let attempt = 0; request && Object.keys(request).length > 0; attempt += 1) {
      if (attempt > 0) await new Promise((wait) => setTimeout(wait, Math.min(1000, 25 * 2 ** attempt)));
      const response: BatchGetCommandOutput = await this.client.send(
        new BatchGetCommand({ RequestItems: request }),
      );
      for (const item of response.Responses?.[tableName] ?? []) items.set(String(item.SK), item);
      request = response.UnprocessedKeys;
    }
    const profileItem = items.get(profileKey(customerId).SK);
    const stored = preferencesFromItem(items.get(CUSTOMER_SORT_KEYS.preferences));
    if (stored.defaultedFields.length > 0) warnDefaultedPreferences(customerId, stored.defaultedFields);
    return {
      profile: profileItem ? profileFromItem(customerId, profileItem) : emptyProfile(customerId),
      context: {
        preferences: stored.preferences,
        consents: consentsFromItem(items.get(CUSTOMER_SORT_KEYS.consents)).consents,
        offerFeedback: offerFeedbackFromItem(items.get(CUSTOMER_SORT_KEYS.offerFeedback)),
      },
    };
  }

  itemCount(change: LedgerCommit): number {
    return (
      change.transactions.length +
      1 +
      Object.keys(change.monthAdditions).length +
      change.dueChanges.put.length +
      change.dueChanges.remove.length +
      change.offers.length +
      change.outbox.length
    );
  }

  async commit(change: LedgerCommit): Promise<CommitResult> {
    const { tableName, retentionDays } = this.options;
    const { profile } = change;
    const items: TransactItem[] = change.transactions.map(({ eventId, transaction }) => ({
      Put: {
        TableName: tableName,
        Item: transactionToItem(transaction, eventId, change.appliedAt, retentionDays),
        ConditionExpression: "attribute_not_exists(PK)",
        ReturnValuesOnConditionCheckFailure: "ALL_OLD",
      },
    }));
    const profileIndex = items.length;
    items.push({
      Put: {
        TableName: tableName,
        Item: profileToItem(profile, change.appliedAt),
        ...(profile.version === 0
          ? { ConditionExpression: "attribute_not_exists(PK)" }
          : {
              ConditionExpression: "#version = :expectedVersion",
              ExpressionAttributeNames: { "#version": "version" },
              ExpressionAttributeValues: { ":expectedVersion": profile.version },
            }),
      },
    });
    for (const [month, aggregate] of Object.entries(change.monthAdditions)) {
      items.push({
        Update: { TableName: tableName, ...monthAddUpdate(change.customerId, month, aggregate) },
      });
    }
    for (const entry of change.dueChanges.put) {
      items.push({ Put: { TableName: tableName, Item: dueEntryToItem(change.customerId, entry) } });
    }
    for (const payeeKey of change.dueChanges.remove) {
      items.push({
        Delete: {
          TableName: tableName,
          Key: { PK: customerPartitionKey(change.customerId), SK: dueSortKey(payeeKey) },
        },
      });
    }
    for (const offer of change.offers) {
      items.push({ Put: { TableName: tableName, Item: offerToItem(change.customerId, offer) } });
    }
    for (const message of change.outbox) {
      items.push({
        Put: {
          TableName: tableName,
          Item: outboxToItem(message, change.appliedAt),
          ConditionExpression: "attribute_not_exists(PK)",
        },
      });
    }

    try {
      await this.client.send(new TransactWriteCommand({ TransactItems: items }));
      return { status: "applied" };
    } catch (error) {
      if (!(error instanceof TransactionCanceledException)) throw error;
      return interpretCancellation(error, change, profileIndex);
    }
  }
}

function interpretCancellation(
  error: TransactionCanceledException,
  change: LedgerCommit,
  profileIndex: number,
): CommitResult {
  const reasons = error.CancellationReasons ?? [];
  const duplicates: StoredDuplicate[] = [];
  change.transactions.forEach(({ transaction }, index) => {
    const reason = reasons[index];
    if (reason?.Code === "ConditionalCheckFailed") {
      duplicates.push({
        transactionId: transaction.transactionId,
        storedFingerprint: reason.Item?.fingerprint?.S,
      });
    }
  });
  if (duplicates.length > 0) return { status: "duplicates", duplicates };
  if (reasons[profileIndex]?.Code === "ConditionalCheckFailed") return { status: "conflict" };
  if (reasons.some((reason) => reason.Code === "TransactionConflict")) return { status: "conflict" };
  throw error;
}
