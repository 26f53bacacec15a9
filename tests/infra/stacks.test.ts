import { createRequire } from "node:module";
import { dirname } from "node:path";
import { App } from "aws-cdk-lib";
import { Capture, Match, type Template } from "aws-cdk-lib/assertions";
import * as sqs from "aws-cdk-lib/aws-sqs";
import { beforeAll, describe, expect, it } from "vitest";
import { buildApp } from "../../bin/app";
import {
  customerQuarantinePartitionKey,
  unattributedQuarantinePartitionKey,
} from "../../lambdas/adapters/dynamodb/keys";
import { OUTBOX_STREAM_FILTER } from "../../lambdas/adapters/dynamodb/stream-filter";
import { TABLE_DEFINITION } from "../../lambdas/adapters/dynamodb/table-definition";
import { ROUTES } from "../../lambdas/api/routes";
import { transactionPostedPattern } from "../../lambdas/contracts/event-bus";
import { type SynthesizedApp, synthesize } from "./app-harness";

let dev: SynthesizedApp;
let prod: SynthesizedApp;

beforeAll(() => {
  dev = synthesize({ stage: "dev" });
  prod = synthesize({
    stage: "prod",
    alarmEmail: "ops@example.com",
    sesIdentity: "bank.example",
    emailFromAddress: "no-reply@bank.example",
  });
});

/** The statements of the policy attached to a function's role, found by the role's logical id prefix. */
function statementsOf(template: Template, functionName: string): Array<Record<string, unknown>> {
  const policies = template.findResources("AWS::IAM::Policy");
  const statements: Array<Record<string, unknown>> = [];
  for (const [logicalId, policy] of Object.entries(policies)) {
    if (!logicalId.startsWith(`${functionName}Role`)) continue;
    statements.push(...(policy.Properties.PolicyDocument.Statement as Array<Record<string, unknown>>));
  }
  return statements;
}

function actionsOf(statements: Array<Record<string, unknown>>): string[] {
  return statements.flatMap((statement) => [statement.Action].flat() as string[]);
}

describe("stateful stack", () => {
  it("builds the table from the shared definition", () => {
    dev.data.hasResourceProperties("AWS::DynamoDB::Table", {
      KeySchema: [
        { AttributeName: TABLE_DEFINITION.partitionKey.name, KeyType: "HASH" },
        { AttributeName: TABLE_DEFINITION.sortKey.name, KeyType: "RANGE" },
      ],
      BillingMode: "PAY_PER_REQUEST",
      StreamSpecification: { StreamViewType: TABLE_DEFINITION.streamViewType },
      TimeToLiveSpecification: { AttributeName: TABLE_DEFINITION.timeToLiveAttribute, Enabled: true },
      GlobalSecondaryIndexes: [
        Match.objectLike({ IndexName: "GSI1", Projection: { ProjectionType: "KEYS_ONLY" } }),
      ],
    });
  });

  it("encrypts the table with a rotating customer-managed key and keeps point-in-time recovery", () => {
    const key = new Capture();
    dev.data.hasResourceProperties("AWS::DynamoDB::Table", {
      SSESpecification: { SSEEnabled: true, SSEType: "KMS", KMSMasterKeyId: { "Fn::GetAtt": [key, "Arn"] } },
      PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true },
    });
    dev.data.hasResourceProperties("AWS::KMS::Key", { EnableKeyRotation: true });
    expect(key.asString()).toMatch(/^DataKey/);
  });

  it.each([
    ["prod", () => prod, "Retain", true],
    ["dev", () => dev, "Delete", false],
  ])("in %s sets the deletion policy and protection", (_stage, app, policy, protection) => {
    const tables = app().data.findResources("AWS::DynamoDB::Table");
    const [table] = Object.values(tables);
    expect(table?.DeletionPolicy).toBe(policy);
    expect(table?.Properties.DeletionProtectionEnabled ?? false).toBe(protection);
    for (const key of Object.values(app().data.findResources("AWS::KMS::Key")))
      expect(key.DeletionPolicy).toBe(policy);
  });

  it("archives the bus for replays", () => {
    dev.data.hasResourceProperties("AWS::Events::Archive", { RetentionDays: 365 });
  });
});

