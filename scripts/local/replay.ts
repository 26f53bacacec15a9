import { createHash } from "node:crypto";
import type { Context, SQSBatchResponse, SQSEvent } from "aws-lambda";
import { eventIdOf, messageBodyOf, type SourceEvent } from "../importers/source-event";
import { lambdaContext, type QueuedMessage, sqsEventOf } from "./aws-events";

export type SqsHandler = (event: SQSEvent, context: Context) => Promise<SQSBatchResponse>;

export interface ReplayOptions {
  /** Concurrent invocations, like the function's concurrency on the queue. */
  readonly lanes: number;
  /** Records per invocation; SQS delivers at most 10. */
  readonly batchSize: number;
  /** Receives before a failing message moves to the dead-letter queue, as the queue's redrive policy sets. */
  readonly maxReceiveCount: number;
  readonly functionName: string;
  readonly onBatch?: (processed: number) => void;
}

export interface ReplayResult {
  readonly invocations: number;
  readonly redeliveries: number;
  /** Ids of messages that failed `maxReceiveCount` times and would sit in the dead-letter queue. */
  readonly deadLettered: readonly string[];
}

/** Customer id of an importer-built event, used to keep one customer's events in one lane. */
function laneKeyOf(source: SourceEvent): string {
  if (source.kind === "event") {
    const detail = source.event.detail;
    if (typeof detail === "object" && detail !== null && "customerId" in detail)
      return String(detail.customerId);
  }
  return eventIdOf(source);
}

function laneOf(key: string, lanes: number): number {
  return createHash("sha256").update(key).digest().readUInt32BE(0) % lanes;
}

/**
 * Delivers events to an SQS handler the way an event source mapping does: in batches, several
 * invocations at a time, redelivering the records a batch response reports as failed until they
 * reach the receive limit. Events of one customer stay in one lane, as a FIFO message group would
 * keep them; the handler must not depend on that, and the tests replay without it.
 */
export async function replayThroughQueue(
  sources: readonly SourceEvent[],
  /**
   * The handler, or one per lane: like separate Lambda execution environments, separate handler
   * instances keep per-invocation state (such as buffered metrics) apart.
   */
  handler: SqsHandler | readonly SqsHandler[],
  options: ReplayOptions,
): Promise<ReplayResult> {
  const lanes: QueuedMessage[][] = Array.from({ length: options.lanes }, () => []);
  const sentAt = Date.now();
  for (const source of sources) {
    lanes[laneOf(laneKeyOf(source), options.lanes)]?.push({
      messageId: eventIdOf(source),
      body: messageBodyOf(source),
      receiveCount: 1,
      sentAt,
    });
  }

  let invocations = 0;
  let redeliveries = 0;
  const deadLettered: string[] = [];

  const handlerFor = (lane: number): SqsHandler =>
    typeof handler === "function" ? handler : (handler[lane % handler.length] as SqsHandler);

  async function drain(queue: QueuedMessage[], lane: number): Promise<void> {
    while (queue.length > 0) {
      const batch = queue.splice(0, options.batchSize);
      invocations += 1;
      const response = await handlerFor(lane)(sqsEventOf(batch), lambdaContext(options.functionName));
      const failed = new Set(response.batchItemFailures.map((failure) => failure.itemIdentifier));
      let completed = 0;
      for (const message of batch) {
        if (!failed.has(message.messageId)) {
          completed += 1;
        } else if (message.receiveCount >= options.maxReceiveCount) {
          deadLettered.push(message.messageId);
          completed += 1;
        } else {
          message.receiveCount += 1;
          redeliveries += 1;
          queue.push(message);
        }
      }
      options.onBatch?.(completed);
    }
  }

  await Promise.all(lanes.map((queue, lane) => drain(queue, lane)));
  return { invocations, redeliveries, deadLettered };
}
