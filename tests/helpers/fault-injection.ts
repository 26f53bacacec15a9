import {
  DynamoDBClient,
  type DynamoDBClientConfig,
  ProvisionedThroughputExceededException,
  ThrottlingException,
  TransactionCanceledException,
} from "@aws-sdk/client-dynamodb";
import { uniformFloat64 } from "pure-rand/distribution/uniformFloat64";
import { xoroshiro128plus } from "pure-rand/generator/xoroshiro128plus";
import { SORT_KEYS } from "../../lambdas/adapters/dynamodb/keys";
import { OUTBOX_SORT_KEY_PREFIX } from "../../lambdas/adapters/dynamodb/outbox-items";
import { LOCAL_CREDENTIALS, LOCAL_REGION } from "../../scripts/local/dynamodb-local";

/**
 * Faults for the fault-injection suite: simulated process deaths at chosen requests, and DynamoDB
 * throttling at a seeded rate. Both act through the AWS SDK's middleware stack of a client that one
 * simulated process owns, so the product code under test runs unchanged.
 */

/** Seeded numbers in [0, 1), so that a run's random faults follow from its seed. */
export class SeededRandom {
  private readonly generator;

  constructor(readonly seed: number) {
    this.generator = xoroshiro128plus(seed);
  }

  next(): number {
    return uniformFloat64(this.generator);
  }

  /** Returns true with probability `rate`. */
  chance(rate: number): boolean {
    return rate > 0 && this.next() < rate;
  }

  pick<T>(items: readonly T[]): T {
    return items[Math.floor(this.next() * items.length)] as T;
  }
}

/** The error a simulated process throws when it dies, and on every request it attempts afterwards. */
export class ProcessCrash extends Error {
  override name = "ProcessCrash";
}

/**
 * One simulated Lambda execution environment. Once it has crashed, every DynamoDB request and every
 * provider call it attempts throws {@link ProcessCrash}, so nothing it would have done after dying
 * reaches storage or a provider. Requests already on the wire when it died may still complete, as
 * they would in AWS.
 */
export class SimulatedProcess {
  private crashPoint: string | undefined;

  constructor(readonly name: string) {}

  get crashed(): boolean {
    return this.crashPoint !== undefined;
  }

  get crashedAt(): string | undefined {
    return this.crashPoint;
  }

  crash(point: string): never {
    this.crashPoint ??= point;
    throw new ProcessCrash(`${this.name} died ${point}`);
  }

  assertAlive(operation: string): void {
    if (this.crashPoint !== undefined) {
      throw new ProcessCrash(`${this.name} cannot send ${operation}: it died ${this.crashPoint}`);
    }
  }
}

export type CrashMoment = "before" | "after";

/** Where a process dies: before a request is sent, or after its response arrived, whatever it was. */
export interface CrashPoint {
  /**
   * Pipeline step of the request, as {@link stepOf} names DynamoDB requests ("load", "commit",
   * "claim", "record", …), or a provider call ("push", "email", "events"). Undefined matches every
   * request, counted together.
   */
  readonly operation?: string;
  /** Which matching request of the run, counted from 1 over all processes that share the plan. */
  readonly occurrence: number;
  readonly moment: CrashMoment;
}

/** Name of a crash point in test names and messages, such as "after TransactWriteItems #1". */
export function describeCrashPoint(point: CrashPoint): string {
  return `${point.moment} ${point.operation ?? "request"} #${point.occurrence}`;
}

interface RequestTicket {
  readonly operation: string;
  /** Position among requests of the same operation, from 1. */
  readonly occurrence: number;
  /** Position among all requests of the plan, from 1. */
  readonly index: number;
}

/**
 * Counts the requests of every process that shares it and makes a process die at each crash point
 * once. The processes of one phase (ingest, or dispatch and release) share a plan, so "the first
 * commit" means the first commit of the run, not of each process.
 */
export class CrashPlan {
  private readonly byOperation = new Map<string, number>();
  private total = 0;
  /** Crash points that fired, in order. */
  readonly fired: string[] = [];
  /** Every request in the order the processes started them, such as "TransactWriteItems". */
  readonly requests: string[] = [];

