import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { Duration, type RemovalPolicy, Stack, Validations } from "aws-cdk-lib";
import * as iam from "aws-cdk-lib/aws-iam";
import * as lambda from "aws-cdk-lib/aws-lambda";
import { NodejsFunction, OutputFormat } from "aws-cdk-lib/aws-lambda-nodejs";
import * as logs from "aws-cdk-lib/aws-logs";
import { Construct } from "constructs";

/**
 * Node.js 24, the active LTS line. Pinned rather than "latest" so that a CDK upgrade never changes the
 * runtime unnoticed; upgrade it on purpose, with the tests.
 */
export const RUNTIME = lambda.Runtime.NODEJS_24_X;

const REPOSITORY_ROOT = fileURLToPath(new URL("../..", import.meta.url));

export interface ServiceFunctionProps {
  /** Folder under lambdas/handlers whose index.ts is the entry point, such as "ingest". */
  readonly handler: string;
  readonly description: string;
  readonly environment: Readonly<Record<string, string>>;
  /** @default 512 */
  readonly memorySize?: number;
  /** @default 30 seconds */
  readonly timeout?: Duration;
  /** Caps the function's concurrency, to protect a downstream service from a burst. @default none */
  readonly reservedConcurrentExecutions?: number;
  /** Days the function's logs are kept. */
  readonly logRetention: logs.RetentionDays;
  readonly removalPolicy: RemovalPolicy;
}

/**
 * A Lambda function of this service with the defaults every one shares: Node.js 24 on arm64,
 * bundled by the local esbuild as minified ESM with the AWS SDK left to the runtime, X-Ray active
 * tracing, Powertools settings, and a log group of its own with a retention period.
 */
export class ServiceFunction extends Construct {
  readonly function: NodejsFunction;
  readonly logGroup: logs.LogGroup;

  constructor(scope: Construct, id: string, props: ServiceFunctionProps) {
    super(scope, id);
    this.logGroup = new logs.LogGroup(this, "Logs", {
      retention: props.logRetention,
      removalPolicy: props.removalPolicy,
    });

    // A role of its own instead of AWSLambdaBasicExecutionRole, whose logs grant covers every log group.
    const role = new iam.Role(this, "Role", {
      assumedBy: new iam.ServicePrincipal("lambda.amazonaws.com"),
      description: `Role of the ${props.handler} function`,
    });
    role.addToPolicy(
      new iam.PolicyStatement({
        actions: ["logs:CreateLogStream", "logs:PutLogEvents"],
        resources: [this.logGroup.logGroupArn, `${this.logGroup.logGroupArn}:log-stream:*`],
      }),
    );
    Validations.of(role).acknowledge({
      id: `AwsSolutions-IAM5[Resource::<${this.logicalIdOf(this.logGroup)}.Arn>:log-stream:*]`,
      reason: "Lambda names the log streams it creates in the function's own log group at run time",
    });
    Validations.of(role).acknowledge({
      id: "AwsSolutions-IAM5[Resource::*]",
      reason: "X-Ray's PutTraceSegments and PutTelemetryRecords have no resource-level permissions",
    });

    this.function = new NodejsFunction(this, "Function", {
      role,
      entry: join(REPOSITORY_ROOT, "lambdas", "handlers", props.handler, "index.ts"),
      projectRoot: REPOSITORY_ROOT,
      depsLockFilePath: join(REPOSITORY_ROOT, "package-lock.json"),
      description: props.description,
      runtime: RUNTIME,
      architecture: lambda.Architecture.ARM_64,
      memorySize: props.memorySize ?? 512,
      timeout: props.timeout ?? Duration.seconds(30),
      tracing: lambda.Tracing.ACTIVE,
      logGroup: this.logGroup,
      loggingFormat: lambda.LoggingFormat.JSON,
      ...(props.reservedConcurrentExecutions !== undefined && {
        reservedConcurrentExecutions: props.reservedConcurrentExecutions,
      }),
      environment: {
        POWERTOOLS_SERVICE_NAME: props.handler,
        POWERTOOLS_METRICS_NAMESPACE: "BankPersonalization",
        POWERTOOLS_LOG_LEVEL: "INFO",
        NODE_OPTIONS: "--enable-source-maps",
        ...props.environment,
      },
      bundling: {
        format: OutputFormat.ESM,
        target: "node24",
        minify: true,
        sourceMap: true,
        externalModules: ["@aws-sdk/*"],
        mainFields: ["module", "main"],
        forceDockerBundling: false,
        // Some dependencies are CommonJS and call require(); ESM bundles need it defined.
        banner:
          "import { createRequire } from 'node:module'; const require = createRequire(import.meta.url);",
      },
    });
    Validations.of(this.function).acknowledge({
      id: "AwsSolutions-L1",
      reason:
        "The runtime is pinned to the Node.js 24 LTS line on purpose; see RUNTIME in service-function.ts",
    });
  }

  private logicalIdOf(logGroup: logs.LogGroup): string {
    return Stack.of(this).getLogicalId(logGroup.node.defaultChild as logs.CfnLogGroup);
  }
}
