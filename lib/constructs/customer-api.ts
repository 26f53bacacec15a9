import { Duration, type RemovalPolicy } from "aws-cdk-lib";
import { AccessLogFormat } from "aws-cdk-lib/aws-apigateway";
import * as apigw from "aws-cdk-lib/aws-apigatewayv2";
import { HttpUserPoolAuthorizer } from "aws-cdk-lib/aws-apigatewayv2-authorizers";
import { HttpLambdaIntegration } from "aws-cdk-lib/aws-apigatewayv2-integrations";
import * as logs from "aws-cdk-lib/aws-logs";
import { Construct } from "constructs";
import { API_FUNCTIONS, type ApiFunction, ROUTES } from "../../lambdas/api/routes";
import type { CustomerIdentity } from "../stateful-stack";
import { ServiceFunction } from "./service-function";

export interface CustomerApiProps {
  readonly stage: string;
  readonly identity: CustomerIdentity;
  /** Environment of every API function (table name, customer id claim); the insights one adds its settings. */
  readonly environment: Readonly<Record<string, string>>;
  readonly insightsEnvironment: Readonly<Record<string, string>>;
  readonly corsOrigins: readonly string[];
  readonly rateLimit: number;
  readonly burstLimit: number;
  readonly logRetention: logs.RetentionDays;
  readonly removalPolicy: RemovalPolicy;
}

/**
 * Fields of each access log line: what operators need to trace a request and its latency, and
 * nothing that identifies a customer (no source IP, user agent, path or token claim). The route key
 * is the template, such as "GET /v1/me/notifications", never the concrete path.
 */
export const ACCESS_LOG_FIELDS = {
  requestId: "$context.requestId",
  time: "$context.requestTime",
  routeKey: "$context.routeKey",
  status: "$context.status",
  responseLength: "$context.responseLength",
  responseLatency: "$context.responseLatency",
  integrationLatency: "$context.integrationLatency",
  integrationError: "$context.integrationErrorMessage",
  authorizerError: "$context.authorizer.error",
} as const;

/**
 * The customer API: an HTTP API whose every route, from the shared route list, needs a valid token
 * from the user pool, one Lambda function per group of routes, stage throttling, and access logs.
 */
export class CustomerApi extends Construct {
  readonly api: apigw.HttpApi;
  readonly stage: apigw.HttpStage;
  readonly functions: Readonly<Record<ApiFunction, ServiceFunction>>;

  constructor(scope: Construct, id: string, props: CustomerApiProps) {
    super(scope, id);
    const functions = {} as Record<ApiFunction, ServiceFunction>;
    for (const name of API_FUNCTIONS) {
      functions[name] = new ServiceFunction(this, `${name[0]?.toUpperCase()}${name.slice(1)}`, {
        handler: `api-${name}`,
        description: `Serves the customer API's ${name} routes`,
        environment: {
          ...props.environment,
          ...(name === "insights" && props.insightsEnvironment),
          POWERTOOLS_SERVICE_NAME: `api-${name}`,
        },
        timeout: Duration.seconds(10),
        logRetention: props.logRetention,
        removalPolicy: props.removalPolicy,
      });
    }
    this.functions = functions;

    this.api = new apigw.HttpApi(this, "Api", {
      apiName: `personalization-${props.stage}`,
      description: "Customer API of the personalization service for the bank's channel apps",
      createDefaultStage: false,
      ...(props.corsOrigins.length > 0 && {
        corsPreflight: {
          allowOrigins: [...props.corsOrigins],
          allowMethods: [...new Set(ROUTES.map((route) => apigw.CorsHttpMethod[route.method]))],
          allowHeaders: ["authorization", "content-type", "if-match"],
          exposeHeaders: ["etag"],
          maxAge: Duration.hours(1),
        },
      }),
    });

    const authorizer = new HttpUserPoolAuthorizer("CustomerToken", props.identity.userPool, {
      userPoolClients: [...props.identity.clients],
      ...(props.identity.userPoolRegion && { userPoolRegion: props.identity.userPoolRegion }),
    });
    const integrations = new Map(
      API_FUNCTIONS.map((name) => [
        name,
        new HttpLambdaIntegration(`${name}Integration`, functions[name].function),
      ]),
    );
    for (const route of ROUTES) {
      this.api.addRoutes({
        path: route.path,
        methods: [apigw.HttpMethod[route.method]],
        integration: integrations.get(route.function) as HttpLambdaIntegration,
        authorizer,
      });
    }

    const accessLogs = new logs.LogGroup(this, "AccessLogs", {
      retention: props.logRetention,
      removalPolicy: props.removalPolicy,
    });
    this.stage = new apigw.HttpStage(this, "Stage", {
      httpApi: this.api,
      stageName: "$default",
      autoDeploy: true,
      throttle: { rateLimit: props.rateLimit, burstLimit: props.burstLimit },
      accessLogSettings: {
        destination: new apigw.LogGroupLogDestination(accessLogs),
        format: AccessLogFormat.custom(JSON.stringify(ACCESS_LOG_FIELDS)),
      },
    });
  }

  get url(): string {
    return this.stage.url;
  }
}
