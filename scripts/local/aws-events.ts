import { createHash, randomUUID } from "node:crypto";
import type { Context, SQSEvent, SQSRecord } from "aws-lambda";
import { LOCAL_ACCOUNT_ID, LOCAL_EVENT_REGION } from "../importers/source-event";

/**
 * Builders for the AWS event shapes the local runtime hands to the handlers, matching what Lambda
 * delivers from SQS, so the handlers run the same code path as in AWS.
 */

export const LOCAL_QUEUE_ARN = `arn:aws:sqs:${LOCAL_EVENT_REGION}:${LOCAL_ACCOUNT_ID}:personalization-ingest`;

export interface QueuedMessage {
  readonly messageId: string;
  readonly body: string;
  /** How many times the message has been received, as SQS counts it (1 on first delivery). */
  receiveCount: number;
  readonly sentAt: number;
}

export function sqsRecordOf(message: QueuedMessage): SQSRecord {
  const now = Date.now();
  return {
    messageId: message.messageId,
    receiptHandle: `local-${message.messageId}-${message.receiveCount}`,
    body: message.body,
    attributes: {
      ApproximateReceiveCount: String(message.receiveCount),
      SentTimestamp: String(message.sentAt),
      SenderId: "AROALOCALEVENTBRIDGE",
      ApproximateFirstReceiveTimestamp: String(now),
    },
    messageAttributes: {},
    md5OfBody: createHash("md5").update(message.body).digest("hex"),
    eventSource: "aws:sqs",
    eventSourceARN: LOCAL_QUEUE_ARN,
    awsRegion: LOCAL_EVENT_REGION,
  };
}

export function sqsEventOf(messages: readonly QueuedMessage[]): SQSEvent {
  return { Records: messages.map(sqsRecordOf) };
}

/** A Lambda context for a local invocation of the named function. */
export function lambdaContext(functionName: string, memoryMb = 512): Context {
  const deadline = Date.now() + 60_000;
  return {
    callbackWaitsForEmptyEventLoop: false,
    functionName,
    functionVersion: "$LATEST",
    invokedFunctionArn: `arn:aws:lambda:${LOCAL_EVENT_REGION}:${LOCAL_ACCOUNT_ID}:function:${functionName}`,
    memoryLimitInMB: String(memoryMb),
    awsRequestId: randomUUID(),
    logGroupName: `/aws/lambda/${functionName}`,
    logStreamName: "local",
    getRemainingTimeInMillis: () => Math.max(0, deadline - Date.now()),
    done: () => undefined,
    fail: () => undefined,
    succeed: () => undefined,
  };
}
