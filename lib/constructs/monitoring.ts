import { Duration } from "aws-cdk-lib";
import type * as apigw from "aws-cdk-lib/aws-apigatewayv2";
import * as cloudwatch from "aws-cdk-lib/aws-cloudwatch";
import * as actions from "aws-cdk-lib/aws-cloudwatch-actions";
import type * as lambda from "aws-cdk-lib/aws-lambda";
import type * as sns from "aws-cdk-lib/aws-sns";
import type * as sqs from "aws-cdk-lib/aws-sqs";
import { Construct } from "constructs";

/** CloudWatch namespace of the metrics the functions emit with Powertools. */
export const METRICS_NAMESPACE = "BankPersonalization";

export interface MonitoringProps {
  readonly stage: string;
  readonly topic: sns.ITopic;
  readonly functions: Readonly<Record<string, lambda.IFunction>>;
  readonly deadLetterQueues: Readonly<Record<string, sqs.IQueue>>;
  /** Rule ids to chart on the dashboard, from the rule catalog. */
  readonly ruleIds: readonly string[];
  /** Channels whose failures raise an alarm: e-mail only when the deployment has an SES identity. */
  readonly alarmedChannels: readonly ("push" | "email")[];
  /** The customer API, whose server errors raise an alarm. */
  readonly api?: apigw.IHttpApi;
}

/** A Powertools metric, which carries the `service` dimension of the function that emitted it. */
function serviceMetric(
  service: string,
  metricName: string,
  extra: Record<string, string> = {},
  period = Duration.minutes(5),
) {
  return new cloudwatch.Metric({
    namespace: METRICS_NAMESPACE,
    metricName,
    dimensionsMap: { service, ...extra },
    statistic: cloudwatch.Stats.SUM,
    period,
  });
}

/**
 * Alarms on everything that means an event or a message is stuck or lost (dead-letter depth,
 * quarantined events, function errors and throttles, stream lag, failed push and e-mail), all to one
 * SNS topic, and a dashboard of the pipeline from events in to messages delivered.
 */
export class Monitoring extends Construct {
  readonly alarms: cloudwatch.Alarm[] = [];
  readonly dashboard: cloudwatch.Dashboard;

  constructor(scope: Construct, id: string, props: MonitoringProps) {
    super(scope, id);
    const alarm = (name: string, metric: cloudwatch.IMetric, threshold: number, description: string) => {
      const created = new cloudwatch.Alarm(this, name, {
        metric,
        threshold,
        evaluationPeriods: 1,
        comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
        treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
        alarmDescription: description,
      });
      created.addAlarmAction(new actions.SnsAction(props.topic));
      this.alarms.push(created);
      return created;
    };

    for (const [name, queue] of Object.entries(props.deadLetterQueues)) {
      alarm(
        `${name}DeadLetters`,
        queue.metricApproximateNumberOfMessagesVisible({
          period: Duration.minutes(1),
          statistic: cloudwatch.Stats.MAXIMUM,
        }),
        1,
        `Messages wait in the ${name} dead-letter queue: read them, fix the cause, and redrive them`,
      );
    }
    alarm(
      "Quarantined",
      serviceMetric("ingest", "EventsQuarantined"),
      1,
      "Core banking published invalid events; list them with npm run quarantine -- list",
    );
    for (const [name, fn] of Object.entries(props.functions)) {
      alarm(
        `${name}Errors`,
        fn.metricErrors({ period: Duration.minutes(5) }),
        1,
        `The ${name} function failed`,
      );
      alarm(
        `${name}Throttles`,
        fn.metricThrottles({ period: Duration.minutes(5) }),
        1,
        `The ${name} function was throttled`,
      );
    }
    const dispatch = props.functions.dispatch;
    if (dispatch) {
      alarm(
        "StreamIteratorAge",
        dispatch.metric("IteratorAge", { statistic: cloudwatch.Stats.MAXIMUM, period: Duration.minutes(1) }),
        60_000,
        "Dispatch lags more than a minute behind the table's stream",
      );
    }
    for (const channel of props.alarmedChannels) {
      alarm(
        `${channel}Failures`,
        serviceMetric("dispatch", "MessagesFailed", { Channel: channel }),
        5,
        `At least five ${channel} messages failed in five minutes; see the dispatch logs for the reasons`,
      );
    }

    if (props.api) {
      alarm(
        "ApiServerErrors",
        props.api.metricServerError({ period: Duration.minutes(5), statistic: cloudwatch.Stats.SUM }),
        5,
        "The customer API answered at least five requests with 5xx in five minutes; see the API functions' logs",
      );
    }

    const eventsIn = new cloudwatch.MathExpression({
      expression: "applied + duplicate + quarantined",
      usingMetrics: {
        applied: serviceMetric("ingest", "EventsApplied"),
        duplicate: serviceMetric("ingest", "EventsDuplicate"),
        quarantined: serviceMetric("ingest", "EventsQuarantined"),
      },
      label: "Events in",
    });
    this.dashboard = new cloudwatch.Dashboard(this, "Dashboard", {
      dashboardName: `personalization-${props.stage}`,
      widgets: [
        [
          new cloudwatch.GraphWidget({
            title: "Events",
            left: [
              eventsIn,
              serviceMetric("ingest", "EventsApplied"),
              serviceMetric("ingest", "EventsDuplicate"),
              serviceMetric("ingest", "EventsQuarantined"),
              serviceMetric("ingest", "EventsFailed"),
            ],
            width: 12,
          }),
          new cloudwatch.GraphWidget({
            title: "Alerts and offers by rule",
            left: props.ruleIds.map((ruleId) =>
              serviceMetric("ingest", "MessagesDecidedByRule", { RuleId: ruleId }),
            ),
            width: 12,
          }),
        ],
        [
          new cloudwatch.GraphWidget({
            title: "Messages delivered by channel",
            left: ["push", "email", "inbox", "event"].map((channel) =>
              serviceMetric("dispatch", "MessagesDelivered", { Channel: channel }),
            ),
            width: 12,
          }),
          new cloudwatch.GraphWidget({
            title: "Messages failed and retried by channel",
            left: ["push", "email", "inbox", "event"].flatMap((channel) => [
              serviceMetric("dispatch", "MessagesFailed", { Channel: channel }),
              serviceMetric("dispatch", "MessagesRetried", { Channel: channel }),
            ]),
            width: 12,
          }),
        ],
        [
          new cloudwatch.GraphWidget({
            title: "Dead-letter queues",
            left: Object.values(props.deadLetterQueues).map((queue) =>
              queue.metricApproximateNumberOfMessagesVisible(),
            ),
            width: 12,
          }),
          new cloudwatch.GraphWidget({
            title: "Stream lag (ms)",
            left: dispatch ? [dispatch.metric("IteratorAge", { statistic: cloudwatch.Stats.MAXIMUM })] : [],
            width: 12,
          }),
        ],
      ],
    });
    const { api } = props;
    if (api) {
      this.dashboard.addWidgets(
        new cloudwatch.GraphWidget({
          title: "Customer API requests",
          left: [
            api.metricCount({ statistic: cloudwatch.Stats.SUM }),
            api.metricClientError({ statistic: cloudwatch.Stats.SUM }),
            api.metricServerError({ statistic: cloudwatch.Stats.SUM }),
          ],
          width: 12,
        }),
        new cloudwatch.GraphWidget({
          title: "Customer API latency (ms)",
          left: [api.metricLatency({ statistic: "p50" }), api.metricLatency({ statistic: "p99" })],
          width: 12,
        }),
      );
    }
  }
}
