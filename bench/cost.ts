/**
 * On-demand prices in us-east-1, in US dollars, as published on the AWS pricing pages in December
 * 2026 (EventBridge, SQS, Lambda and DynamoDB; docs/BENCHMARKS.md links them). Free tiers and
 * volume discounts are left out.
 * NOTE: prices change; recheck them on the pricing pages before quoting a result.
 */
export const PRICES = {
  region: "us-east-1",
  asOf: "2026-12",
  /** Per custom event published to an event bus (each 64 KB chunk counts as one event). */
  eventBridgeEvent: 1.0 / 1e6,
  /** Per standard-queue request (SendMessage, ReceiveMessage, DeleteMessageBatch; per 64 KB chunk). */
  sqsRequest: 0.4 / 1e6,
  lambdaRequest: 0.2 / 1e6,
  /** Per GB-second of an arm64 function, first pricing tier. */
  lambdaArmGbSecond: 0.0000133334,
  dynamoDbWriteRequestUnit: 0.625 / 1e6,
  dynamoDbReadRequestUnit: 0.125 / 1e6,
} as const;

/** Memory of every function in the CDK stack (ServiceFunction's default in lib/constructs/service-function.ts). */
export const LAMBDA_MEMORY_GB = 512 / 1024;

export interface CostInputs {
  /** Transactions applied in the measured run. */
  readonly transactions: number;
  readonly ingestInvocations: number;
  /** Sum of the ingest invocations' billed durations: each measured duration rounded up to 1 ms. */
  readonly ingestBilledMs: number;
  readonly ingestWriteUnitsPerTransaction: number;
  readonly ingestReadUnitsPerTransaction: number;
  /** Derived events (AlertRaised, OfferPresented) dispatch publishes to the bus, per transaction. */
  readonly derivedEventsPerTransaction: number;
  readonly dispatchWriteUnitsPerTransaction: number;
  readonly dispatchReadUnitsPerTransaction: number;
}

export interface CostLine {
  readonly item: string;
  readonly dollars: number;
  readonly basis: string;
}

const MILLION = 1e6;

/** Cost of one million transactions, line by line, from the measured rates per transaction. */
export function costPerMillion(inputs: CostInputs): { lines: CostLine[]; total: number } {
  const invocationsPerTransaction = inputs.ingestInvocations / inputs.transactions;
  const gbSecondsPerTransaction = ((inputs.ingestBilledMs / 1000) * LAMBDA_MEMORY_GB) / inputs.transactions;
  const sqsRequestsPerTransaction = 1 + 2 * invocationsPerTransaction;
  const lines: CostLine[] = [
    {
      item: "EventBridge: TransactionPosted events",
      dollars: MILLION * PRICES.eventBridgeEvent,
      basis: "1 custom event per transaction",
    },
    {
      item: "EventBridge: derived events from dispatch",
      dollars: MILLION * inputs.derivedEventsPerTransaction * PRICES.eventBridgeEvent,
      basis: `${inputs.derivedEventsPerTransaction.toFixed(3)} events per transaction`,
    },
    {
      item: "SQS: send, receive and delete",
      dollars: MILLION * sqsRequestsPerTransaction * PRICES.sqsRequest,
      basis: `1 SendMessage per event, 1 ReceiveMessage and 1 DeleteMessageBatch per batch (${sqsRequestsPerTransaction.toFixed(3)} requests per transaction)`,
    },
    {
      item: "Lambda ingest: requests",
      dollars: MILLION * invocationsPerTransaction * PRICES.lambdaRequest,
      basis: `${(1 / invocationsPerTransaction).toFixed(2)} events per invocation`,
    },
    {
      item: "Lambda ingest: duration",
      dollars: MILLION * gbSecondsPerTransaction * PRICES.lambdaArmGbSecond,
      basis: `${((inputs.ingestBilledMs / inputs.ingestInvocations) | 0).toString()} ms mean billed duration per invocation at 512 MB arm64`,
    },
    {
      item: "DynamoDB ingest: write request units",
      dollars: MILLION * inputs.ingestWriteUnitsPerTransaction * PRICES.dynamoDbWriteRequestUnit,
      basis: `${inputs.ingestWriteUnitsPerTransaction.toFixed(3)} WRU per transaction`,
    },
    {
      item: "DynamoDB ingest: read request units",
      dollars: MILLION * inputs.ingestReadUnitsPerTransaction * PRICES.dynamoDbReadRequestUnit,
      basis: `${inputs.ingestReadUnitsPerTransaction.toFixed(3)} RRU per transaction`,
    },
    {
      item: "DynamoDB dispatch: write request units",
      dollars: MILLION * inputs.dispatchWriteUnitsPerTransaction * PRICES.dynamoDbWriteRequestUnit,
      basis: `${inputs.dispatchWriteUnitsPerTransaction.toFixed(3)} WRU per transaction`,
    },
    {
      item: "DynamoDB dispatch: read request units",
      dollars: MILLION * inputs.dispatchReadUnitsPerTransaction * PRICES.dynamoDbReadRequestUnit,
      basis: `${inputs.dispatchReadUnitsPerTransaction.toFixed(3)} RRU per transaction`,
    },
  ];
  return { lines, total: lines.reduce((sum, line) => sum + line.dollars, 0) };
}

/** What the cost leaves out, with the reason. */
export const COST_EXCLUSIONS = [
  "Lambda duration of dispatch, release and reminders: dominated by Pinpoint and SES calls, which do not run locally",
  "Pinpoint push and SES e-mail fees, and the reminder job's requests",
  "KMS requests for the customer-managed keys of the table and queues (both cache data keys)",
  "CloudWatch Logs and metrics (the EMF lines Powertools writes), X-Ray traces, API Gateway",
  "DynamoDB storage, streams (free when Lambda reads them) and data transfer",
  "SQS empty receives of the event source mapping's polling, which depend on traffic, not on transactions",
  "free tiers and volume discounts",
] as const;
