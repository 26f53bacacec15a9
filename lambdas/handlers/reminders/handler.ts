import type { Logger } from "@aws-lambda-powertools/logger";
import { injectLambdaContext } from "@aws-lambda-powertools/logger/middleware";
import { type Metrics, MetricUnit } from "@aws-lambda-powertools/metrics";
import { logMetrics } from "@aws-lambda-powertools/metrics/middleware";
import middy from "@middy/core";
import * as z from "zod/mini";
import { safeError } from "../../config/log-safety";
import { isTimeZone } from "../../domain/preferences";
import { toLocalTime } from "../../domain/zoned-time";
import {
  type ReminderDependencies,
  type ReminderResult,
  sendPaymentReminders,
} from "../../use-cases/send-payment-reminders";

export interface ReminderHandlerDependencies extends ReminderDependencies {
  readonly logger: Logger;
  readonly metrics: Metrics;
  readonly clock: () => Date;
}

/** The payload each EventBridge Scheduler schedule passes: the time zone whose morning it is. */
export const ReminderJobInputSchema = z.object({
  timeZone: z
    .string()
    .check(z.refine(isTimeZone, { error: "must be an IANA time zone such as Asia/Ho_Chi_Minh" })),
  /** A local date to run for instead of today, "YYYY-MM-DD", to catch up by hand. */
  localDate: z.optional(
    z.string().check(z.regex(/^\d{4}-\d{2}-\d{2}$/, { error: "must be a date such as 2026-12-05" })),
  ),
  /** Earlier days to look at too, for runs that were missed (default 2). */
  catchUpDays: z.optional(z.int().check(z.minimum(0), z.maximum(7))),
});

/**
 * Builds the daily payment-reminder job. One schedule per time zone runs it in that zone's morning;
 * a run that fails is retried by the scheduler, and sends nothing twice. A customer whose reminders
 * fail is logged and counted, and does not fail the run.
 */
export function createReminderHandler(deps: ReminderHandlerDependencies) {
  async function runJob(event: unknown): Promise<ReminderResult & { localDate: string }> {
    const parsed = ReminderJobInputSchema.safeParse(event);
    if (!parsed.success) {
      const problems = parsed.error.issues.map(
        (issue) => `${issue.path.join(".") || "input"}: ${issue.message}`,
      );
      throw new Error(`Invalid reminder job input: ${problems.join("; ")}`);
    }
    const now = deps.clock();
    const localDate = parsed.data.localDate ?? toLocalTime(now.getTime(), parsed.data.timeZone).date;
    const result = await sendPaymentReminders(
      {
        timeZone: parsed.data.timeZone,
        localDate,
        now: now.getTime(),
        ...(parsed.data.catchUpDays !== undefined && { catchUpDays: parsed.data.catchUpDays }),
      },
      {
        ...deps,
        onCustomerFailed: (customerId, error) => {
          deps.logger.error("Payment reminders of one customer failed; the run went on with the others", {
            customerId,
            timeZone: parsed.data.timeZone,
            localDate,
            error: safeError(error),
          });
        },
      },
    );
    deps.metrics.addMetric("ReminderEntriesChecked", MetricUnit.Count, result.entriesChecked);
    deps.metrics.addMetric("RemindersDecided", MetricUnit.Count, result.decisions.length);
    deps.metrics.addMetric("ReminderCustomersFailed", MetricUnit.Count, result.failedCustomers);
    deps.logger.info("Payment reminder run finished", {
      timeZone: parsed.data.timeZone,
      localDate,
      entriesChecked: result.entriesChecked,
      reminders: result.decisions.length,
      suppressed: result.suppressions.length,
      failedCustomers: result.failedCustomers,
      customersAlreadyProcessed: result.customersAlreadyProcessed,
    });
    return { ...result, localDate };
  }

  return middy(runJob)
    .use(injectLambdaContext(deps.logger, { resetKeys: true, logEvent: false }))
    .use(logMetrics(deps.metrics));
}
