import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createIngestDependencies } from "../lambdas/handlers/ingest/dependencies";
import { createIngestHandler } from "../lambdas/handlers/ingest/handler";
import type { IngestOutcome } from "../lambdas/use-cases/ingest-transaction";
import type { SourceEvent } from "../scripts/importers/source-event";
import { LOCAL_CREDENTIALS, LOCAL_REGION, startDynamoDbLocal } from "../scripts/local/dynamodb-local";
import { LocalOutboxFolder } from "../scripts/local/local-channels";
import { replayThroughQueue, type SqsHandler } from "../scripts/local/replay";
import { LocalRuntime } from "../scripts/local/runtime";
import { recipientsFor, seedCustomers } from "../scripts/local/seed";
import { ensureTable } from "../scripts/local/table";
import { quantile } from "./figures";
import { cpuSeconds, javaChildren, residentBytes } from "./process-cpu";
import { checkItemSizes, type SizeCheck } from "./size-check";
import { RequestUnitRecorder } from "./unit-recorder";

/** Concurrent ingest invocations of the replay, as `npm start` uses by default. */
export const INGEST_LANES = 4;
/** SQS records per ingest invocation, the largest batch an SQS event source mapping delivers by default. */
export const INGEST_BATCH_SIZE = 10;

const TABLE_NAME = "personalization-bench";
const RSS_SAMPLE_INTERVAL_MS = 50;
/** Items of the run whose size formula is checked against DynamoDB Local's consumed capacity. */
const SIZE_CHECK_ITEMS = 2_000;

export interface IngestMeasurement {
  readonly events: number;
  readonly applied: number;
  readonly duplicates: number;
  readonly quarantined: number;
  readonly deadLettered: number;
  readonly messagesDecided: number;
  /** Outbox items of the "event" channel: derived events that dispatch publishes to the bus. */
  readonly derivedEvents: number;
  readonly elapsedSeconds: number;
  readonly eventsPerSecond: number;
  /** Event-to-outbox latency of each applied event, milliseconds, sorted. */
  readonly latenciesMs: readonly number[];
  /** Wall time of each ingest handler invocation, milliseconds. */
  readonly invocationMs: readonly number[];
  readonly peakRssBytes: number;
  /** CPU seconds used during the replay by this process and by DynamoDB Local's JVM (Linux only). */
  readonly cpuSeconds: { readonly node: number; readonly dynamoDbLocal?: number };
  /** Resident memory of DynamoDB Local's JVM after the replay (Linux only); not part of the peak above. */
  readonly dynamoDbLocalRssBytes?: number;
  readonly dispatch: { readonly seconds: number; readonly outcomes: number };
  readonly recorder: RequestUnitRecorder;
  /** The size formula checked against DynamoDB Local's own ConsumedCapacity on items of this run. */
  readonly sizeCheck: SizeCheck;
  /** Event ids whose event decided at least one message or offer. */
  readonly eventsWithMessages: ReadonlySet<string>;
}

function customersOf(sources: readonly SourceEvent[]): string[] {
  const customers = new Set<string>();
  for (const source of sources) {
    if (source.kind !== "event") continue;
    const detail = source.event.detail as { customerId?: unknown };
    if (typeof detail.customerId === "string") customers.add(detail.customerId);
  }
  return [...customers];
}

/**
 * Sets the environment the handlers read, as `npm start` sets it: handler logs at ERROR, metrics
 * off, and no age limit on events, because the replay decides with the events' own (1990s) time.
 */
function configureEnvironment(endpoint: string): void {
  process.env.TABLE_NAME = TABLE_NAME;
  process.env.AWS_ENDPOINT_URL_DYNAMODB = endpoint;
  process.env.AWS_REGION ??= LOCAL_REGION;
  process.env.AWS_ACCESS_KEY_ID ??= LOCAL_CREDENTIALS.accessKeyId;
  process.env.AWS_SECRET_ACCESS_KEY ??= LOCAL_CREDENTIALS.secretAccessKey;
  process.env.POWERTOOLS_LOG_LEVEL ??= "ERROR";
  process.env.POWERTOOLS_METRICS_DISABLED ??= "true";
  process.env.MAX_EVENT_AGE_HOURS ??= "0";
}

/**
 * Replays the events through the real ingest handler against an in-memory DynamoDB Local, then
 * dispatches the messages they decided from the table's stream, recording every request's units.
 *
 * Event-to-outbox latency of an event runs from the moment its batch is handed to the handler to
 * the moment the TransactWriteItems response that wrote its transaction record, profile change and
 * outbox items is received. RSS is this Node.js process's, sampled every 50 ms during the replay;
 * DynamoDB Local runs in its own Java process and is not part of it.
 */
