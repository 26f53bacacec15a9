import {
  CfnOutput,
  Duration,
  RemovalPolicy,
  Stack,
  type StackProps,
  TimeZone,
  Validations,
} from "aws-cdk-lib";
import type * as dynamodb from "aws-cdk-lib/aws-dynamodb";
import * as events from "aws-cdk-lib/aws-events";
import * as eventTargets from "aws-cdk-lib/aws-events-targets";
import * as iam from "aws-cdk-lib/aws-iam";
import * as kms from "aws-cdk-lib/aws-kms";
import * as lambda from "aws-cdk-lib/aws-lambda";
import { DynamoEventSource, SqsDlq, SqsEventSource } from "aws-cdk-lib/aws-lambda-event-sources";
import * as logs from "aws-cdk-lib/aws-logs";
import * as pinpoint from "aws-cdk-lib/aws-pinpoint";
import * as scheduler from "aws-cdk-lib/aws-scheduler";
import * as schedulerTargets from "aws-cdk-lib/aws-scheduler-targets";
import * as sns from "aws-cdk-lib/aws-sns";
import * as subscriptions from "aws-cdk-lib/aws-sns-subscriptions";
import * as sqs from "aws-cdk-lib/aws-sqs";
import type { Construct } from "constructs";
import { OUTBOX_STREAM_FILTER } from "../lambdas/adapters/dynamodb/stream-filter";
import { transactionPostedPattern } from "../lambdas/contracts/event-bus";
import catalog from "../lambdas/domain/rules/catalog.json";
import type { DeploymentConfig } from "./config";
import { CustomerApi } from "./constructs/customer-api";
import { Monitoring } from "./constructs/monitoring";
import { ServiceFunction } from "./constructs/service-function";
import type { CustomerIdentity } from "./stateful-stack";

export interface StatelessStackProps extends StackProps {
  readonly config: DeploymentConfig;
  readonly table: dynamodb.ITable;
  readonly tableKey: kms.IKey;
  readonly bus: events.IEventBus;
  readonly identity: CustomerIdentity;
}

/** Receives of a message before it moves to the dead-letter queue. */
export const MAX_RECEIVE_COUNT = 5;

/** Concurrency limit of the dispatch function, so a burst cannot exceed the push and e-mail providers' rates. */
export const DISPATCH_RESERVED_CONCURRENCY = 10;

/** Item actions on the base table; a transaction needs the actions of the items it writes. */
const TABLE_ITEM_ACTIONS = {
  read: ["dynamodb:GetItem", "dynamodb:BatchGetItem", "dynamodb:Query", "dynamodb:ConditionCheckItem"],
  write: ["dynamodb:PutItem", "dynamodb:UpdateItem", "dynamodb:DeleteItem"],
} as const;

/** Table actions of each API function: only what its routes call, and reads only for insights. */
export const API_TABLE_ACTIONS = {
  settings: [
    "dynamodb:GetItem",
    "dynamodb:Query",
    "dynamodb:PutItem",
    "dynamodb:UpdateItem",
    "dynamodb:DeleteItem",
  ],
  insights: ["dynamodb:GetItem", "dynamodb:BatchGetItem", "dynamodb:Query"],
  offers: ["dynamodb:GetItem", "dynamodb:Query", "dynamodb:UpdateItem"],
  inbox: ["dynamodb:Query", "dynamodb:UpdateItem"],
} as const;

/**
 * Everything that can be rebuilt from the stateful stack: queues, functions, event source mappings,
 * schedules, the push application, and the alarms and dashboard. Deleting this stack loses no
 * customer data.
 */
export class StatelessStack extends Stack {
  readonly ingest: ServiceFunction;
  readonly dispatch: ServiceFunction;
  readonly release: ServiceFunction;
  readonly reminders: ServiceFunction;
  readonly ingestQueue: sqs.Queue;
  readonly ingestDeadLetterQueue: sqs.Queue;
  readonly dispatchFailureQueue: sqs.Queue;
  readonly schedulerDeadLetterQueue: sqs.Queue;
  readonly alarmTopic: sns.Topic;
  readonly api: CustomerApi;
  private readonly table: dynamodb.ITable;

