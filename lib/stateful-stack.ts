import { CfnOutput, Duration, RemovalPolicy, Stack, type StackProps, Validations } from "aws-cdk-lib";
import * as cognito from "aws-cdk-lib/aws-cognito";
import * as dynamodb from "aws-cdk-lib/aws-dynamodb";
import * as events from "aws-cdk-lib/aws-events";
import * as kms from "aws-cdk-lib/aws-kms";
import type { Construct } from "constructs";
import { TABLE_DEFINITION } from "../lambdas/adapters/dynamodb/table-definition";
import type { DeploymentConfig } from "./config";

export interface CustomerIdentity {
  readonly userPool: cognito.IUserPool;
  readonly clients: readonly cognito.IUserPoolClient[];
  readonly customerIdClaim: string;
  /** Region of an imported pool, which its id starts with; a created pool is in the stack's region. */
  readonly userPoolRegion?: string;
}

export interface StatefulStackProps extends StackProps {
  readonly config: DeploymentConfig;
}

/**
 * Builds the table's construct props from the shared definition, which the local runtime also uses,
 * so keys, index and stream are the same in both.
 */
function tableKeys() {
  const { partitionKey, sortKey } = TABLE_DEFINITION;
  return {
    partitionKey: { name: partitionKey.name, type: dynamodb.AttributeType.STRING },
    sortKey: { name: sortKey.name, type: dynamodb.AttributeType.STRING },
  };
}

/**
 * What holds customer data and must outlive any deployment: the customer-managed key, the table, and
 * the bus with its archive (encrypted by EventBridge with an AWS owned key). In prod every one of them is retained when the stack is deleted, and the
 * table also has deletion protection; in dev they are destroyed with the stack, for quick teardown.
 */
export class StatefulStack extends Stack {
  readonly key: kms.Key;
  readonly table: dynamodb.Table;
  readonly bus: events.EventBus;
  /** Who may call the API: the user pool, its app clients, and the claim that names the customer. */
  readonly identity: CustomerIdentity;

  constructor(scope: Construct, id: string, props: StatefulStackProps) {
    super(scope, id, props);
    const production = props.config.stage === "prod";
    const removalPolicy = production ? RemovalPolicy.RETAIN : RemovalPolicy.DESTROY;

    this.key = new kms.Key(this, "DataKey", {
      description: "Encrypts customer data in the personalization table",
      enableKeyRotation: true,
      removalPolicy,
    });

    this.table = new dynamodb.Table(this, "Table", {
      ...tableKeys(),
      billingMode: dynamodb.BillingMode.PAY_PER_REQUEST,
      encryption: dynamodb.TableEncryption.CUSTOMER_MANAGED,
      encryptionKey: this.key,
      pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
      deletionProtection: production,
      timeToLiveAttribute: TABLE_DEFINITION.timeToLiveAttribute,
      stream: dynamodb.StreamViewType[TABLE_DEFINITION.streamViewType],
      removalPolicy,
    });
    for (const index of TABLE_DEFINITION.globalSecondaryIndexes) {
      this.table.addGlobalSecondaryIndex({
        indexName: index.indexName,
        partitionKey: { name: index.partitionKey.name, type: dynamodb.AttributeType.STRING },
        sortKey: { name: index.sortKey.name, type: dynamodb.AttributeType.STRING },
        projectionType: dynamodb.ProjectionType[index.projectionType],
      });
    }

    this.bus = new events.EventBus(this, "Bus", {
      description:
        "The bank's bus: core banking's TransactionPosted events and this service's derived events",
    });
    this.bus.applyRemovalPolicy(removalPolicy);
    this.bus.archive("Archive", {
      description: "Every event on the bus, for replays after an incident",
      eventPattern: { account: [this.account] },
      retention: Duration.days(props.config.archiveRetentionDays),
    });

    this.identity = props.config.cognitoUserPoolId
      ? this.importIdentity(props.config)
      : this.createIdentity(props.config, removalPolicy);

    new CfnOutput(this, "EventBusName", {
      value: this.bus.eventBusName,
      description: "Bus that core banking publishes TransactionPosted events to",
    });
    new CfnOutput(this, "TableName", { value: this.table.tableName });
    new CfnOutput(this, "UserPoolId", { value: this.identity.userPool.userPoolId });
    new CfnOutput(this, "UserPoolClientIds", {
      value: this.identity.clients.map((client) => client.userPoolClientId).join(","),
      description: "App clients whose access tokens the customer API accepts",
    });
  }

  private importIdentity(config: DeploymentConfig): CustomerIdentity {
    const userPool = cognito.UserPool.fromUserPoolId(this, "UserPool", config.cognitoUserPoolId as string);
    return {
      userPool,
      clients: config.cognitoClientIds.map((clientId, index) =>
        cognito.UserPoolClient.fromUserPoolClientId(this, `UserPoolClient${index}`, clientId),
      ),
      customerIdClaim: config.customerIdClaim ?? "sub",
      userPoolRegion: (config.cognitoUserPoolId as string).split("_")[0] as string,
    };
  }

  /**
   * A user pool for banks without an identity provider to import, and for trying the API in a dev
   * stage: no self sign-up (the bank creates each user with the customer id as username), MFA
   * required, and Cognito's threat protection enforcing.
   */
  private createIdentity(config: DeploymentConfig, removalPolicy: RemovalPolicy): CustomerIdentity {
    const userPool = new cognito.UserPool(this, "UserPool", {
      userPoolName: `personalization-${config.stage}`,
      selfSignUpEnabled: false,
      signInAliases: { username: true },
      signInCaseSensitive: false,
      mfa: cognito.Mfa.REQUIRED,
      mfaSecondFactor: { otp: true, sms: false },
      passwordPolicy: {
        minLength: 12,
        requireDigits: true,
        requireLowercase: true,
        requireUppercase: true,
        requireSymbols: true,
      },
      accountRecovery: cognito.AccountRecovery.NONE,
      featurePlan: cognito.FeaturePlan.PLUS,
      standardThreatProtectionMode: cognito.StandardThreatProtectionMode.FULL_FUNCTION,
      deletionProtection: config.stage === "prod",
      removalPolicy,
    });
    Validations.of(userPool).acknowledge({
      id: "AwsSolutions-COG2",
      reason: "MFA is required (TOTP); the rule does not recognize the REQUIRED setting with OTP only",
    });
    const client = userPool.addClient("AppClient", {
      userPoolClientName: "channel-apps",
      authFlows: { userSrp: true },
      generateSecret: false,
      preventUserExistenceErrors: true,
      enableTokenRevocation: true,
      accessTokenValidity: Duration.hours(1),
      idTokenValidity: Duration.hours(1),
      refreshTokenValidity: Duration.days(30),
    });
    return { userPool, clients: [client], customerIdClaim: config.customerIdClaim ?? "username" };
  }
}
