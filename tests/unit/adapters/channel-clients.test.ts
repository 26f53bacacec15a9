import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { EventBridgeClient } from "@aws-sdk/client-eventbridge";
import { PinpointClient } from "@aws-sdk/client-pinpoint";
import { SESv2Client } from "@aws-sdk/client-sesv2";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  CHANNEL_TIMEOUTS,
  type ChannelTimeouts,
  channelClientConfig,
  maxChannelCallMs,
} from "../../../lambdas/adapters/aws/clients";
import { EventBridgePublisher } from "../../../lambdas/adapters/aws/eventbridge-publisher";
import { PinpointPushSender } from "../../../lambdas/adapters/aws/pinpoint-push-sender";
import { SesEmailSender } from "../../../lambdas/adapters/aws/ses-email-sender";
import { DISPATCH_LEASE_MS } from "../../../lambdas/handlers/dispatch/dependencies";
import { RetryableDeliveryError } from "../../../lambdas/ports/delivery";

/** Short limits, so that a test against the silent server ends in well under a second per attempt. */
const TEST_TIMEOUTS: ChannelTimeouts = { connectionTimeoutMs: 500, requestTimeoutMs: 300, maxAttempts: 2 };

/** A server on 127.0.0.1 that reads every request and never responds, like a stuck provider endpoint. */
let silentServer: Server;
let endpoint: string;
let requestsReceived = 0;

beforeAll(async () => {
  silentServer = createServer(() => {
    requestsReceived += 1;
  });
  await new Promise<void>((resolve) => silentServer.listen(0, "127.0.0.1", resolve));
  endpoint = `http://127.0.0.1:${(silentServer.address() as AddressInfo).port}`;
});

afterAll(async () => {
  silentServer.closeAllConnections();
  await new Promise((resolve) => silentServer.close(resolve));
});

function clientSettings() {
  return {
    ...channelClientConfig(TEST_TIMEOUTS),
    endpoint,
    region: "ap-southeast-1",
    credentials: { accessKeyId: "AKIDTEST", secretAccessKey: "test-secret" },
  };
}

/** Runs `work` and returns how long it took, in milliseconds, and what it threw. */
async function timed(work: () => Promise<unknown>): Promise<{ elapsedMs: number; error: unknown }> {
  const started = performance.now();
  try {
    await work();
    return { elapsedMs: performance.now() - started, error: undefined };
  } catch (error) {
    return { elapsedMs: performance.now() - started, error };
  }
}

describe("channel client timeouts", () => {
  it("end a call well within the lease", () => {
    expect(maxChannelCallMs()).toBe(20_000);
    expect(maxChannelCallMs()).toBeLessThanOrEqual(DISPATCH_LEASE_MS / 2);
    expect(channelClientConfig()).toEqual({
      maxAttempts: CHANNEL_TIMEOUTS.maxAttempts,
      requestHandler: { connectionTimeout: 2_000, requestTimeout: 8_000, throwOnRequestTimeout: true },
    });
  });

  it("stop a stuck SES call as retryable", async () => {
    // Prepare
    const before = requestsReceived;
    const sender = new SesEmailSender(new SESv2Client(clientSettings()), {
      fromAddress: "no-reply@bank.example",
    });

    // Act
    const { elapsedMs, error } = await timed(() =>
      sender.send({
        messageId: "m-email",
        to: "customer@example.invalid",
        subject: "Số dư thấp",
        text: "Số dư còn 400.000 ₫.",
        html: "<p>Số dư còn 400.000 ₫.</p>",
        tags: {},
        marketing: false,
      }),
    );

    // Assess: two attempts of 300 ms each, and the SDK's short backoff between them.
    expect(error).toBeInstanceOf(RetryableDeliveryError);
    expect(String((error as Error).message)).toContain("TimeoutError");
    expect(requestsReceived - before).toBe(2);
    expect(elapsedMs).toBeLessThan(5_000);
  });

  it("stop a stuck Pinpoint call as retryable", async () => {
    const sender = new PinpointPushSender(new PinpointClient(clientSettings()), { applicationId: "app-1" });

    const { elapsedMs, error } = await timed(async () => {
      const results = await sender.send([{ deviceId: "d-1", platform: "android", token: "t-1" }], {
        messageId: "m-push",
        title: "Số dư thấp",
        body: "Số dư còn 400.000 ₫.",
        urgent: false,
        data: {},
      });
      expect(results).toEqual([{ deviceId: "d-1", status: "retryable", detail: "TimeoutError" }]);
    });

    expect(error).toBeUndefined();
    expect(elapsedMs).toBeLessThan(5_000);
  });

  it("stop a stuck EventBridge call as failed entries", async () => {
    const publisher = new EventBridgePublisher(new EventBridgeClient(clientSettings()), {
      eventBusName: "bank-bus",
      source: "personalization",
    });
    const event = { detailType: "AlertRaised", detail: { customerId: "c-1" } } as const;

    const { elapsedMs, error } = await timed(async () => {
      expect(await publisher.publish([event])).toEqual([{ event, error: "TimeoutError" }]);
    });

    expect(error).toBeUndefined();
    expect(elapsedMs).toBeLessThan(5_000);
  });
});
