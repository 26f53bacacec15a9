import { createHash } from "node:crypto";
import { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import type { DynamoDBDocumentClient } from "@aws-sdk/lib-dynamodb";
import type { DynamoDBRecord } from "aws-lambda";
import { createDocumentClient } from "../../lambdas/adapters/aws/clients";
import { addDays } from "../../lambdas/domain/calendar";
import { DEFAULT_TIME_ZONE } from "../../lambdas/domain/preferences";
import { instantOfLocal, toLocalTime } from "../../lambdas/domain/zoned-time";
import { createDispatchDependencies } from "../../lambdas/handlers/dispatch/dependencies";
import {
  createDispatchHandler,
  type DispatchHandlerDependencies,
} from "../../lambdas/handlers/dispatch/handler";
import { createIngestDependencies } from "../../lambdas/handlers/ingest/dependencies";
import { createIngestHandler } from "../../lambdas/handlers/ingest/handler";
import { createReleaseHandler, RELEASE_BATCH_LIMIT } from "../../lambdas/handlers/release/handler";
import { createReminderDependencies } from "../../lambdas/handlers/reminders/dependencies";
import { createReminderHandler } from "../../lambdas/handlers/reminders/handler";
import type { DispatchOutcome } from "../../lambdas/use-cases/dispatch-message";
import type { IngestOutcome } from "../../lambdas/use-cases/ingest-transaction";
import type { ReminderResult } from "../../lambdas/use-cases/send-payment-reminders";
import type { SourceEvent } from "../importers/source-event";
import { lambdaContext } from "./aws-events";
import { LOCAL_CREDENTIALS, LOCAL_REGION } from "./dynamodb-local";
import {
  LocalEmailSender,
  LocalEventPublisher,
  type LocalOutboxFolder,
  LocalPushSender,
} from "./local-channels";
import { replayThroughQueue, type SqsHandler } from "./replay";
import { RequestCounter } from "./request-counter";
import { LocalStreamReader } from "./stream-reader";

/** Most concurrent ingest invocations a replay may ask for. */
export const MAX_LANES = 64;

/** Concurrent dispatch batches, as the stream event source mapping's parallelization factor sets in AWS. */
export const DISPATCH_PARALLELISM = 4;

/** Hour of the local morning at which the daily reminder job runs, as its schedules do in AWS. */
export const REMINDER_HOUR = "08:00";

export interface RuntimeListeners {
  onIngest?(outcome: IngestOutcome): void;
  onDispatch?(outcome: DispatchOutcome): void;
  onReminders?(result: ReminderResult): void;
  /** Called after each group of events, with how many were processed. */
  onProgress?(processed: number): void;
}

export interface ReplayOptions {
  readonly lanes: number;
  readonly batchSize: number;
  /** Time zones whose daily reminder job the replay runs, each morning of the replayed period. */
  readonly timeZones: readonly string[];
  /** False runs ingestion alone, at full speed, and the reminder job once at the end. */
  readonly timeline: boolean;
}

/** Booking time of an event, or undefined for input that is not an importer-built event. */
function bookedAt(source: SourceEvent): number | undefined {
  if (source.kind !== "event") return undefined;
  const detail = source.event.detail;
  if (typeof detail !== "object" || detail === null || !("bookingTime" in detail)) return undefined;
  const time = Date.parse(String(detail.bookingTime));
  return Number.isNaN(time) ? undefined : time;
}

/** The first reminder run (08:00 in the zone) after an instant. */
function nextReminderRun(instantMs: number, timeZone: string): number {
  const { date } = toLocalTime(instantMs, timeZone);
  const today = instantOfLocal(date, REMINDER_HOUR, timeZone);
  return today > instantMs ? today : instantOfLocal(addDays(date, 1), REMINDER_HOUR, timeZone);
}

/**
 * The pipeline on one machine: the same handler factories as the Lambda entry points, with the same
 * environment, wired to DynamoDB Local, its stream, and a folder that stands in for push, e-mail and
 * the event bus.
 */
export class LocalRuntime {
  readonly dynamoDb: DynamoDBClient;
  readonly documentClient: DynamoDBDocumentClient;
  readonly requests = new RequestCounter();
  /** One ingest handler per lane and one dispatch handler per stream group, as separate Lambda instances. */
  private readonly ingestHandlers: SqsHandler[] = [];
  private readonly dispatchHandlers: Array<ReturnType<typeof createDispatchHandler>> = [];
  private readonly release;
  private readonly reminders;
  private simulatedNow: number | undefined;
  /** Times at which messages deferred during the replay become due, so the release job runs only then. */
  private readonly deferredUntil: number[] = [];
  private stream: LocalStreamReader | undefined;

  constructor(
    readonly endpoint: string,
    readonly tableName: string,
    readonly outboxFolder: LocalOutboxFolder,
    private readonly listeners: RuntimeListeners = {},
  ) {
    this.dynamoDb = new DynamoDBClient({
      endpoint,
      region: process.env.AWS_REGION ?? LOCAL_REGION,
      ...(process.env.AWS_ACCESS_KEY_ID === undefined && { credentials: LOCAL_CREDENTIALS }),
    });
    this.requests.attach(this.dynamoDb);
    this.documentClient = createDocumentClient(this.dynamoDb);
    const environment = { ...process.env, TABLE_NAME: tableName };

    const ingestDependencies = () =>
      createIngestDependencies(
        {
          documentClient: this.documentClient,
          onOutcome: (outcome) => {
            if (outcome.kind === "applied") this.noteDeferrals(outcome.messages);
            listeners.onIngest?.(outcome);
          },
        },
        environment,
      );
    const dispatchDependencies = (): DispatchHandlerDependencies =>
      createDispatchDependencies(
        {
          documentClient: this.documentClient,
          push: new LocalPushSender(outboxFolder),
          email: new LocalEmailSender(outboxFolder),
          events: new LocalEventPublisher(outboxFolder),
          clock: () => this.now(),
          onOutcome: (outcome) => listeners.onDispatch?.(outcome),
        },
        environment,
      );
    for (let lane = 0; lane < MAX_LANES; lane += 1)
      this.ingestHandlers.push(createIngestHandler(ingestDependencies()));
    for (let group = 0; group < DISPATCH_PARALLELISM; group += 1) {
      this.dispatchHandlers.push(createDispatchHandler(dispatchDependencies()));
    }
    this.release = createReleaseHandler(dispatchDependencies());
    this.reminders = createReminderHandler(
      createReminderDependencies(
        { documentClient: this.documentClient, clock: () => this.now() },
        environment,
      ),
    );
  }

  private noteDeferrals(messages: ReadonlyArray<{ notBefore?: string }>): void {
    for (const message of messages)
      if (message.notBefore) this.deferredUntil.push(Date.parse(message.notBefore));
  }

  /** The scheduled jobs' clock: the replayed moment during a timeline replay, else the real time. */
  private now(): Date {
    return new Date(this.simulatedNow ?? Date.now());
  }

  /** Starts following the table's stream; call before writing, so dispatch sees every new outbox item. */
  async followStream(): Promise<void> {
    this.stream = await LocalStreamReader.open(this.dynamoDb, this.endpoint, this.tableName);
  }

  /**
   * Replays events through the ingest handler. In timeline mode the events run in booking order, one
   * day at a time up to each morning's reminder run, so reminders see the payments made before them
   * and no later ones, as they would have at the time.
   */
  async replay(sources: readonly SourceEvent[], options: ReplayOptions): Promise<{ deadLettered: string[] }> {
    const deadLettered: string[] = [];
    const replayGroup = async (group: readonly SourceEvent[]) => {
      const result = await replayThroughQueue(group, this.ingestHandlers.slice(0, options.lanes), {
        lanes: options.lanes,
        batchSize: options.batchSize,
        maxReceiveCount: 5,
        functionName: "personalization-ingest",
        onBatch: (processed) => this.listeners.onProgress?.(processed),
      });
      deadLettered.push(...result.deadLettered);
    };

    const timeZones = options.timeZones.length > 0 ? options.timeZones : [DEFAULT_TIME_ZONE];
    if (!options.timeline) {
      await replayGroup(sources);
      await this.runReminders(timeZones, Date.now());
      return { deadLettered };
    }

    const untimed = sources.filter((source) => bookedAt(source) === undefined);
    const timed = sources
      .map((source, index) => ({ source, index, at: bookedAt(source) }))
      .filter((entry): entry is { source: SourceEvent; index: number; at: number } => entry.at !== undefined)
      .sort((a, b) => a.at - b.at || a.index - b.index);
    if (untimed.length > 0) await replayGroup(untimed);

    // Every morning from the first event's to the one after the last event gets a reminder run, also
    // a morning without events before it. A reminder falls due on its own date, which need not be a
    // date with events.
    const zone = timeZones[0] as string;
    let start = 0;
    let morning = timed[0] === undefined ? 0 : nextReminderRun(timed[0].at, zone);
    while (start < timed.length) {
      const runAt = morning;
      let end = start;
      while (end < timed.length && (timed[end] as { at: number }).at < runAt) end += 1;
      if (end > start) await replayGroup(timed.slice(start, end).map((entry) => entry.source));
      await this.runReminders(timeZones, runAt, 0);
      if (this.deferredUntil.some((due) => due <= runAt)) {
        await this.releaseDue(runAt);
        this.deferredUntil.splice(
          0,
          this.deferredUntil.length,
          ...this.deferredUntil.filter((due) => due > runAt),
        );
      }
      start = end;
      morning = nextReminderRun(runAt, zone);
    }
    return { deadLettered };
  }

  /** Delivers events to the ingest handler as the queue would, outside any replay. */
  async ingest(sources: readonly SourceEvent[]): Promise<{ deadLettered: readonly string[] }> {
    return replayThroughQueue(sources, this.ingestHandlers.slice(0, 1), {
      lanes: 1,
      batchSize: 10,
      maxReceiveCount: 5,
      functionName: "personalization-ingest",
    });
  }

  /**
   * Runs the daily reminder job for each zone, as its schedule would at `instantMs`. A timeline replay
   * misses no day, so it asks for no catch-up days.
   */
  async runReminders(timeZones: readonly string[], instantMs: number, catchUpDays?: number): Promise<void> {
    this.simulatedNow = instantMs;
    try {
      for (const timeZone of timeZones) {
        const payload = catchUpDays === undefined ? { timeZone } : { timeZone, catchUpDays };
        const result = await this.reminders(payload, lambdaContext("personalization-reminders"));
        this.listeners.onReminders?.(result);
      }
    } finally {
      this.simulatedNow = undefined;
    }
  }

  /**
   * Delivers every outbox item written since the last call, as the stream's event source mapping
   * would with a parallelization factor of {@link DISPATCH_PARALLELISM}: records of one partition key
   * stay in order within one group, and groups run at the same time.
   */
  async dispatchFromStream(): Promise<number> {
    if (!this.stream) throw new Error("Call followStream() before writing");
    let dispatched = 0;
    for (;;) {
      const records: DynamoDBRecord[] = await this.stream.readNew();
      if (records.length === 0) return dispatched;
      const groups: DynamoDBRecord[][] = Array.from({ length: DISPATCH_PARALLELISM }, () => []);
      for (const record of records) {
        const key = record.dynamodb?.Keys?.PK?.S ?? "";
        groups[createHash("sha256").update(key).digest().readUInt32BE(0) % DISPATCH_PARALLELISM]?.push(
          record,
        );
      }
      await Promise.all(
        groups.map(async (group, index) => {
          const dispatch = this.dispatchHandlers[index] as (typeof this.dispatchHandlers)[number];
          for (let start = 0; start < group.length; start += 100) {
            const batch = group.slice(start, start + 100);
            const response = await dispatch({ Records: batch }, lambdaContext("personalization-dispatch"));
            if (response.batchItemFailures.length > 0) {
              throw new Error(
                `Dispatch reported ${response.batchItemFailures.length} failed records; see the errors above`,
              );
            }
          }
        }),
      );
      dispatched += records.length;
    }
  }

  /**
   * Runs the release job until it finds nothing due: it sends messages whose quiet hours or retry delay
   * ended by `instantMs` (the real time when omitted).
   */
  async releaseDue(instantMs?: number): Promise<number> {
    this.simulatedNow = instantMs;
    try {
      let total = 0;
      for (;;) {
        const { released } = await this.release({}, lambdaContext("personalization-release"));
        total += released;
        if (released < RELEASE_BATCH_LIMIT) return total;
      }
    } finally {
      this.simulatedNow = undefined;
    }
  }

  close(): void {
    this.stream?.close();
    this.dynamoDb.destroy();
  }
}