describe("stateless stack", () => {
  it("routes TransactionPosted from the bus to an encrypted queue with a dead-letter queue", () => {
    dev.services.hasResourceProperties("AWS::Events::Rule", {
      EventPattern: transactionPostedPattern(),
      Targets: [Match.objectLike({ DeadLetterConfig: Match.anyValue() })],
    });
    dev.services.hasResourceProperties("AWS::SQS::Queue", {
      KmsMasterKeyId: Match.anyValue(),
      RedrivePolicy: { deadLetterTargetArn: Match.anyValue(), maxReceiveCount: 5 },
    });
  });

  it("reports SQS batch item failures from the ingest function", () => {
    dev.services.hasResourceProperties("AWS::Lambda::EventSourceMapping", {
      EventSourceArn: { "Fn::GetAtt": [Match.stringLikeRegexp("^IngestQueue"), "Arn"] },
      FunctionResponseTypes: ["ReportBatchItemFailures"],
      BatchSize: 10,
    });
  });

  it("filters the stream to new outbox items for dispatch, with bisect and a failure destination", () => {
    dev.services.hasResourceProperties("AWS::Lambda::EventSourceMapping", {
      FilterCriteria: { Filters: [{ Pattern: JSON.stringify(OUTBOX_STREAM_FILTER) }] },
      BisectBatchOnFunctionError: true,
      FunctionResponseTypes: ["ReportBatchItemFailures"],
      DestinationConfig: {
        OnFailure: {
          Destination: { "Fn::GetAtt": [Match.stringLikeRegexp("^DispatchFailureQueue"), "Arn"] },
        },
      },
    });
  });

  it("runs every function on Node.js 24, arm64, with active tracing", () => {
    const functions = dev.services.findResources("AWS::Lambda::Function");
    // Ingest, dispatch, release, reminders and the four API functions.
    expect(Object.keys(functions)).toHaveLength(8);
    for (const fn of Object.values(functions)) {
      expect(fn.Properties.Runtime).toBe("nodejs24.x");
      expect(fn.Properties.Architectures).toEqual(["arm64"]);
      expect(fn.Properties.TracingConfig).toEqual({ Mode: "Active" });
      expect(fn.Properties.Environment.Variables).toMatchObject({
        POWERTOOLS_METRICS_NAMESPACE: "BankPersonalization",
      });
    }
  });

  it("caps the dispatch function's concurrency", () => {
    dev.services.hasResourceProperties("AWS::Lambda::Function", {
      Handler: "index.handler",
      Environment: { Variables: Match.objectLike({ POWERTOOLS_SERVICE_NAME: "dispatch" }) },
      ReservedConcurrentExecutions: 10,
    });
  });

  it("keeps logs for two weeks in dev and a year in prod", () => {
    // Eight function log groups and the API's access log group.
    dev.services.resourcePropertiesCountIs("AWS::Logs::LogGroup", { RetentionInDays: 14 }, 9);
    prod.services.resourcePropertiesCountIs("AWS::Logs::LogGroup", { RetentionInDays: 365 }, 9);
  });

  it("schedules the release job and a reminder job per time zone", () => {
    const twoZones = synthesize({ reminderTimeZones: "Asia/Ho_Chi_Minh,Asia/Bangkok" });
    twoZones.services.hasResourceProperties("AWS::Scheduler::Schedule", {
      ScheduleExpression: "rate(1 minute)",
    });
    for (const zone of ["Asia/Ho_Chi_Minh", "Asia/Bangkok"]) {
      twoZones.services.hasResourceProperties("AWS::Scheduler::Schedule", {
        ScheduleExpression: "cron(0 8 * * ? *)",
        ScheduleExpressionTimezone: zone,
        Target: Match.objectLike({
          Input: JSON.stringify({ timeZone: zone }),
          DeadLetterConfig: Match.anyValue(),
        }),
      });
    }
  });
});

