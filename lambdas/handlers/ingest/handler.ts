import type { Logger } from "@aws-lambda-powertools/logger";
import { injectLambdaContext } from "@aws-lambda-powertools/logger/middleware";
import { type Metrics, MetricUnit } from "@aws-lambda-powertools/metrics";
import { logMetrics } from "@aws-lambda-powertools/metrics/middleware";
import middy from "@middy/core";
import type { SQSBatchItemFailure, SQSBatchResponse, SQSEvent } from "aws-lambda";
import { safeError } from "../../config/log-safety";
import { validateEventBody } from "../../contracts/validate-event";
import {
  type IngestDependencies,
  type IngestOutcome,
  ingestCustomerEvents,
  MAX_TRANSACTIONS_PER_COMMIT,
  type ReceivedEvent,
} from "../../use-cases/ingest-transaction";

export interface IngestHandlerDependencies extends IngestDependencies {
  readonly logger: Logger;
  readonly metrics: Metrics;
  /** Called once per record with its outcome; the local runtime counts outcomes through it. */
  readonly onOutcome?: (outcome: IngestOutcome) => void;
}

/**
 * Splits a batch into units of work: each invalid event alone, and each customer's valid events in
 * chunks of at most {@link MAX_TRANSACTIONS_PER_COMMIT}, kept in arrival order. A chunk is committed
 * atomically, so events of one customer share one profile write instead of colliding on its
 * version. Powertools' BatchProcessor handles records one by one, which cannot do that.
 */
function unitsOfWork(events: readonly ReceivedEvent[]): ReceivedEvent[][] {
  const units: ReceivedEvent[][] = [];
  const byCustomer = new Map<string, ReceivedEvent[]>();
  for (const event of events) {
    if (!event.validation.ok) {
      units.push([event]);
      continue;
    }
    const customerId = event.validation.transaction.customerId;
    const group = byCustomer.get(customerId);
    if (group) group.push(event);
    else byCustomer.set(customerId, [event]);
  }
  for (const group of byCustomer.values()) {
    for (let start = 0; start < group.length; start += MAX_TRANSACTIONS_PER_COMMIT) {
      units.push(group.slice(start, start + MAX_TRANSACTIONS_PER_COMMIT));
    }
  }
  return units;
}

function recordOutcome(outcome: IngestOutcome, deps: IngestHandlerDependencies): void {
  const { metrics, logger } = deps;
  switch (outcome.kind) {
    case "applied":
      metrics.addMetric("EventsApplied", MetricUnit.Count, 1);
      metrics.addMetric("MessagesDecided", MetricUnit.Count, outcome.messages.length);
      for (const decision of outcome.decisions) {
        const byRule = metrics.singleMetric();
        byRule.addDimension("RuleId", decision.ruleId);
        byRule.addMetric("MessagesDecidedByRule", MetricUnit.Count, 1);
      }
      break;
    case "duplicate":
      metrics.addMetric("EventsDuplicate", MetricUnit.Count, 1);
      logger.info("Skipped duplicate transaction", {
        eventId: outcome.eventId,
        customerId: outcome.customerId,
      });
      break;
    case "quarantined":
      metrics.addMetric(
        outcome.alreadyQuarantined ? "EventsDuplicate" : "EventsQuarantined",
        MetricUnit.Count,
        1,
      );
      logger.warn("Quarantined invalid event", {
        eventId: outcome.eventId,
        customerId: outcome.customerId,
        fields: outcome.reasons.map((reason) => reason.field),
        alreadyQuarantined: outcome.alreadyQuarantined,
      });
      break;
  }
  deps.onOutcome?.(outcome);
}

/**
 * Builds the SQS handler for `TransactionPosted` events. It reports partial batch failures: the
 * records of a unit of work that failed for a retryable reason go back to the queue, and after the
 * queue's maximum receive count they move to the dead-letter queue.
 */
export function createIngestHandler(deps: IngestHandlerDependencies) {
  const { logger, metrics } = deps;

  async function processUnit(unit: readonly ReceivedEvent[], failures: SQSBatchItemFailure[]): Promise<void> {
    try {
      const outcomes = await ingestCustomerEvents(unit, deps);
      for (const outcome of outcomes) recordOutcome(outcome, deps);
    } catch (error) {
      metrics.addMetric("EventsFailed", MetricUnit.Count, unit.length);
      logger.error("Ingestion failed; the messages return to the queue", {
        messageIds: unit.map((event) => event.messageId),
        eventIds: unit.map((event) => event.validation.eventId),
        error: safeError(error),
      });
      for (const event of unit) failures.push({ itemIdentifier: event.messageId });
    }
  }

  async function handleBatch(event: SQSEvent): Promise<SQSBatchResponse> {
    const received = event.Records.map((record) => ({
      validation: validateEventBody(record.body, record.messageId, deps.bankTimeZone),
      body: record.body,
      messageId: record.messageId,
    }));
    const failures: SQSBatchItemFailure[] = [];
    await Promise.all(unitsOfWork(received).map((unit) => processUnit(unit, failures)));
    return { batchItemFailures: failures };
  }

  return middy(handleBatch)
    .use(injectLambdaContext(logger, { resetKeys: true, logEvent: false }))
    .use(logMetrics(metrics));
}