export async function measureIngest(sources: readonly SourceEvent[]): Promise<IngestMeasurement> {
  const dynamoDbLocal = await startDynamoDbLocal({});
  const outboxFolder = mkdtempSync(join(tmpdir(), "bench-outbox-"));
  let runtime: LocalRuntime | undefined;
  try {
    configureEnvironment(dynamoDbLocal.endpoint);
    const outbox = new LocalOutboxFolder(outboxFolder);
    outbox.reset();
    let dispatchOutcomes = 0;
    const local = new LocalRuntime(dynamoDbLocal.endpoint, TABLE_NAME, outbox, {
      onDispatch: () => {
        dispatchOutcomes += 1;
      },
    });
    runtime = local;
    const recorder = new RequestUnitRecorder();
    recorder.attach(local.dynamoDb);
    await ensureTable(local.dynamoDb, TABLE_NAME);
    await seedCustomers(local.documentClient, TABLE_NAME, recipientsFor(customersOf(sources)), new Date());
    await local.followStream();

    const outcomes = { applied: 0, duplicates: 0, quarantined: 0, messages: 0, derivedEvents: 0 };
    const eventsWithMessages = new Set<string>();
    const onOutcome = (outcome: IngestOutcome) => {
      if (outcome.kind === "applied") {
        outcomes.applied += 1;
        outcomes.messages += outcome.messages.length;
        outcomes.derivedEvents += outcome.messages.filter((message) => message.channel === "event").length;
        if (outcome.messages.length > 0) eventsWithMessages.add(outcome.eventId);
      } else if (outcome.kind === "duplicate") {
        outcomes.duplicates += 1;
      } else {
        outcomes.quarantined += 1;
      }
    };

    // One handler per lane, built the way the local runtime and the Lambda entry point build it,
    // wrapped to time each invocation.
    const handedAt = new Map<string, number>();
    const invocationMs: number[] = [];
    const environment = { ...process.env, TABLE_NAME };
    const handlers: SqsHandler[] = Array.from({ length: INGEST_LANES }, () => {
      const handler = createIngestHandler(
        createIngestDependencies({ documentClient: local.documentClient, onOutcome }, environment),
      );
      return async (event, context) => {
        const start = performance.now();
        for (const record of event.Records) handedAt.set(record.messageId, start);
        const response = await handler(event, context);
        invocationMs.push(performance.now() - start);
        return response;
      };
    });

    let peakRss = process.memoryUsage().rss;
    const sampler = setInterval(() => {
      peakRss = Math.max(peakRss, process.memoryUsage().rss);
    }, RSS_SAMPLE_INTERVAL_MS);
    const javaPid = javaChildren()?.[0];
    const javaCpuBefore = javaPid === undefined ? undefined : cpuSeconds(javaPid);
    const nodeCpuBefore = process.cpuUsage();
    recorder.phase = "ingest";
    const started = performance.now();
    const replay = await replayThroughQueue(sources, handlers, {
      lanes: INGEST_LANES,
      batchSize: INGEST_BATCH_SIZE,
      maxReceiveCount: 5,
      functionName: "personalization-ingest",
    });
    const elapsedSeconds = (performance.now() - started) / 1000;
    clearInterval(sampler);
    peakRss = Math.max(peakRss, process.memoryUsage().rss);
    const nodeCpu = process.cpuUsage(nodeCpuBefore);
    const javaCpuAfter = javaPid === undefined ? undefined : cpuSeconds(javaPid);
    const javaRss = javaPid === undefined ? undefined : residentBytes(javaPid);

    // Delivery as `npm start` runs it: the stream's new outbox items, then the messages whose quiet
    // hours ended (all of them, since the replayed days are long past), then what that released.
    recorder.phase = "dispatch";
    const dispatchStarted = performance.now();
    await local.dispatchFromStream();
    await local.releaseDue();
    await local.dispatchFromStream();
    const dispatchSeconds = (performance.now() - dispatchStarted) / 1000;

    const sizeCheck = await checkItemSizes(dynamoDbLocal.endpoint, recorder.sampleItems(SIZE_CHECK_ITEMS));

    const latenciesMs: number[] = [];
    for (const [eventId, committed] of recorder.committedAt) {
      const handed = handedAt.get(eventId);
      if (handed !== undefined) latenciesMs.push(committed - handed);
    }
    latenciesMs.sort((a, b) => a - b);

    return {
      events: sources.length,
      applied: outcomes.applied,
      duplicates: outcomes.duplicates,
      quarantined: outcomes.quarantined,
      deadLettered: replay.deadLettered.length,
      messagesDecided: outcomes.messages,
      derivedEvents: outcomes.derivedEvents,
      elapsedSeconds,
      eventsPerSecond: sources.length / elapsedSeconds,
      latenciesMs,
      invocationMs,
      peakRssBytes: peakRss,
      cpuSeconds: {
        node: (nodeCpu.user + nodeCpu.system) / 1e6,
        ...(javaCpuBefore !== undefined &&
          javaCpuAfter !== undefined && { dynamoDbLocal: javaCpuAfter - javaCpuBefore }),
      },
      ...(javaRss !== undefined && { dynamoDbLocalRssBytes: javaRss }),
      dispatch: { seconds: dispatchSeconds, outcomes: dispatchOutcomes },
      recorder,
      sizeCheck,
      eventsWithMessages,
    };
  } finally {
    runtime?.close();
    await dynamoDbLocal.stop();
    rmSync(outboxFolder, { recursive: true, force: true });
  }
}

export function latencySummary(sorted: readonly number[]) {
  return { p50: quantile(sorted, 0.5), p99: quantile(sorted, 0.99), max: sorted.at(-1) ?? Number.NaN };
}