describe("least privilege", () => {
  it("lets the ingest function neither send e-mail nor push", () => {
    const actions = actionsOf(statementsOf(dev.services, "Ingest"));
    expect(actions.some((action) => action.startsWith("ses:"))).toBe(false);
    expect(actions.some((action) => action.startsWith("mobiletargeting:"))).toBe(false);
    expect(actions).not.toContain("events:PutEvents");
  });

  it("limits delivery and reminder functions to customer partitions", () => {
    for (const name of ["Dispatch", "Release", "Reminders"]) {
      const tableStatements = statementsOf(dev.services, name).filter((statement) =>
        actionsOf([statement]).includes("dynamodb:PutItem"),
      );
      expect(tableStatements).toHaveLength(1);
      expect(tableStatements[0]?.Condition).toEqual({
        "ForAllValues:StringLike": { "dynamodb:LeadingKeys": ["C#*"] },
      });
    }
  });

  it("grants no scan and no KMS re-encryption on the data key", () => {
    for (const name of ["Ingest", "Dispatch", "Release", "Reminders"]) {
      const actions = actionsOf(statementsOf(dev.services, name));
      expect(actions).not.toContain("dynamodb:Scan");
      expect(actions).not.toContain("dynamodb:*");
    }
  });

  it("grants SES only for the configured identity", () => {
    const statements = statementsOf(prod.services, "Dispatch").filter((statement) =>
      actionsOf([statement]).includes("ses:SendEmail"),
    );
    expect(JSON.stringify(statements[0]?.Resource)).toContain("identity/bank.example");
    expect(
      statementsOf(dev.services, "Dispatch").some((statement) =>
        actionsOf([statement]).includes("ses:SendEmail"),
      ),
    ).toBe(false);
  });
});