  /**
   * @param points crash points that fire once each
   * @param random also kills a process at any request with probability `rate`, half of the time
   *   before the request and half after it
   */
  constructor(
    private readonly points: readonly CrashPoint[] = [],
    private readonly random?: { readonly rate: number; readonly source: SeededRandom },
  ) {}

  /** Counts a request and kills the process if a crash point is set "before" it. */
  beforeRequest(simulated: SimulatedProcess, operation: string): RequestTicket {
    simulated.assertAlive(operation);
    const occurrence = (this.byOperation.get(operation) ?? 0) + 1;
    this.byOperation.set(operation, occurrence);
    this.total += 1;
    this.requests.push(operation);
    const ticket = { operation, occurrence, index: this.total };
    this.crashIfPlanned(simulated, ticket, "before");
    return ticket;
  }

  /** Kills the process if a crash point is set "after" this request, once its response has arrived. */
  afterRequest(simulated: SimulatedProcess, ticket: RequestTicket): void {
    this.crashIfPlanned(simulated, ticket, "after");
  }

  private crashIfPlanned(simulated: SimulatedProcess, ticket: RequestTicket, moment: CrashMoment): void {
    const point = this.points.find(
      (candidate) =>
        candidate.moment === moment &&
        (candidate.operation === undefined
          ? candidate.occurrence === ticket.index
          : candidate.operation === ticket.operation && candidate.occurrence === ticket.occurrence),
    );
    const randomly = this.random?.source.chance(this.random.rate / 2) ?? false;
    if (!point && !randomly) return;
    const label = `${moment} ${ticket.operation} #${ticket.occurrence}`;
    this.fired.push(label);
    simulated.crash(label);
  }
}

/** Returns the string in a key attribute, whether the input is still plain or already marshalled ({ S: "…" }). */
function keyText(value: unknown): string {
  if (typeof value === "string") return value;
  if (typeof value === "object" && value !== null && "S" in value) return String(value.S);
  return "";
}

function field(input: unknown, name: string): unknown {
  return typeof input === "object" && input !== null ? (input as Record<string, unknown>)[name] : undefined;
}

/**
 * Names the pipeline step a DynamoDB request belongs to, from the shape of the product's requests.
 * Ingest's steps are "load" (the customer's items), "commit" (the atomic write) and "quarantine".
 * Dispatch's are "claim", "read-devices", "read-contact", "read-consents", "deactivate-device",
 * "inbox-put", "record" (a claimed attempt's result), "settle-event" (a published derived event) and
 * "event-fallback" (a result event the bus rejected). The release job's is "list-due". Any other
 * request keeps its operation name.
 */
export function stepOf(operation: string, input: unknown): string {
  const key = field(input, "Key") ?? field(input, "Item");
  const partitionKey = keyText(field(key, "PK"));
  const sortKey = keyText(field(key, "SK"));
  switch (operation) {
    case "BatchGetItem":
      return "load";
    case "TransactWriteItems":
      return "commit";
    case "PutItem":
      if (partitionKey.startsWith("QUARANTINE#")) return "quarantine";
      if (sortKey.startsWith("INBOX#")) return "inbox-put";
      if (sortKey.startsWith("OUT#")) return "event-fallback";
      return operation;
    case "UpdateItem": {
      if (sortKey.startsWith("DEVICE#")) return "deactivate-device";
      const condition = String(field(input, "ConditionExpression") ?? "");
      if (String(field(input, "UpdateExpression") ?? "").startsWith("SET #status = :sending")) return "claim";
      if (condition.includes(":attempt")) return "record";
      if (condition === "#status = :pending") return "settle-event";
      return operation;
    }
    case "Query":
      return field(input, "IndexName") === undefined ? "read-devices" : "list-due";
    case "GetItem":
      if (sortKey === "CONTACT") return "read-contact";
      if (sortKey === "CONSENTS") return "read-consents";
      return operation;
    default:
      return operation;
  }
}

