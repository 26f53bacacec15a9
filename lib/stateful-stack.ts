import { Duration, RemovalPolicy, Stack, type StackProps } from "aws-cdk-lib";
import * as dynamodb from "aws-cdk-lib/aws-dynamodb";
import * as events from "aws-cdk-lib/aws-events";
import * as kms from "aws-cdk-lib/aws-kms";
import type { Construct } from "constructs";
import { TABLE_DEFINITION } from "../lambdas/adapters/dynamodb/table-definition";
import type { DeploymentConfig } from "./config";

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
  }
}
