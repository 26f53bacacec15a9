import type { Logger } from "@aws-lambda-powertools/logger";
import { injectLambdaContext } from "@aws-lambda-powertools/logger/middleware";
import { type Metrics, MetricUnit } from "@aws-lambda-powertools/metrics";
import { logMetrics } from "@aws-lambda-powertools/metrics/middleware";
import type { AttributeValue } from "@aws-sdk/client-dynamodb";
import { unmarshall } from "@aws-sdk/util-dynamodb";
import middy from "@middy/core";
import type { DynamoDBBatchItemFailure, DynamoDBBatchResponse, DynamoDBStreamEvent } from "aws-lambda";
import { customerIdFromPartitionKey } from "../../adapters/dynamodb/keys";
import { messageOf, OUTBOX_SORT_KEY_PREFIX, outboxItemFromItem } from "../../adapters/dynamodb/outbox-items";
import { isDispatchable } from "../../adapters/dynamodb/stream-filter";
import { safeError } from "../../config/log-safety";
import type { OutboxMessage } from "../../domain/outbox";
import type { OutboxReference } from "../../ports/delivery";
import {
  type DispatchDependencies,
  type DispatchOutcome,
  dispatchMessage,
  publishEventMessages,
} from "../../use-cases/dispatch-message";

export interface DispatchHandlerDependencies extends DispatchDependencies {
  readonly logger: Logger;
  readonly metrics: Metrics;
  /** Messages dispatched at once within one invocation. */
  readonly concurrency: number;
  readonly onOutcome?: (outcome: DispatchOutcome) => void;
}

/** Runs `work` over the items with at most `concurrency` running at a time. */
export async function forEachConcurrently<T>(
  items: readonly T[],
  concurrency: number,
  work: (item: T) => Promise<void>,
) {
  let next = 0;
  const workers = Array.from({ length: Math.min(concurrency, items.length) }, async () => {
    while (next < items.length) {
      const item = items[next] as T;
      next += 1;
      await work(item);
    }
  });
  await Promise.all(workers);
}

/** PutEvents takes at most 10 entries per request. */
const EVENTS_PER_PUT = 10;

/** Dispatches one message and records its outcome in logs and metrics; failures to deliver are outcomes, not errors. */
export async function dispatchAndRecord(
  reference: OutboxReference,
  deps: DispatchHandlerDependencies,
): Promise<void> {
  recordOutcome(await dispatchMessage(reference, deps), deps);
}

/** Metric name of each outcome, counted with the channel as dimension. Skipped messages are not counted. */
const METRIC_BY_STATUS = {
  delivered: "MessagesDelivered",
  failed: "MessagesFailed",
  suppressed: "MessagesSuppressed",
  retry: "MessagesRetried",
  superseded: "MessageResultsSuperseded",
} as const satisfies Record<Exclude<DispatchOutcome["status"], "skipped">, string>;

function recordOutcome(outcome: DispatchOutcome, deps: DispatchHandlerDependencies): void {
  if (outcome.status === "skipped") {
    deps.onOutcome?.(outcome);
    return;
  }

  const single = deps.metrics.singleMetric();
  single.addDimension("Channel", outcome.channel);
  single.addMetric(METRIC_BY_STATUS[outcome.status], MetricUnit.Count, 1);

  const ids = {
    customerId: outcome.message.customerId,
    messageId: outcome.message.messageId,
    channel: outcome.channel,
    ruleId: outcome.message.ruleId,
  };
  switch (outcome.status) {
    case "failed":
      deps.logger.warn("Message failed", { ...ids, reason: outcome.reason });
      break;
    case "retry":
      deps.logger.warn("Message deferred for retry", { ...ids, reason: outcome.reason });
      break;
    case "suppressed":
      deps.logger.info("Message not sent because the customer withdrew a consent it needs", {
        ...ids,
        reason: outcome.reason,
      });
      break;
    case "superseded":
      deps.logger.warn(
        "Message result dropped, and no result event published, because another invocation settled the message first",
        { ...ids, droppedResult: outcome.result },
      );
      break;
    case "delivered":
      break;
  }
  deps.onOutcome?.(outcome);
}

/**
 * Builds the handler for the table's stream: each new outbox item that is ready is dispatched once.
 * A record that fails unexpectedly is reported as a batch item failure, so the stream retries from it;
 * dispatch is idempotent, so the records before it are not delivered twice.
 */
export function createDispatchHandler(deps: DispatchHandlerDependencies) {
  const { logger } = deps;

  async function handleStream(event: DynamoDBStreamEvent): Promise<DynamoDBBatchResponse> {
    const work: Array<{ reference: OutboxReference; sequenceNumber: string }> = [];
    const events: Array<{ message: OutboxMessage; sequenceNumber: string }> = [];
    for (const record of event.Records) {
      const image = record.dynamodb?.NewImage;
      if (!isDispatchable(record.eventName, image?.SK?.S, image?.status?.S)) continue;
      const customerId = customerIdFromPartitionKey(image?.PK?.S ?? "");
      const messageId = image?.SK?.S?.slice(OUTBOX_SORT_KEY_PREFIX.length);
      if (!customerId || !messageId || !image) continue;
      const sequenceNumber = record.dynamodb?.SequenceNumber ?? "";
      if (image.channel?.S === "event") {
        events.push({
          message: messageOf(outboxItemFromItem(unmarshall(image as Record<string, AttributeValue>))),
          sequenceNumber,
        });
      } else {
        work.push({ reference: { customerId, messageId }, sequenceNumber });
      }
    }

    deps.metrics.addMetric("OutboxRecordsReceived", MetricUnit.Count, work.length + events.length);
    const failures: DynamoDBBatchItemFailure[] = [];
    for (let start = 0; start < events.length; start += EVENTS_PER_PUT) {
      const batch = events.slice(start, start + EVENTS_PER_PUT);
      try {
        const outcomes = await publishEventMessages(
          batch.map((entry) => entry.message),
          deps,
        );
        for (const outcome of outcomes) recordOutcome(outcome, deps);
      } catch (error) {
        logger.error("Publishing derived events failed; the stream will retry", { error: safeError(error) });
        for (const entry of batch) failures.push({ itemIdentifier: entry.sequenceNumber });
      }
    }
    await forEachConcurrently(work, deps.concurrency, async ({ reference, sequenceNumber }) => {
      try {
        await dispatchAndRecord(reference, deps);
      } catch (error) {
        logger.error("Dispatch failed; the stream will retry", { ...reference, error: safeError(error) });
        failures.push({ itemIdentifier: sequenceNumber });
      }
    });
    return { batchItemFailures: failures };
  }

  return middy(handleStream)
    .use(injectLambdaContext(logger, { resetKeys: true, logEvent: false }))
    .use(logMetrics(deps.metrics));
}
