import type { AttributeValue, DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { marshall } from "@aws-sdk/util-dynamodb";
import { TABLE_DEFINITION } from "../lambdas/adapters/dynamodb/table-definition";
import { type AttributeMap, itemSize, readUnits, writeUnits } from "./item-size";
import { applyUpdateExpression } from "./update-expression";

/**
 * Records the request units of every DynamoDB request a client sends, computed from the requests
 * and their item sizes with AWS's published formulas (see item-size.ts). It keeps a copy of every
 * item written through the client (a shadow of the table), so it has each item's size before a
 * write replaces or updates it, and the size of each item a read returns.
 *
 * Assumptions, each an approximation of how DynamoDB bills:
 * - a write costs the larger of the item's size before and after it (PutItem, UpdateItem), or the
 *   deleted item's size (DeleteItem), doubled inside TransactWriteItems;
 * - a read of a missing key costs the minimum (1 unit strongly consistent, 0.5 eventually);
 * - a Query costs the total size of the items it returns, rounded up to 4 KB once;
 * - the keys-only index GSI1 costs 1 write unit when an item enters or leaves it and 2 when its
 *   index keys change, never doubled, because DynamoDB updates indexes after the transaction;
 * - a write whose condition failed costs the existing item's size, and a cancelled transaction is
 *   charged as if it had written (an upper bound; the report counts them).
 */

export type Phase = "setup" | "ingest" | "dispatch";

/** Kind of an item of the single table, by its sort key. */
export type ItemKind = "transaction" | "profile" | "month" | "due" | "offer" | "outbox" | "other";

export interface UnitTotals {
  requests: number;
  writeUnits: number;
  indexWriteUnits: number;
  readUnits: number;
  failedRequests: number;
  cancelledTransactions: number;
  /** Updates whose expression the shadow could not apply exactly; their size after is estimated. */
  approximateUpdates: number;
  byOperation: Record<string, number>;
}

/** One item written by an ingest commit, with its billed units. */
export interface CommitItem {
  readonly kind: ItemKind;
  readonly sizeBefore: number;
  readonly sizeAfter: number;
  /** Write units in the transaction: twice the standard units. */
  readonly writeUnits: number;
  readonly indexWriteUnits: number;
  /** Event the item belongs to: a transaction record's own event, or the event that decided a message or offer. */
  readonly eventId?: string;
}

/** One successful TransactWriteItems of the ingest phase: a commit of one customer's events. */
export interface CommitRecord {
  readonly partitionKey: string;
  /** performance.now() when the response was received. */
  readonly returnedAt: number;
  readonly items: readonly CommitItem[];
  /** Read units of the reads of this partition since its previous commit (the customer's load). */
  readonly readUnits: number;
  /** Size of the profile item when it was read, 0 for a new customer. */
  readonly profileSizeRead: number;
}

function emptyTotals(): UnitTotals {
  return {
    requests: 0,
    writeUnits: 0,
    indexWriteUnits: 0,
    readUnits: 0,
    failedRequests: 0,
    cancelledTransactions: 0,
    approximateUpdates: 0,
    byOperation: {},
  };
}

const PARTITION = TABLE_DEFINITION.partitionKey.name;
const SORT = TABLE_DEFINITION.sortKey.name;
const INDEX_KEYS = TABLE_DEFINITION.globalSecondaryIndexes.map((index) => {
  // The index-write rule above holds for keys-only projections; another projection would need
  // the projected attributes' sizes.
  if (index.projectionType !== "KEYS_ONLY") throw new Error(`${index.indexName} is not keys-only`);
  return [index.partitionKey.name, index.sortKey.name] as const;
});

const AV_TAGS = new Set(["S", "N", "B", "BOOL", "NULL", "M", "L", "SS", "NS", "BS"]);

/**
 * Returns an item as DynamoDB attribute values. The document client's outputs are already plain
 * JavaScript at this middleware step, the low-level client's are not.
 */
function toAttributeMap(item: Record<string, unknown>): AttributeMap {
  const marshalled = Object.values(item).every((value) => {
    if (typeof value !== "object" || value === null) return false;
    const keys = Object.keys(value);
    return keys.length === 1 && AV_TAGS.has(keys[0] as string);
  });
  return marshalled
    ? (item as AttributeMap)
    : marshall(item, { removeUndefinedValues: true, convertClassInstanceToMap: true });
}

function keyOf(item: AttributeMap): string {
  return `${item[PARTITION]?.S ?? ""}\u0000${item[SORT]?.S ?? ""}`;
}

function kindOf(sortKey: string): ItemKind {
  if (sortKey.startsWith("TX#")) return "transaction";
  if (sortKey === "PROFILE") return "profile";
  if (sortKey.startsWith("M#")) return "month";
  if (sortKey.startsWith("DUE#")) return "due";
  if (sortKey.startsWith("OFFER#")) return "offer";
  if (sortKey.startsWith("OUT#")) return "outbox";
  return "other";
}

/** Index write units of a change from `before` to `after` on the keys-only indexes. */
function indexWrites(before: AttributeMap | undefined, after: AttributeMap | undefined): number {
  let units = 0;
  for (const [partition, sort] of INDEX_KEYS) {
    const keyBefore = before?.[partition] && before[sort] ? `${before[partition].S}|${before[sort]?.S}` : "";
    const keyAfter = after?.[partition] && after[sort] ? `${after[partition].S}|${after[sort]?.S}` : "";
    if (keyBefore === keyAfter) continue;
    units += keyBefore && keyAfter ? 2 : 1;
  }
  return units;
}

interface WriteRequest {
  readonly action: "Put" | "Update" | "Delete" | "ConditionCheck";
  readonly body: Record<string, unknown>;
}

interface AppliedWrite {
  readonly key: string;
  readonly kind: ItemKind;
  readonly before: AttributeMap | undefined;
  readonly after: AttributeMap | undefined;
  readonly approximate: boolean;
}

export class RequestUnitRecorder {
  phase: Phase = "setup";
  readonly totals: Record<Phase, UnitTotals> = {
    setup: emptyTotals(),
    ingest: emptyTotals(),
    dispatch: emptyTotals(),
  };
  readonly commits: CommitRecord[] = [];
  /** performance.now() at which the commit that wrote each event's transaction record returned. */
  readonly committedAt = new Map<string, number>();
  /** Round-trip times of the successful requests, milliseconds, by phase and operation. */
  readonly roundTripMs: Record<Phase, Record<string, number[]>> = { setup: {}, ingest: {}, dispatch: {} };
  private readonly shadow = new Map<string, AttributeMap>();
  private readonly pendingReads = new Map<string, { units: number; profileSize: number }>();

  /** Up to `count` items of the shadow, taken evenly from each kind of item, for checking their sizes. */
  sampleItems(count: number): AttributeMap[] {
    const byKind = new Map<ItemKind, AttributeMap[]>();
    for (const item of this.shadow.values()) {
      const kind = kindOf(item[SORT]?.S ?? "");
      const list = byKind.get(kind) ?? [];
      list.push(item);
      byKind.set(kind, list);
    }
    const perKind = Math.ceil(count / Math.max(byKind.size, 1));
    return [...byKind.values()].flatMap((items) => {
      const step = Math.max(1, Math.floor(items.length / perKind));
      return items.filter((_, index) => index % step === 0).slice(0, perKind);
    });
  }

  /** Adds the recording step to the client's middleware stack, after retries, so every attempt counts. */
  attach(client: DynamoDBClient): void {
    client.middlewareStack.add(
      (next, context) => async (args) => {
        const operation = context.commandName?.replace(/Command$/, "") ?? "Unknown";
        const input = args.input as Record<string, unknown>;
        const sent = performance.now();
        try {
          const result = await next(args);
          const returned = performance.now();
          const times = this.roundTripMs[this.phase];
          const list = times[operation] ?? [];
          list.push(returned - sent);
          times[operation] = list;
          this.record(
            operation,
            input,
            (result.output ?? {}) as unknown as Record<string, unknown>,
            returned,
          );
          return result;
        } catch (error) {
          this.recordFailure(operation, input, error);
          throw error;
        }
      },
      { step: "finalizeRequest", name: "benchRequestUnits", priority: "low" },
    );
  }

  private totalsOf(operation: string): UnitTotals {
    const totals = this.totals[this.phase];
    totals.requests += 1;
    totals.byOperation[operation] = (totals.byOperation[operation] ?? 0) + 1;
    return totals;
  }

  private planWrite({ action, body }: WriteRequest): AppliedWrite {
    const item = body.Item as AttributeMap | undefined;
    const key = (item ?? (body.Key as AttributeMap)) as AttributeMap;
    const id = keyOf(key);
    const before = this.shadow.get(id);
    const kind = kindOf(key[SORT]?.S ?? "");
    if (action === "Put") return { key: id, kind, before, after: item, approximate: false };
    if (action === "Delete" || action === "ConditionCheck") {
      return { key: id, kind, before, after: action === "Delete" ? undefined : before, approximate: false };
    }
    const updated = applyUpdateExpression(
      before,
      { [PARTITION]: key[PARTITION] as AttributeValue, [SORT]: key[SORT] as AttributeValue },
      String(body.UpdateExpression ?? ""),
      body.ExpressionAttributeNames as Record<string, string> | undefined,
      body.ExpressionAttributeValues as Record<string, AttributeValue> | undefined,
    );
    return { key: id, kind, before, after: updated.item, approximate: updated.approximate };
  }

  private commitWrite(write: AppliedWrite): void {
    if (write.after) this.shadow.set(write.key, write.after);
    else this.shadow.delete(write.key);
  }

  /** Standard write units of one applied write: the larger of the sizes before and after. */
  private static unitsOf(write: AppliedWrite): number {
    return writeUnits(Math.max(itemSize(write.before), itemSize(write.after)));
  }

  private record(
    operation: string,
    input: Record<string, unknown>,
    output: Record<string, unknown>,
    returnedAt: number,
  ): void {
    switch (operation) {
      case "PutItem":
      case "UpdateItem":
      case "DeleteItem": {
        const totals = this.totalsOf(operation);
        const write = this.planWrite({
          action: operation.replace("Item", "") as WriteRequest["action"],
          body: input,
        });
        totals.writeUnits += RequestUnitRecorder.unitsOf(write);
        totals.indexWriteUnits += indexWrites(write.before, write.after);
        if (write.approximate) totals.approximateUpdates += 1;
        this.commitWrite(write);
        return;
      }
      case "BatchWriteItem": {
        const totals = this.totalsOf(operation);
        const requests = Object.values(input.RequestItems as Record<string, Array<Record<string, unknown>>>);
        for (const request of requests.flat()) {
          const put = request.PutRequest as Record<string, unknown> | undefined;
          const write = this.planWrite(
            put
              ? { action: "Put", body: put }
              : { action: "Delete", body: request.DeleteRequest as Record<string, unknown> },
          );
          totals.writeUnits += RequestUnitRecorder.unitsOf(write);
          totals.indexWriteUnits += indexWrites(write.before, write.after);
          this.commitWrite(write);
        }
        return;
      }
      case "TransactWriteItems":
        this.recordTransaction(input, returnedAt);
        return;
      case "GetItem": {
        const totals = this.totalsOf(operation);
        const size = itemSize(this.shadow.get(keyOf(input.Key as AttributeMap)));
        const units = readUnits(size, input.ConsistentRead ? "strong" : "eventual");
        totals.readUnits += units;
        this.notePartitionRead(input.Key as AttributeMap, size, units);
        return;
      }
      case "BatchGetItem": {
        const totals = this.totalsOf(operation);
        for (const request of Object.values(
          input.RequestItems as Record<string, { Keys: AttributeMap[]; ConsistentRead?: boolean }>,
        )) {
          for (const key of request.Keys) {
            const size = itemSize(this.shadow.get(keyOf(key)));
            const units = readUnits(size, request.ConsistentRead ? "strong" : "eventual");
            totals.readUnits += units;
            this.notePartitionRead(key, size, units);
          }
        }
        return;
      }
      case "Query":
      case "Scan": {
        const totals = this.totalsOf(operation);
        const items = (output.Items ?? []) as Array<Record<string, unknown>>;
        const bytes = items.reduce((sum, item) => sum + itemSize(toAttributeMap(item)), 0);
        totals.readUnits += readUnits(bytes, input.ConsistentRead ? "strong" : "eventual");
        return;
      }
      default:
        // Table management (CreateTable, DescribeTable, UpdateTimeToLive) uses no request units.
        return;
    }
  }

  /** Adds a read to its partition's pending reads, which the partition's next commit takes over. */
  private notePartitionRead(key: AttributeMap, size: number, units: number): void {
    if (this.phase !== "ingest") return;
    const partition = key[PARTITION]?.S ?? "";
    const pending = this.pendingReads.get(partition) ?? { units: 0, profileSize: 0 };
    pending.units += units;
    if (key[SORT]?.S === "PROFILE") pending.profileSize = size;
    this.pendingReads.set(partition, pending);
  }

  private recordTransaction(input: Record<string, unknown>, returnedAt: number): void {
    const totals = this.totalsOf("TransactWriteItems");
    const requests = (input.TransactItems as Array<Record<string, Record<string, unknown>>>).map(
      (entry): WriteRequest => {
        const [action, body] = Object.entries(entry)[0] as [WriteRequest["action"], Record<string, unknown>];
        return { action, body };
      },
    );
    const writes = requests.map((request) => this.planWrite(request));

    // Transaction records name their event; messages and offers name the transaction that caused them.
    const eventOfTransaction = new Map<string, string>();
    for (const write of writes) {
      if (write.kind !== "transaction" || !write.after) continue;
      const transactionId = (write.after[SORT]?.S ?? "").slice("TX#".length);
      eventOfTransaction.set(transactionId, write.after.eventId?.S ?? "");
    }
    const items: CommitItem[] = writes.map((write) => {
      const trigger = write.after?.triggerKey?.S;
      const eventId =
        write.kind === "transaction"
          ? write.after?.eventId?.S
          : trigger === undefined
            ? undefined
            : eventOfTransaction.get(trigger);
      return {
        kind: write.kind,
        sizeBefore: itemSize(write.before),
        sizeAfter: itemSize(write.after),
        writeUnits: 2 * RequestUnitRecorder.unitsOf(write),
        indexWriteUnits: indexWrites(write.before, write.after),
        ...(eventId !== undefined && { eventId }),
      };
    });
    for (const [index, item] of items.entries()) {
      totals.writeUnits += item.writeUnits;
      totals.indexWriteUnits += item.indexWriteUnits;
      if (writes[index]?.approximate) totals.approximateUpdates += 1;
    }
    for (const write of writes) this.commitWrite(write);

    if (this.phase !== "ingest") return;
    const firstKey = (requests[0]?.body.Item ?? requests[0]?.body.Key) as AttributeMap | undefined;
    const partition = firstKey?.[PARTITION]?.S ?? "";
    const pending = this.pendingReads.get(partition);
    this.pendingReads.delete(partition);
    this.commits.push({
      partitionKey: partition,
      returnedAt,
      items,
      readUnits: pending?.units ?? 0,
      profileSizeRead: pending?.profileSize ?? 0,
    });
    for (const eventId of eventOfTransaction.values()) this.committedAt.set(eventId, returnedAt);
  }

  private recordFailure(operation: string, input: Record<string, unknown>, error: unknown): void {
    const name = error instanceof Error ? error.name : "";
    const totals = this.totalsOf(operation);
    totals.failedRequests += 1;
    if (name === "ConditionalCheckFailedException") {
      const existing = this.shadow.get(keyOf((input.Item ?? input.Key) as AttributeMap));
      totals.writeUnits += writeUnits(itemSize(existing));
    } else if (name === "TransactionCanceledException") {
      totals.cancelledTransactions += 1;
      for (const entry of input.TransactItems as Array<Record<string, Record<string, unknown>>>) {
        const [action, body] = Object.entries(entry)[0] as [WriteRequest["action"], Record<string, unknown>];
        totals.writeUnits += 2 * RequestUnitRecorder.unitsOf(this.planWrite({ action, body }));
      }
    }
  }
}
