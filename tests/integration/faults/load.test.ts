import { GetCommand, QueryCommand } from "@aws-sdk/lib-dynamodb";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { customerPartitionKey } from "../../../lambdas/adapters/dynamodb/keys";
import { createIngestDependencies } from "../../../lambdas/handlers/ingest/dependencies";
import { createIngestHandler } from "../../../lambdas/handlers/ingest/handler";
import { importBerka } from "../../../scripts/importers/berka";
import {
  deterministicEventId,
  messageBodyOf,
  type SourceEvent,
  wrapTransactionPosted,
} from "../../../scripts/importers/source-event";
import { type DynamoDbLocal, startDynamoDbLocal } from "../../../scripts/local/dynamodb-local";
import { replayThroughQueue } from "../../../scripts/local/replay";
import { createLocalTable, type LocalTable } from "../../helpers/local-table";
import { reconcileAggregates, sortTable } from "../../helpers/reconcile";
import { NEEDS_SAMPLE_DATA, sampleDataAvailable, samplePath } from "../../helpers/sample-data";

process.env.POWERTOOLS_LOG_LEVEL ??= "SILENT";
process.env.POWERTOOLS_METRICS_DISABLED ??= "true";

/**
 * Load run: the Berka data set replayed four times with fresh ids, so that all 120,800 events are
 * new. Each copy has its own customers, accounts, transaction ids and event ids. Redelivered copies
 * and poison messages are mixed in, and eight ingest invocations run concurrently. Memory of the
 * test process is sampled throughout, and the counts are reconciled afterwards.
 */

const MINIMUM_EVENTS = 100_000;
/** Maximum resident set size of the test process during the run. */
const MAX_RSS_BYTES = 512 * 1024 * 1024;
const LANES = 8;
/** Events delivered per call of the queue replay. */
const SLICE = 5_000;
/** Every this many events, one is delivered a second time. */
const COPY_EVERY = 200;
/** Every this many events, a body that is not JSON is delivered. */
const POISON_EVERY = 1_000;

/** Expected outcome counts, by customer for transactions. */
interface Expected {
  readonly transactionsByCustomer: Map<string, number>;
  copies: number;
  readonly poisonIds: string[];
}

/** Returns the Berka events of copy `round`: ids, customers and accounts get a suffix that makes them new. */
function freshCopy(
  slice: readonly SourceEvent[],
  offset: number,
  round: number,
  expected: Expected,
): SourceEvent[] {
  const sources: SourceEvent[] = [];
  slice.forEach((source, index) => {
    const position = offset + index;
    if (source.kind !== "event") return;
    const detail = source.event.detail as Record<string, unknown>;
    const customerId = `${String(detail.customerId)}-r${round}`;
    const fresh = wrapTransactionPosted(
      {
        ...detail,
        transactionId: `${String(detail.transactionId)}-r${round}`,
        customerId,
        accountId: `${String(detail.accountId)}-r${round}`,
      },
      deterministicEventId(`${source.event.id}:r${round}`),
    );
    sources.push(fresh);
    expected.transactionsByCustomer.set(
      customerId,
      (expected.transactionsByCustomer.get(customerId) ?? 0) + 1,
    );
    if (position % COPY_EVERY === 0 && fresh.kind === "event") {
      sources.push({ kind: "raw", id: `${fresh.event.id}-copy`, text: messageBodyOf(fresh) });
      expected.copies += 1;
    }
    if (position % POISON_EVERY === 0) {
      const id = deterministicEventId(`load-poison:${round}:${position}`);
      sources.push({ kind: "raw", id, text: `{"detail": {"customerId": "${customerId}"` });
      expected.poisonIds.push(id);
    }
  });
  return sources;
}

/** Samples the resident set size every 100 ms and keeps the maximum. */
function sampleMemory() {
  let peak = process.memoryUsage().rss;
  const timer = setInterval(() => {
    peak = Math.max(peak, process.memoryUsage().rss);
  }, 100);
  return {
    stop: () => {
      clearInterval(timer);
      return Math.max(peak, process.memoryUsage().rss);
    },
  };
}

