import { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { DynamoDBDocumentClient } from "@aws-sdk/lib-dynamodb";

/**
 * Creates the DynamoDB document client the handlers share. The endpoint comes from the SDK's own
 * configuration (`AWS_ENDPOINT_URL_DYNAMODB` points it at DynamoDB Local), so no handler has a
 * local-only code path.
 */
export function createDocumentClient(
  client: DynamoDBClient = new DynamoDBClient({}),
): DynamoDBDocumentClient {
  return DynamoDBDocumentClient.from(client, {
    marshallOptions: { removeUndefinedValues: true, convertClassInstanceToMap: false },
  });
}

/** Time limits of one provider call (Pinpoint, SES, EventBridge), in milliseconds. */
export interface ChannelTimeouts {
  /** Maximum time to open the TCP connection of one HTTP attempt. */
  readonly connectionTimeoutMs: number;
  /** Maximum time from sending one HTTP attempt to receiving its whole response. */
  readonly requestTimeoutMs: number;
  /** HTTP attempts per call, the first one included. The SDK retries throttling, 5xx and timeouts. */
  readonly maxAttempts: number;
}

/**
 * Limits that end a stuck provider call well within dispatch's one-minute claim lease: at most
 * 2 × (2 s + 8 s) = 20 s, plus about a second at most of backoff before the second attempt (the
 * retry strategy of `@smithy/core` draws it from a base of 100 ms, or 500 ms after throttling). A
 * call that ran past the lease would be recorded as failed by the release job while the provider
 * delivered it.
 */
export const CHANNEL_TIMEOUTS: ChannelTimeouts = {
  connectionTimeoutMs: 2_000,
  requestTimeoutMs: 8_000,
  maxAttempts: 2,
};

/** Returns the longest a provider call can take under `timeouts`, without the SDK's backoff. */
export function maxChannelCallMs(timeouts: ChannelTimeouts = CHANNEL_TIMEOUTS): number {
  return timeouts.maxAttempts * (timeouts.connectionTimeoutMs + timeouts.requestTimeoutMs);
}

/**
 * Returns the client configuration of the channel clients (`new SESv2Client(channelClientConfig())`).
 * `throwOnRequestTimeout` is needed because `@smithy/node-http-handler` (4.14.2 here) only logs a
 * warning when `requestTimeout` passes. With it, the attempt fails with a `TimeoutError`.
 * NOTE: a timed-out attempt may still have reached the provider, so the SDK's second attempt and
 * dispatch's retry can deliver the message twice.
 */
export function channelClientConfig(timeouts: ChannelTimeouts = CHANNEL_TIMEOUTS) {
  return {
    maxAttempts: timeouts.maxAttempts,
    requestHandler: {
      connectionTimeout: timeouts.connectionTimeoutMs,
      requestTimeout: timeouts.requestTimeoutMs,
      throwOnRequestTimeout: true,
    },
  };
}