  constructor(scope: Construct, id: string, props: StatelessStackProps) {
    super(scope, id, props);
    const { config, table, tableKey, bus } = props;
    this.table = table;
    const production = config.stage === "prod";
    const removalPolicy = production ? RemovalPolicy.RETAIN : RemovalPolicy.DESTROY;
    const logRetention = production ? logs.RetentionDays.ONE_YEAR : logs.RetentionDays.TWO_WEEKS;

    const messagingKey = new kms.Key(this, "MessagingKey", {
      description: "Encrypts the queues and the alarm topic of the personalization service",
      enableKeyRotation: true,
      removalPolicy,
    });
    messagingKey.grantEncryptDecrypt(new iam.ServicePrincipal("events.amazonaws.com"));
    messagingKey.grantEncryptDecrypt(new iam.ServicePrincipal("cloudwatch.amazonaws.com"));

    const queue = (name: string, retention: Duration, extra: Partial<sqs.QueueProps> = {}) =>
      new sqs.Queue(this, name, {
        encryption: sqs.QueueEncryption.KMS,
        encryptionMasterKey: messagingKey,
        enforceSSL: true,
        retentionPeriod: retention,
        removalPolicy,
        ...extra,
      });

    // Ingestion: the bus rule feeds a queue; the ingest function reports partial batch failures.
    this.ingestDeadLetterQueue = queue("IngestDeadLetterQueue", Duration.days(14));
    this.ingestQueue = queue("IngestQueue", Duration.days(4), {
      visibilityTimeout: Duration.seconds(6 * 30),
      deadLetterQueue: { queue: this.ingestDeadLetterQueue, maxReceiveCount: MAX_RECEIVE_COUNT },
    });
    new events.Rule(this, "TransactionPostedRule", {
      eventBus: bus,
      description: "Routes core banking's TransactionPosted events to the ingest queue",
      eventPattern: transactionPostedPattern(config.eventSource),
      targets: [
        new eventTargets.SqsQueue(this.ingestQueue, {
          deadLetterQueue: this.ingestDeadLetterQueue,
          retryAttempts: 185,
          maxEventAge: Duration.hours(24),
        }),
      ],
    });

    const commonEnvironment = { TABLE_NAME: table.tableName };
    this.ingest = new ServiceFunction(this, "Ingest", {
      handler: "ingest",
      description: "Validates TransactionPosted events, updates profiles and decides messages, exactly once",
      environment: {
        ...commonEnvironment,
        BANK_TIME_ZONE: config.bankTimeZone,
        HOME_COUNTRY: config.homeCountry,
      },
      logRetention,
      removalPolicy,
    });
    this.ingest.function.addEventSource(
      new SqsEventSource(this.ingestQueue, {
        batchSize: 10,
        maxBatchingWindow: Duration.seconds(1),
        reportBatchItemFailures: true,
        maxConcurrency: 20,
      }),
    );
    this.grantTable(this.ingest.function, tableKey, { customerPartitionsOnly: false, index: false });

    // Delivery: the stream feeds new outbox items to dispatch; schedules run the release and reminder jobs.
    const pushApplicationId = config.pinpointApplicationId ?? this.createPushApplication(config).ref;
    this.dispatchFailureQueue = queue("DispatchFailureQueue", Duration.days(14));
    Validations.of(this.dispatchFailureQueue).acknowledge({
      id: "AwsSolutions-SQS3",
      reason:
        "This queue is the on-failure destination of the dispatch stream mapping, a dead-letter queue itself",
    });
    const deliveryEnvironment = {
      ...commonEnvironment,
      PINPOINT_APPLICATION_ID: pushApplicationId,
      EVENT_BUS_NAME: bus.eventBusName,
      ...(config.emailFromAddress && { EMAIL_FROM_ADDRESS: config.emailFromAddress }),
      ...(config.sesConfigurationSet && { SES_CONFIGURATION_SET: config.sesConfigurationSet }),
      ...(config.unsubscribeUrl && { UNSUBSCRIBE_URL: config.unsubscribeUrl }),
    };
    this.dispatch = new ServiceFunction(this, "Dispatch", {
      handler: "dispatch",
      description: "Delivers new outbox messages by push, e-mail and inbox, and publishes derived events",
      environment: deliveryEnvironment,
      reservedConcurrentExecutions: DISPATCH_RESERVED_CONCURRENCY,
      // A batch of 100 records sends ten at a time, each call bounded to about 21 s by the channel
      // clients' timeouts; the function's timeout must cover the slowest batch.
      timeout: Duration.minutes(5),
      logRetention,
      removalPolicy,
    });
    this.dispatch.function.addEventSource(
      new DynamoEventSource(table, {
        startingPosition: lambda.StartingPosition.TRIM_HORIZON,
        batchSize: 100,
        maxBatchingWindow: Duration.seconds(1),
        parallelizationFactor: 4,
        bisectBatchOnError: true,
        retryAttempts: 10,
        reportBatchItemFailures: true,
        onFailure: new SqsDlq(this.dispatchFailureQueue),
        filters: [lambda.FilterCriteria.filter(OUTBOX_STREAM_FILTER as unknown as Record<string, unknown>)],
      }),
    );
    // The on-failure destination grants its send rights with Queue.grantSendMessages, which allows these
    // KMS action families on the messaging key only.
    for (const action of ["kms:GenerateDataKey*", "kms:ReEncrypt*"]) {
      Validations.of(this.dispatch).acknowledge({
        id: `AwsSolutions-IAM5[Action::${action}]`,
        reason:
          "Sending to the encrypted on-failure queue needs these actions on the messaging key, and only that key",
      });
    }
    this.release = new ServiceFunction(this, "Release", {
      handler: "release",
      description: "Sends messages whose quiet hours or retry delay ended, every minute",
      environment: deliveryEnvironment,
      timeout: Duration.seconds(50),
      logRetention,
      removalPolicy,
    });
    for (const delivery of [this.dispatch, this.release]) {
      this.grantTable(delivery.function, tableKey, {
        customerPartitionsOnly: true,
        index: delivery === this.release,
      });
      this.grantDelivery(delivery.function, config, pushApplicationId, bus);
    }

    this.reminders = new ServiceFunction(this, "Reminders", {
      handler: "reminders",
      description: "Decides the payment reminders due today in one time zone",
      environment: commonEnvironment,
      timeout: Duration.minutes(10),
      logRetention,
      removalPolicy,
    });
    this.grantTable(this.reminders.function, tableKey, { customerPartitionsOnly: true, index: true });

    this.schedulerDeadLetterQueue = queue("SchedulerDeadLetterQueue", Duration.days(14));
    Validations.of(this.schedulerDeadLetterQueue).acknowledge({
      id: "AwsSolutions-SQS3",
      reason: "This queue is the dead-letter queue of the EventBridge Scheduler targets",
    });
    new scheduler.Schedule(this, "ReleaseSchedule", {
      description: "Runs the release job every minute",
      schedule: scheduler.ScheduleExpression.rate(Duration.minutes(1)),
      target: new schedulerTargets.LambdaInvoke(this.release.function, {
        deadLetterQueue: this.schedulerDeadLetterQueue,
        retryAttempts: 2,
        maxEventAge: Duration.minutes(5),
      }),
    });
    config.reminderTimeZones.forEach((timeZone, index) => {
      const schedule = new scheduler.Schedule(this, `ReminderSchedule${index}`, {
        description: `Runs the payment reminders at 08:00 in ${timeZone}`,
        schedule: scheduler.ScheduleExpression.cron({
          minute: "0",
          hour: "8",
          timeZone: TimeZone.of(timeZone),
        }),
        target: new schedulerTargets.LambdaInvoke(this.reminders.function, {
          input: scheduler.ScheduleTargetInput.fromObject({ timeZone }),
          deadLetterQueue: this.schedulerDeadLetterQueue,
          retryAttempts: 5,
          maxEventAge: Duration.hours(6),
        }),
      });
      void schedule;
    });
    // The scheduler's L2 targets grant lambda:InvokeFunction on the function and its versions ("<arn>:*").
    for (const fn of [this.release.function, this.reminders.function]) {
      Validations.of(this).acknowledge({
        id: `AwsSolutions-IAM5[Resource::<${this.getLogicalId(fn.node.defaultChild as lambda.CfnFunction)}.Arn>:*]`,
        reason:
          "EventBridge Scheduler may invoke the function's published versions, which its L2 target grants",
      });
    }

    this.api = new CustomerApi(this, "CustomerApi", {
      stage: config.stage,
      identity: props.identity,
      environment: { ...commonEnvironment, CUSTOMER_ID_CLAIM: props.identity.customerIdClaim },
      insightsEnvironment: { HOME_COUNTRY: config.homeCountry },
      corsOrigins: config.corsOrigins,
      rateLimit: config.apiRateLimit,
      burstLimit: config.apiBurstLimit,
      logRetention,
      removalPolicy,
    });
    for (const [name, service] of Object.entries(this.api.functions)) {
      this.grantTable(service.function, tableKey, {
        customerPartitionsOnly: true,
        index: false,
        actions: API_TABLE_ACTIONS[name as keyof typeof API_TABLE_ACTIONS],
      });
    }
    new CfnOutput(this, "ApiUrl", { value: this.api.url, description: "Base URL of the customer API" });

    this.alarmTopic = new sns.Topic(this, "AlarmTopic", {
      displayName: "Personalization service alarms",
      masterKey: messagingKey,
      enforceSSL: true,
    });
    if (config.alarmEmail)
      this.alarmTopic.addSubscription(new subscriptions.EmailSubscription(config.alarmEmail));
    new Monitoring(this, "Monitoring", {
      stage: config.stage,
      topic: this.alarmTopic,
      functions: {
        ingest: this.ingest.function,
        dispatch: this.dispatch.function,
        release: this.release.function,
        reminders: this.reminders.function,
        ...Object.fromEntries(
          Object.entries(this.api.functions).map(([name, service]) => [`api-${name}`, service.function]),
        ),
      },
      api: this.api.api,
      deadLetterQueues: {
        ingest: this.ingestDeadLetterQueue,
        dispatch: this.dispatchFailureQueue,
        scheduler: this.schedulerDeadLetterQueue,
      },
      ruleIds: catalog.rules.map((rule) => rule.id),
      alarmedChannels: config.emailFromAddress ? ["push", "email"] : ["push"],
    });
  }