type RetryStrategyV2 = Extract<
  NonNullable<DynamoDBClientConfig["retryStrategy"]>,
  { refreshRetryTokenForRetry: unknown }
>;
type RetryToken = Awaited<ReturnType<RetryStrategyV2["acquireInitialRetryToken"]>>;

/** Attempts per DynamoDB call, the first one included, as the SDK's standard retry mode makes them. */
export const SDK_MAX_ATTEMPTS = 3;

function retryToken(retryCount: number): RetryToken {
  const delayMs = retryCount === 0 ? 0 : 1 + Math.floor(Math.random() * 10);
  return { getRetryCount: () => retryCount, getRetryDelay: () => delayMs };
}

/**
 * The SDK's standard retry decisions (throttling and transient errors, {@link SDK_MAX_ATTEMPTS}
 * attempts) with delays of 1 to 10 ms instead of the SDK's backoff from a 1 s base, so that the
 * suite spends its time in the product's code. It has no retry quota, unlike the SDK's.
 */
const quickRetries: RetryStrategyV2 = {
  acquireInitialRetryToken: async () => retryToken(0),
  refreshRetryTokenForRetry: async (token, errorInfo) => {
    const retryable = errorInfo.errorType === "THROTTLING" || errorInfo.errorType === "TRANSIENT";
    if (!retryable || token.getRetryCount() + 1 >= SDK_MAX_ATTEMPTS) {
      throw new Error("No retry: the error is not retryable or the attempts are used up");
    }
    return retryToken(token.getRetryCount() + 1);
  },
  recordSuccess: () => undefined,
};

/** Counts of the faults a client injected, for test reports. */
export interface DynamoDbFaultCounts {
  throttled: number;
  /** Throttled TransactWriteItems calls that returned a cancelled transaction with a ThrottlingError reason. */
  cancelledByThrottling: number;
}

export interface DynamoDbFaultOptions {
  readonly endpoint: string;
  readonly simulated: SimulatedProcess;
  readonly crashes?: CrashPlan;
  /**
   * Share of DynamoDB attempts, from 0 to 1, that fail with a throttling error. The error is thrown
   * inside the SDK's retry loop, as a throttling response from DynamoDB would be.
   */
  readonly throttleRate?: number;
  readonly random?: SeededRandom;
  readonly counts?: DynamoDbFaultCounts;
  /** A safeguard taken out of the product's writes, to show that the reconciliation notices. */
  readonly defect?: Defect;
}

/**
 * Safeguards the suite can take out of the ledger's transactional write, as a code change would:
 * - "no-exactly-once-guard": transaction records are written without their condition that the
 *   transaction id is new, so a redelivered event is applied again;
 * - "no-outbox": the outbox items are left out of the write, so decided messages are not stored
 *   with the change that decided them.
 */
export type Defect = "no-exactly-once-guard" | "no-outbox";

function sortKeyOf(entry: { Put?: { Item?: Record<string, unknown> } }): string {
  return keyText(entry.Put?.Item?.SK);
}

/** Rewrites a TransactWriteItems input with the defect applied; other inputs are returned as they are. */
function withDefect(defect: Defect, input: Record<string, unknown>): Record<string, unknown> {
  const entries = input.TransactItems;
  if (!Array.isArray(entries)) return input;
  if (defect === "no-outbox") {
    const kept = entries.filter((entry) => !sortKeyOf(entry).startsWith(OUTBOX_SORT_KEY_PREFIX));
    return { ...input, TransactItems: kept };
  }
  return {
    ...input,
    TransactItems: entries.map((entry) => {
      if (!sortKeyOf(entry).startsWith(SORT_KEYS.transactionPrefix)) return entry;
      const { ConditionExpression, ReturnValuesOnConditionCheckFailure, ...put } = entry.Put;
      return { Put: put };
    }),
  };
}

function itemCountOf(input: unknown): number {
  if (typeof input !== "object" || input === null || !("TransactItems" in input)) return 1;
  return Array.isArray(input.TransactItems) ? input.TransactItems.length : 1;
}

