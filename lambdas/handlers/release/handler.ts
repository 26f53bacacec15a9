import { injectLambdaContext } from "@aws-lambda-powertools/logger/middleware";
import { MetricUnit } from "@aws-lambda-powertools/metrics";
import { logMetrics } from "@aws-lambda-powertools/metrics/middleware";
import middy from "@middy/core";
import { safeError } from "../../config/log-safety";
import {
  type DispatchHandlerDependencies,
  dispatchAndRecord,
  forEachConcurrently,
} from "../dispatch/handler";

/** Messages released per run at most; a larger backlog is taken by the next runs, one minute apart. */
export const RELEASE_BATCH_LIMIT = 500;

/**
 * Builds the release job, run every minute by EventBridge Scheduler: it dispatches messages whose
 * quiet-hours deferral or retry delay has ended, settles sends whose lease expired, and dispatches
 * pending messages that the stream never delivered to dispatch. The claim keeps it from sending a
 * message that a dispatch invocation is sending at the same time.
 */
export function createReleaseHandler(deps: DispatchHandlerDependencies) {
  async function release(): Promise<{ released: number }> {
    const due = await deps.outbox.listDue(deps.clock(), RELEASE_BATCH_LIMIT);
    let failed = 0;
    await forEachConcurrently(due, deps.concurrency, async (reference) => {
      try {
        await dispatchAndRecord(reference, deps);
      } catch (error) {
        failed += 1;
        deps.logger.error("Release of a due message failed; the next run retries it", {
          ...reference,
          error: safeError(error),
        });
      }
    });
    deps.metrics.addMetric("MessagesReleased", MetricUnit.Count, due.length - failed);
    if (failed > 0)
      throw new Error(`${failed} of ${due.length} due messages failed to dispatch; see the errors logged`);
    return { released: due.length };
  }

  return middy(release)
    .use(injectLambdaContext(deps.logger, { resetKeys: true, logEvent: false }))
    .use(logMetrics(deps.metrics));
}