describe("customer API", () => {
  const API_ROLES = ["CustomerApiSettings", "CustomerApiInsights", "CustomerApiOffers", "CustomerApiInbox"];

  it("creates one route per shared route definition, each behind the JWT authorizer", () => {
    const routes = Object.values(dev.services.findResources("AWS::ApiGatewayV2::Route"));
    expect(routes.map((route) => route.Properties.RouteKey).sort()).toEqual(
      ROUTES.map((route) => `${route.method} ${route.path}`).sort(),
    );
    for (const route of routes) {
      expect(route.Properties.AuthorizationType).toBe("JWT");
      expect(route.Properties.AuthorizerId).toBeDefined();
    }
  });

  it("sends each route to the function of its group with payload version 2.0", () => {
    const integrations = dev.services.findResources("AWS::ApiGatewayV2::Integration");
    expect(Object.keys(integrations)).toHaveLength(4);
    for (const integration of Object.values(integrations))
      expect(integration.Properties.PayloadFormatVersion).toBe("2.0");
  });

  it("authorizes tokens of the created user pool's app client and names the username claim", () => {
    dev.services.hasResourceProperties("AWS::ApiGatewayV2::Authorizer", {
      AuthorizerType: "JWT",
      IdentitySource: ["$request.header.Authorization"],
      JwtConfiguration: { Audience: [Match.anyValue()], Issuer: Match.anyValue() },
    });
    dev.data.hasResourceProperties("AWS::Cognito::UserPool", {
      MfaConfiguration: "ON",
      AdminCreateUserConfig: { AllowAdminCreateUserOnly: true },
    });
    dev.services.hasResourceProperties("AWS::Lambda::Function", {
      Environment: { Variables: Match.objectLike({ CUSTOMER_ID_CLAIM: "username" }) },
    });
  });

  it("imports a user pool by id with its region and clients, keeping the sub claim", () => {
    const imported = synthesize({
      cognitoUserPoolId: "ap-southeast-1_AbCdEf123",
      cognitoClientIds: "client-one,client-two",
    });
    imported.data.resourceCountIs("AWS::Cognito::UserPool", 0);
    imported.services.hasResourceProperties("AWS::ApiGatewayV2::Authorizer", {
      JwtConfiguration: {
        Audience: ["client-one", "client-two"],
        Issuer: "https://cognito-idp.ap-southeast-1.amazonaws.com/ap-southeast-1_AbCdEf123",
      },
    });
    imported.services.hasResourceProperties("AWS::Lambda::Function", {
      Environment: { Variables: Match.objectLike({ CUSTOMER_ID_CLAIM: "sub" }) },
    });
  });

  it("throttles the stage and logs requests without personal data", () => {
    const format = new Capture();
    dev.services.hasResourceProperties("AWS::ApiGatewayV2::Stage", {
      StageName: "$default",
      DefaultRouteSettings: { ThrottlingRateLimit: 200, ThrottlingBurstLimit: 400 },
      AccessLogSettings: { DestinationArn: Match.anyValue(), Format: format },
    });
    const fields = JSON.parse(format.asString()) as Record<string, string>;
    expect(fields.requestId).toBe("$context.requestId");
    expect(fields.routeKey).toBe("$context.routeKey");
    for (const variable of Object.values(fields))
      expect(variable).not.toMatch(/sourceIp|userAgent|path|claims|principalId/);
  });

  it("allows browser calls only from the configured origins", () => {
    expect(dev.services.findResources("AWS::ApiGatewayV2::Api")).not.toHaveProperty("CorsConfiguration");
    const withOrigins = synthesize({ corsOrigins: "https://app.bank.example" });
    withOrigins.services.hasResourceProperties("AWS::ApiGatewayV2::Api", {
      CorsConfiguration: Match.objectLike({
        AllowOrigins: ["https://app.bank.example"],
        AllowHeaders: ["authorization", "content-type", "if-match"],
        ExposeHeaders: ["etag"],
      }),
    });
  });

  it("keeps the API functions inside customer partitions, away from the quarantine", () => {
    for (const name of API_ROLES) {
      const tableStatements = statementsOf(dev.services, name).filter((statement) =>
        actionsOf([statement]).some((action) => action.startsWith("dynamodb:")),
      );
      expect(tableStatements, name).toHaveLength(1);
      expect(tableStatements[0]?.Condition, name).toEqual({
        "ForAllValues:StringLike": { "dynamodb:LeadingKeys": ["C#*"] },
      });
    }
    // Quarantined events live in partitions that the "C#*" condition does not match.
    expect(customerQuarantinePartitionKey("demo-an")).not.toMatch(/^C#/);
    expect(unattributedQuarantinePartitionKey("00000000-0000-4000-8000-000000000000")).not.toMatch(/^C#/);
  });

  it("grants each API function only the table actions its routes use", () => {
    const tableActions = (name: string) =>
      actionsOf(statementsOf(dev.services, name))
        .filter((action) => action.startsWith("dynamodb:"))
        .sort();
    expect(tableActions("CustomerApiInsights")).toEqual([
      "dynamodb:BatchGetItem",
      "dynamodb:GetItem",
      "dynamodb:Query",
    ]);
    expect(tableActions("CustomerApiInbox")).toEqual(["dynamodb:Query", "dynamodb:UpdateItem"]);
    for (const name of API_ROLES) {
      const actions = actionsOf(statementsOf(dev.services, name));
      expect(actions, name).not.toContain("dynamodb:Scan");
      expect(
        actions.some((action) => /^(ses|mobiletargeting|events|sqs):/.test(action)),
        name,
      ).toBe(false);
    }
  });
});

describe("monitoring", () => {
  it("alarms on dead letters, quarantine, errors, throttles, stream lag and channel failures", () => {
    const alarms = Object.values(dev.services.findResources("AWS::CloudWatch::Alarm"));
    const metricNames = alarms.map((alarm) => alarm.Properties.MetricName);
    expect(metricNames.filter((name) => name === "ApproximateNumberOfMessagesVisible")).toHaveLength(3);
    expect(metricNames).toContain("EventsQuarantined");
    expect(metricNames.filter((name) => name === "Errors")).toHaveLength(8);
    expect(metricNames.filter((name) => name === "Throttles")).toHaveLength(8);
    expect(metricNames).toContain("5xx");
    expect(metricNames).toContain("IteratorAge");
    expect(metricNames.filter((name) => name === "MessagesFailed")).toHaveLength(1);
    for (const alarm of alarms) expect(alarm.Properties.AlarmActions).toHaveLength(1);
  });

  it("alarms on e-mail failures only where an SES identity sends e-mail", () => {
    const failureAlarms = (template: Template) =>
      Object.values(
        template.findResources("AWS::CloudWatch::Alarm", { Properties: { MetricName: "MessagesFailed" } }),
      )
        .map(
          (alarm) =>
            alarm.Properties.Dimensions.find((dimension: { Name: string }) => dimension.Name === "Channel")
              .Value,
        )
        .sort();
    expect(failureAlarms(dev.services)).toEqual(["push"]);
    expect(failureAlarms(prod.services)).toEqual(["email", "push"]);
  });

  it("subscribes the alarm e-mail in prod and encrypts the topic", () => {
    prod.services.hasResourceProperties("AWS::SNS::Subscription", {
      Protocol: "email",
      Endpoint: "ops@example.com",
    });
    dev.services.hasResourceProperties("AWS::SNS::Topic", { KmsMasterKeyId: Match.anyValue() });
  });

  it("builds the pipeline dashboard", () => {
    dev.services.resourceCountIs("AWS::CloudWatch::Dashboard", 1);
  });
});

describe("checks", () => {
  it("fails synthesis on a cdk-nag finding", () => {
    // Prepare: an unencrypted queue without a dead-letter queue breaks AWS Solutions rules.
    const app = new App({ context: { "aws:cdk:bundling-stacks": [] } });
    const { stateless } = buildApp(app);
    new sqs.Queue(stateless, "CarelessQueue", { encryption: sqs.QueueEncryption.UNENCRYPTED });

    // Act and assess: synthesis stops with the findings.
    expect(() => app.synth()).toThrow(/AwsSolutions-SQS2[\s\S]*AwsSolutions-SQS3[\s\S]*AwsSolutions-SQS4/);
  });

  it.each([
    ["dev", () => dev],
    ["prod", () => prod],
  ])("passes every validation plugin in %s", (_stage, app) => {
    for (const plugin of app().validationReport.pluginReports)
      expect(plugin.conclusion, plugin.pluginName).toBe("success");
  });

  it("validates the templates offline with CloudFormation Validate", () => {
    // The validator ships inside aws-cdk-lib; it is resolved from there.
    const fromCdk = createRequire(
      `${dirname(createRequire(import.meta.url).resolve("aws-cdk-lib/package.json"))}/`,
    );
    const { CompositeEngine, TemplateFile } = fromCdk("@aws/cloudformation-validate") as {
      CompositeEngine: new () => {
        validateTemplate(template: unknown): {
          diagnostics: Array<{ severity: string; ruleId: string; message: string }>;
        };
        free(): void;
      };
      TemplateFile: new (path: string) => unknown;
    };
    const engine = new CompositeEngine();
    try {
      for (const path of [...dev.templatePaths, ...prod.templatePaths]) {
        const errors = engine
          .validateTemplate(new TemplateFile(path))
          .diagnostics.filter((diagnostic) => /error|fatal/i.test(diagnostic.severity));
        expect(errors, path).toEqual([]);
      }
    } finally {
      engine.free();
    }
  });
});