/**
 * Builds the error DynamoDB returns for a throttled request. A throttled transaction fails
 * either with ProvisionedThroughputExceededException, which the SDK retries, or with
 * TransactionCanceledException and a ThrottlingError cancellation reason, which the SDK does not
 * retry and the ledger must treat as retryable.
 */
function throttlingError(
  operation: string,
  input: unknown,
  random: SeededRandom,
  counts?: DynamoDbFaultCounts,
) {
  const $metadata = { httpStatusCode: 400, requestId: "simulated-throttling" };
  if (operation === "TransactWriteItems" && random.chance(0.5)) {
    const itemCount = itemCountOf(input);
    const throttledItem = Math.floor(random.next() * itemCount);
    const reasons = Array.from({ length: itemCount }, (_, index) =>
      index === throttledItem
        ? {
            Code: "ThrottlingError",
            Message: "Throughput exceeds the current capacity of your table or index.",
          }
        : { Code: "None" },
    );
    if (counts) counts.cancelledByThrottling += 1;
    return new TransactionCanceledException({
      message: `Transaction cancelled, please refer cancellation reasons for specific reasons [${reasons.map((reason) => reason.Code).join(", ")}]`,
      CancellationReasons: reasons,
      $metadata,
    });
  }
  if (random.chance(0.5)) {
    return new ThrottlingException({
      message: "Throughput exceeds the current capacity for the table.",
      $metadata,
    });
  }
  return new ProvisionedThroughputExceededException({
    message: "The level of configured provisioned throughput for the table was exceeded.",
    $metadata,
  });
}

/**
 * Creates the DynamoDB client of one simulated process. Its middleware kills the process at the
 * crash points of `crashes` and throttles a seeded share of attempts. Without crash points, a
 * throttle rate or a defect, it is a plain client for DynamoDB Local.
 */
export function createFaultyDynamoDbClient(options: DynamoDbFaultOptions): DynamoDBClient {
  const { simulated, crashes, throttleRate = 0, counts, defect } = options;
  const random = options.random ?? new SeededRandom(1);
  const client = new DynamoDBClient({
    endpoint: options.endpoint,
    region: LOCAL_REGION,
    credentials: LOCAL_CREDENTIALS,
    retryStrategy: quickRetries,
  });

  // Outermost step: the whole call, retries included, so "after" means after the last response.
  client.middlewareStack.add(
    (next, context) => async (args) => {
      const operation = stepOf(context.commandName?.replace(/Command$/, "") ?? "Unknown", args.input);
      if (!crashes) {
        simulated.assertAlive(operation);
        return next(args);
      }
      const ticket = crashes.beforeRequest(simulated, operation);
      let result: Awaited<ReturnType<typeof next>>;
      try {
        result = await next(args);
      } catch (error) {
        crashes.afterRequest(simulated, ticket);
        throw error;
      }
      crashes.afterRequest(simulated, ticket);
      return result;
    },
    { step: "initialize", priority: "high", name: "simulatedProcessCrash" },
  );

  if (defect) {
    client.middlewareStack.add(
      (next, context) => async (args) =>
        context.commandName === "TransactWriteItemsCommand"
          ? next({ ...args, input: withDefect(defect, args.input as Record<string, unknown>) })
          : next(args),
      { step: "initialize", priority: "low", name: "simulatedDefect" },
    );
  }

  if (throttleRate > 0) {
    // Inside the retry loop, so each attempt may be throttled and the SDK retries as it would in AWS.
    client.middlewareStack.add(
      (next, context) => async (args) => {
        if (random.chance(throttleRate)) {
          if (counts) counts.throttled += 1;
          const operation = context.commandName?.replace(/Command$/, "") ?? "Unknown";
          throw throttlingError(operation, args.input, random, counts);
        }
        return next(args);
      },
      { step: "finalizeRequest", priority: "low", name: "simulatedThrottling" },
    );
  }
  return client;
}
