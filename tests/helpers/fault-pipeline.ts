import { createHash } from "node:crypto";
import type { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { type DynamoDBDocumentClient, ScanCommand } from "@aws-sdk/lib-dynamodb";
import type { Context, DynamoDBRecord, SQSBatchResponse, SQSEvent } from "aws-lambda";
import { createDocumentClient } from "../../lambdas/adapters/aws/clients";
import { OUTBOX_SORT_KEY_PREFIX } from "../../lambdas/adapters/dynamodb/outbox-items";
import { createDispatchDependencies } from "../../lambdas/handlers/dispatch/dependencies";
import { createDispatchHandler } from "../../lambdas/handlers/dispatch/handler";
import { createIngestDependencies } from "../../lambdas/handlers/ingest/dependencies";
import { createIngestHandler } from "../../lambdas/handlers/ingest/handler";
import { createReleaseHandler, RELEASE_BATCH_LIMIT } from "../../lambdas/handlers/release/handler";
import type { DispatchOutcome } from "../../lambdas/use-cases/dispatch-message";
import type { IngestOutcome } from "../../lambdas/use-cases/ingest-transaction";
import { eventIdOf, type SourceEvent } from "../../scripts/importers/source-event";
import { lambdaContext } from "../../scripts/local/aws-events";
import { replayThroughQueue, type SqsHandler } from "../../scripts/local/replay";
import { LocalStreamReader } from "../../scripts/local/stream-reader";
import { FakeProviders, type ProviderFaults } from "./fake-providers";
import {
  type CrashPlan,
  createFaultyDynamoDbClient,
  type Defect,
  type DynamoDbFaultCounts,
  SeededRandom,
  SimulatedProcess,
} from "./fault-injection";
import type { LocalTable } from "./local-table";

process.env.POWERTOOLS_LOG_LEVEL ??= "SILENT";
process.env.POWERTOOLS_METRICS_DISABLED ??= "true";

/** Receives before an SQS message moves to the dead-letter queue, as the ingest queue's redrive policy sets. */
const MAX_RECEIVE_COUNT = 5;

/** Times an operator re-drives the dead-letter queue into the ingest queue before a test gives up. */
const MAX_DEAD_LETTER_REDRIVES = 3;

/** Retries of a failing stream batch, as the dispatch event source mapping's `retryAttempts` sets. */
const STREAM_RETRY_ATTEMPTS = 10;

/** Stream records per dispatch invocation and concurrent batches, as the event source mapping sets. */
const STREAM_BATCH_SIZE = 100;
const STREAM_PARALLELISM = 4;

/** Scheduled release-job runs that {@link FaultPipeline.settle} makes before it reports open messages. */
const MAX_RELEASE_RUNS = 60;

const OPEN_STATUSES = new Set(["pending", "deferred", "sending"]);

export interface FaultPipelineOptions {
  readonly table: LocalTable;
  /** Crash points of the ingest function's processes. */
  readonly ingestCrashes?: CrashPlan;
  /** Crash points of the dispatch function's and the release job's processes, provider calls included. */
  readonly dispatchCrashes?: CrashPlan;
  /** Share of DynamoDB attempts throttled, from 0 to 1, in every process. */
  readonly throttleRate?: number;
  /** A safeguard taken out of the ingest function's writes; see {@link Defect}. */
  readonly ingestDefect?: Defect;
  readonly providerFaults?: ProviderFaults;
  /** Seed of every random fault of the run. */
  readonly seed?: number;
  /** Concurrent ingest invocations. @default 2 */
  readonly lanes?: number;
  /** SQS records per ingest invocation, at most 10. @default 10 */
  readonly batchSize?: number;
}

/** What happened during a run, for reports and for checks that a fault really fired. */
export interface FaultPipelineStats {
  processesStarted: number;
  /** Crash points that killed a process, as "after TransactWriteItems #1". */
  readonly crashes: string[];
  ingestInvocations: number;
  ingestRedeliveries: number;
  /** Messages that reached the dead-letter queue before an operator re-drove them. */
  deadLettered: number;
  streamRetries: number;
  /** Stream batches given up after their retries; the release job must send their messages. */
  streamBatchesDropped: number;
  releaseRuns: number;
  readonly dynamoDb: DynamoDbFaultCounts;
}

interface IngestWorker {
  readonly simulated: SimulatedProcess;
  readonly handler: SqsHandler;
}

interface DispatchWorker {
  readonly simulated: SimulatedProcess;
  readonly dispatch: ReturnType<typeof createDispatchHandler>;
  readonly release: ReturnType<typeof createReleaseHandler>;
}

function allRecordsFailed(event: SQSEvent): SQSBatchResponse {
  return { batchItemFailures: event.Records.map((record) => ({ itemIdentifier: record.messageId })) };
}

function streamGroupOf(record: DynamoDBRecord): number {
  const key = record.dynamodb?.Keys?.PK?.S ?? "";
  return createHash("sha256").update(key).digest().readUInt32BE(0) % STREAM_PARALLELISM;
}

/**
 * Due time of an open outbox item in milliseconds, read from its GSI1 sort key, which starts with the
 * ISO time at which the release job picks it up.
 */
function dueTimeOf(item: Record<string, unknown>): number {
  const sortKey = typeof item.GSI1SK === "string" ? item.GSI1SK : "";
  const due = Date.parse(sortKey.split("#")[0] ?? "");
  if (Number.isNaN(due)) {
    throw new Error(
      `Outbox item ${String(item.SK)} of ${String(item.PK)} is ${String(item.status)} but not listed in GSI1, so the release job can never find it`,
    );
  }
  return due;
}

/**
 * The pipeline (ingest, dispatch from the table's stream, release job) wired to DynamoDB Local and the
 * fake providers, with faults. Each Lambda instance is a {@link SimulatedProcess} with its own clients.
 * When a process dies, its invocation counts as failed as a whole: the SQS batch or stream batch is
 * delivered again to a new process, as Lambda would after an instance crash. The dispatch clock is
 * simulated, so that leases and retry delays pass at once.
 */
export class FaultPipeline {
  readonly providers: FakeProviders;
  readonly ingested: IngestOutcome[] = [];
  readonly dispatched: DispatchOutcome[] = [];
  readonly stats: FaultPipelineStats = {
    processesStarted: 0,
    crashes: [],
    ingestInvocations: 0,
    ingestRedeliveries: 0,
    deadLettered: 0,
    streamRetries: 0,
    streamBatchesDropped: 0,
    releaseRuns: 0,
    dynamoDb: { throttled: 0, cancelledByThrottling: 0 },
  };
  /** Time of the dispatch and release processes, in milliseconds; it only moves forward. */
  readonly clock = { now: Date.now() };
  private readonly random: SeededRandom;
  private readonly clients: DynamoDBClient[] = [];
  private readonly streamWorkers: DispatchWorker[] = [];

  private constructor(
    private readonly options: FaultPipelineOptions,
    private readonly stream: LocalStreamReader,
  ) {
    const seed = options.seed ?? 1;
    this.random = new SeededRandom(seed);
    this.providers = new FakeProviders(options.providerFaults, seed + 1, options.dispatchCrashes);
    for (let group = 0; group < STREAM_PARALLELISM; group += 1) {
      this.streamWorkers.push(this.startDispatchWorker(`dispatch-${group}`));
    }
  }

  /** Creates the pipeline and starts reading the table's stream; call it before writing to the table. */
  static async create(options: FaultPipelineOptions): Promise<FaultPipeline> {
    const { table } = options;
    const stream = await LocalStreamReader.open(table.client, table.endpoint, table.tableName);
    return new FaultPipeline(options, stream);
  }

  private startProcess(name: string, crashes: CrashPlan | undefined, defect?: Defect) {
    this.stats.processesStarted += 1;
    const simulated = new SimulatedProcess(`${name} (process ${this.stats.processesStarted})`);
    const client = createFaultyDynamoDbClient({
      endpoint: this.options.table.endpoint,
      simulated,
      ...(crashes && { crashes }),
      throttleRate: this.options.throttleRate ?? 0,
      random: this.random,
      counts: this.stats.dynamoDb,
      ...(defect && { defect }),
    });
    this.clients.push(client);
    return { simulated, documentClient: createDocumentClient(client) };
  }

  private startIngestWorker(): IngestWorker {
    const { simulated, documentClient } = this.startProcess(
      "ingest",
      this.options.ingestCrashes,
      this.options.ingestDefect,
    );
    const deps = createIngestDependencies(
      { documentClient, onOutcome: (outcome) => this.ingested.push(outcome) },
      // Events are replayed with booking times of past days, which must still decide messages.
      { TABLE_NAME: this.options.table.tableName, MAX_EVENT_AGE_HOURS: "0" },
    );
    return { simulated, handler: createIngestHandler(deps) };
  }

  private startDispatchWorker(name: string): DispatchWorker {
    const { simulated, documentClient } = this.startProcess(name, this.options.dispatchCrashes);
    const deps = createDispatchDependencies(
      {
        documentClient,
        ...this.providers.channelsFor(simulated),
        clock: () => new Date(this.clock.now),
        onOutcome: (outcome) => this.dispatched.push(outcome),
      },
      { TABLE_NAME: this.options.table.tableName },
    );
    return { simulated, dispatch: createDispatchHandler(deps), release: createReleaseHandler(deps) };
  }

  private noteCrash(simulated: SimulatedProcess): void {
    this.stats.crashes.push(simulated.crashedAt ?? "unknown point");
  }

  /**
   * Delivers the events through an SQS queue with a dead-letter queue: batches run on `lanes`
   * concurrent ingest instances, failed records come back with a higher receive count, and a record
   * that failed {@link MAX_RECEIVE_COUNT} times is re-driven from the dead-letter queue, as an
   * operator would after the alarm.
   */
  async ingest(sources: readonly SourceEvent[]): Promise<void> {
    const lanes = this.options.lanes ?? 2;
    const workers = Array.from({ length: lanes }, () => ({ current: this.startIngestWorker() }));
    const handlers: SqsHandler[] = workers.map((lane) => async (event: SQSEvent, context: Context) => {
      const worker = lane.current;
      let response: SQSBatchResponse;
      try {
        response = await worker.handler(event, context);
      } catch {
        // An error that escapes the handler fails the whole batch, as Lambda reports it to SQS.
        response = allRecordsFailed(event);
      }
      if (!worker.simulated.crashed) return response;
      this.noteCrash(worker.simulated);
      lane.current = this.startIngestWorker();
      return allRecordsFailed(event);
    });

    let pending = sources;
    for (let redrive = 0; pending.length > 0; redrive += 1) {
      if (redrive > MAX_DEAD_LETTER_REDRIVES) {
        throw new Error(
          `${pending.length} events were still dead-lettered after ${MAX_DEAD_LETTER_REDRIVES} re-drives: ${pending
            .slice(0, 5)
            .map(eventIdOf)
            .join(", ")}`,
        );
      }
      const result = await replayThroughQueue(pending, handlers, {
        lanes,
        batchSize: this.options.batchSize ?? 10,
        maxReceiveCount: MAX_RECEIVE_COUNT,
        functionName: "fault-suite-ingest",
      });
      this.stats.ingestInvocations += result.invocations;
      this.stats.ingestRedeliveries += result.redeliveries;
      this.stats.deadLettered += result.deadLettered.length;
      const deadLettered = new Set(result.deadLettered);
      pending = pending.filter((source) => deadLettered.has(eventIdOf(source)));
    }
  }

  /**
   * Hands every new stream record to the dispatch function, as the event source mapping would: records
   * of one partition key stay in one of four groups, a failed batch is retried from its first failed
   * record, and a batch whose process died is retried whole on a new process.
   */
  async dispatchFromStream(): Promise<void> {
    for (;;) {
      const records = await this.stream.readNew();
      if (records.length === 0) return;
      const groups: DynamoDBRecord[][] = Array.from({ length: STREAM_PARALLELISM }, () => []);
      for (const record of records) groups[streamGroupOf(record)]?.push(record);
      await Promise.all(
        groups.map(async (group, index) => {
          for (let start = 0; start < group.length; start += STREAM_BATCH_SIZE) {
            await this.deliverStreamBatch(index, group.slice(start, start + STREAM_BATCH_SIZE));
          }
        }),
      );
    }
  }

  private async deliverStreamBatch(group: number, batch: readonly DynamoDBRecord[]): Promise<void> {
    let pending = batch;
    for (let attempt = 0; pending.length > 0; attempt += 1) {
      if (attempt > STREAM_RETRY_ATTEMPTS) {
        this.stats.streamBatchesDropped += 1;
        return;
      }
      if (attempt > 0) this.stats.streamRetries += 1;
      const worker = this.streamWorkers[group] as DispatchWorker;
      let failed: Set<string>;
      try {
        const response = await worker.dispatch(
          { Records: [...pending] },
          lambdaContext("fault-suite-dispatch"),
        );
        failed = new Set(response.batchItemFailures.map((failure) => failure.itemIdentifier));
      } catch {
        failed = new Set(pending.map((record) => record.dynamodb?.SequenceNumber ?? ""));
      }
      if (worker.simulated.crashed) {
        this.noteCrash(worker.simulated);
        this.streamWorkers[group] = this.startDispatchWorker(`dispatch-${group}`);
        continue;
      }
      if (failed.size === 0) return;
      const firstFailed = pending.findIndex((record) => failed.has(record.dynamodb?.SequenceNumber ?? ""));
      pending = firstFailed < 0 ? pending : pending.slice(firstFailed);
    }
  }

  /** Runs the release job once at `at`, on a new process, until it finds fewer due messages than its limit. */
  async runReleaseJob(at: number): Promise<void> {
    this.clock.now = Math.max(this.clock.now, at);
    const worker = this.startDispatchWorker("release");
    this.stats.releaseRuns += 1;
    for (;;) {
      let released: number;
      try {
        ({ released } = await worker.release({}, lambdaContext("fault-suite-release")));
      } catch {
        // A failed run leaves its messages due; the next scheduled run takes them.
        released = 0;
      }
      if (worker.simulated.crashed) {
        this.noteCrash(worker.simulated);
        return;
      }
      if (released < RELEASE_BATCH_LIMIT) return;
    }
  }

  /**
   * Outbox items that still need a dispatch or a release-job run: not yet delivered, failed or
   * suppressed, or settled but still listed in GSI1 because their result event was not confirmed.
   */
  async openOutboxItems(): Promise<Record<string, unknown>[]> {
    const items = await scanTable(this.options.table.documentClient, this.options.table.tableName);
    return items.filter(
      (item) =>
        String(item.SK).startsWith(OUTBOX_SORT_KEY_PREFIX) &&
        (OPEN_STATUSES.has(String(item.status)) || item.GSI1PK !== undefined),
    );
  }

  /**
   * Dispatches from the stream, then runs the release job at each next due time (a lease that ran
   * out, a retry delay, a quiet-hours deferral) until every outbox item is settled.
   */
  async settle(): Promise<void> {
    for (let run = 0; run < MAX_RELEASE_RUNS; run += 1) {
      await this.dispatchFromStream();
      const open = await this.openOutboxItems();
      if (open.length === 0) return;
      const nextDue = Math.min(...open.map(dueTimeOf));
      await this.runReleaseJob(Math.max(this.clock.now + 1_000, nextDue + 1_000));
    }
    await this.dispatchFromStream();
    const open = await this.openOutboxItems();
    if (open.length > 0) {
      throw new Error(
        `${open.length} outbox messages are still open after ${MAX_RELEASE_RUNS} release-job runs, such as ${String(open[0]?.SK)} (${String(open[0]?.status)})`,
      );
    }
  }

  /** Ingests the events, then dispatches and releases until every message is settled. */
  async run(sources: readonly SourceEvent[]): Promise<void> {
    await this.ingest(sources);
    await this.settle();
  }

  close(): void {
    this.stream.close();
    for (const client of this.clients) client.destroy();
  }
}

/** Reads every item of a table with strongly consistent scans. */
export async function scanTable(
  documentClient: DynamoDBDocumentClient,
  tableName: string,
): Promise<Record<string, unknown>[]> {
  const items: Record<string, unknown>[] = [];
  let cursor: Record<string, unknown> | undefined;
  do {
    const page = await documentClient.send(
      new ScanCommand({ TableName: tableName, ExclusiveStartKey: cursor, ConsistentRead: true }),
    );
    items.push(...(page.Items ?? []));
    cursor = page.LastEvaluatedKey;
  } while (cursor);
  return items;
}