  /**
   * Grants item access to the table and use of its key. With `customerPartitionsOnly`, the grant is
   * limited by `dynamodb:LeadingKeys` to `C#` partitions, which keeps quarantined bodies out of reach;
   * `index` adds queries on GSI1.
   */
  private grantTable(
    fn: lambda.IFunction,
    key: kms.IKey,
    scope: { customerPartitionsOnly: boolean; index: boolean; actions?: readonly string[] },
  ): void {
    fn.addToRolePolicy(
      new iam.PolicyStatement({
        actions: [...(scope.actions ?? [...TABLE_ITEM_ACTIONS.read, ...TABLE_ITEM_ACTIONS.write])],
        resources: [this.table.tableArn],
        ...(scope.customerPartitionsOnly && {
          conditions: { "ForAllValues:StringLike": { "dynamodb:LeadingKeys": ["C#*"] } },
        }),
      }),
    );
    if (scope.index) {
      fn.addToRolePolicy(
        new iam.PolicyStatement({
          actions: ["dynamodb:Query"],
          resources: [`${this.table.tableArn}/index/GSI1`],
        }),
      );
    }
    // The four actions DynamoDB needs on a customer-managed key, named one by one (no kms:ReEncrypt*).
    key.grant(fn, "kms:Decrypt", "kms:Encrypt", "kms:GenerateDataKey", "kms:DescribeKey");
  }

