import { TRANSACTION_POSTED_DETAIL_TYPE } from "./transaction-posted";

/**
 * Names on the bank's EventBridge bus, shared by the CDK stacks, the publisher and the local
 * runtime so that a rule and the events it should match cannot disagree.
 */

/** Default `source` of core banking's events; deployments set their own with the `eventSource` context value. */
export const DEFAULT_CORE_BANKING_SOURCE = "core-banking";

/** `source` of the events this service publishes (alerts raised, offers presented, messages delivered). */
export const PERSONALIZATION_SOURCE = "personalization";

/** EventBridge event pattern of the rule that routes `TransactionPosted` events to the ingest queue. */
export function transactionPostedPattern(source: string = DEFAULT_CORE_BANKING_SOURCE): {
  source: string[];
  "detail-type": string[];
} {
  return { source: [source], "detail-type": [TRANSACTION_POSTED_DETAIL_TYPE] };
}

/** The EventBridge event fields as they arrive in an SQS message body. */
export interface EventBridgeEvent<Detail = unknown> {
  readonly version: "0";
  readonly id: string;
  readonly "detail-type": string;
  readonly source: string;
  readonly account: string;
  readonly time: string;
  readonly region: string;
  readonly resources: readonly string[];
  readonly detail: Detail;
}