async function customerItems(table: LocalTable, customerId: string): Promise<Record<string, unknown>[]> {
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
}

describe.skipIf(!sampleDataAvailable)(`load run${NEEDS_SAMPLE_DATA}`, () => {
  // A DynamoDB Local of its own, because the shared one contains what the other files wrote, and its
  // in-memory store slows down as it grows.
  let local: DynamoDbLocal | undefined;
  beforeAll(async () => {
    local = await startDynamoDbLocal();
  }, 120_000);
  afterAll(async () => {
    await local?.stop();
  });

  it(
    "ingests 120,800 fresh Berka events with bounded memory",
    async () => {
      // Prepare
      const base = importBerka(samplePath("berka"));
      const rounds = Math.ceil(MINIMUM_EVENTS / base.length);
      const table = await createLocalTable("load", local?.endpoint);
      const counts = { applied: 0, duplicate: 0, quarantined: 0 };
      const handlers = Array.from({ length: LANES }, () =>
        createIngestHandler(
          createIngestDependencies(
            {
              documentClient: table.documentClient,
              onOutcome: (outcome) => {
                counts[outcome.kind] += 1;
              },
            },
            { TABLE_NAME: table.tableName },
          ),
        ),
      );
      const expected: Expected = { transactionsByCustomer: new Map(), copies: 0, poisonIds: [] };
      const deadLettered: string[] = [];
      const memory = sampleMemory();
      const startedAt = Date.now();

      // Act: the data set's copies one after another, in slices, so that one slice's messages are in memory.
      let delivered = 0;
      for (let round = 0; round < rounds; round += 1) {
        for (let start = 0; start < base.length; start += SLICE) {
          const sources = freshCopy(base.slice(start, start + SLICE), start, round, expected);
          delivered += sources.length;
          const result = await replayThroughQueue(sources, handlers, {
            lanes: LANES,
            batchSize: 10,
            maxReceiveCount: 5,
            functionName: "load-ingest",
          });
          deadLettered.push(...result.deadLettered);
        }
      }
      const elapsedMs = Date.now() - startedAt;
      const peakRss = memory.stop();

      // Assess: outcomes against the input.
      const transactions = [...expected.transactionsByCustomer.values()].reduce(
        (sum, count) => sum + count,
        0,
      );
      console.info(
        `Load run: ${delivered} messages (${transactions} transactions, ${expected.copies} copies, ${expected.poisonIds.length} poison) in ${(elapsedMs / 1000).toFixed(0)} s, ${(delivered / (elapsedMs / 1000)).toFixed(0)} messages/s, peak RSS ${(peakRss / 1024 / 1024).toFixed(0)} MB`,
      );
      expect(transactions).toBeGreaterThanOrEqual(MINIMUM_EVENTS);
      expect(peakRss).toBeLessThan(MAX_RSS_BYTES);
      expect(deadLettered).toEqual([]);
      expect(counts).toEqual({
        applied: transactions,
        duplicate: expected.copies,
        quarantined: expected.poisonIds.length,
      });

      // Assess: the table against the input, one customer at a time to keep memory bounded.
      const problems: string[] = [];
      for (const [customerId, count] of expected.transactionsByCustomer) {
        const contents = sortTable(await customerItems(table, customerId));
        if (contents.transactions.size !== count) {
          problems.push(
            `customer ${customerId} has ${contents.transactions.size} transaction records, expected ${count}`,
          );
        }
        problems.push(...reconcileAggregates(contents));
      }
      for (const eventId of expected.poisonIds) {
        const { Item } = await table.documentClient.send(
          new GetCommand({
            TableName: table.tableName,
            Key: { PK: `QUARANTINE#E#${eventId}`, SK: `Q#${eventId}` },
            ConsistentRead: true,
          }),
        );
        if (!Item) problems.push(`poison message ${eventId} has no quarantine item`);
      }
      expect(problems).toEqual([]);

      await table.drop();
    },
    20 * 60_000,
  );
});