  private grantDelivery(
    fn: lambda.IFunction,
    config: DeploymentConfig,
    pushApplicationId: string,
    bus: events.IEventBus,
  ): void {
    fn.addToRolePolicy(
      new iam.PolicyStatement({
        actions: ["mobiletargeting:SendMessages"],
        resources: [
          this.formatArn({
            service: "mobiletargeting",
            resource: "apps",
            resourceName: `${pushApplicationId}/messages`,
          }),
        ],
      }),
    );
    if (config.sesIdentity) {
      fn.addToRolePolicy(
        new iam.PolicyStatement({
          actions: ["ses:SendEmail"],
          resources: [
            this.formatArn({ service: "ses", resource: "identity", resourceName: config.sesIdentity }),
            ...(config.sesConfigurationSet
              ? [
                  this.formatArn({
                    service: "ses",
                    resource: "configuration-set",
                    resourceName: config.sesConfigurationSet,
                  }),
                ]
              : []),
          ],
        }),
      );
    }
    bus.grantPutEventsTo(fn);
  }

  /**
   * Creates the push application. After Pinpoint's end of support (30 October 2026) push continues as
   * AWS End User Messaging, whose `SendMessages` API still addresses an application of this type.
   */
  private createPushApplication(config: DeploymentConfig): pinpoint.CfnApp {
    const application = new pinpoint.CfnApp(this, "PushApplication", {
      name: `personalization-${config.stage}`,
    });
    Validations.of(application).acknowledge({
      id: "CloudFormation-Validate::W3696",
      reason:
        "Push goes through the Pinpoint SendMessages API, which AWS End User Messaging keeps; the application is its address. " +
        "Pass an existing application id with the pinpointApplicationId context value to skip this resource.",
    });
    return application;
  }
}
