import {
  BadRequestException,
  ForbiddenException,
  InternalServerErrorException,
  type MessageResult,
  NotFoundException,
  PinpointClient,
  PinpointServiceException,
  SendMessagesCommand,
  TooManyRequestsException,
} from "@aws-sdk/client-pinpoint";
import { mockClient } from "aws-sdk-client-mock";
import "aws-sdk-client-mock-vitest/extend";
import { describe, expect, it } from "vitest";
import { PinpointPushSender } from "../../../lambdas/adapters/aws/pinpoint-push-sender";
import type { Device, PushNotification, PushResult } from "../../../lambdas/ports/delivery";

const APPLICATION_ID = "0123456789abcdef0123456789abcdef";
const IOS_TOKEN = "a1".repeat(32);
const ANDROID_TOKEN = "fcm-registration-token:APA91bHPRgkFLJu6sKnXb0hS2OvkAtoEMxP0Yn";
const IPHONE: Device = { deviceId: "device-iphone", platform: "ios", token: IOS_TOKEN };
const PIXEL: Device = { deviceId: "device-pixel", platform: "android", token: ANDROID_TOKEN };

const NOTIFICATION: PushNotification = {
  messageId: "6f1d0c5e9b2a4f7d8e3c1b0a9f8e7d6c",
  title: "Giao dịch lớn",
  body: "Thẻ của bạn vừa thanh toán 1.500.000 ₫ tại Highlands Coffee.",
  urgent: false,
  data: { ruleId: "large-purchase", kind: "alert" },
};

/** Creates a sender whose client is mocked, so no request leaves the process. */
function createSender() {
  const client = new PinpointClient({
    region: "ap-southeast-1",
    credentials: { accessKeyId: "AKIDTEST", secretAccessKey: "test-secret" },
  });
  const pinpoint = mockClient(client);
  const sender = new PinpointPushSender(client, { applicationId: APPLICATION_ID });
  return { pinpoint, sender };
}

/** Builds a 200 response of SendMessages with the given per-address results. */
function response(results: Record<string, MessageResult>) {
  return { MessageResponse: { ApplicationId: APPLICATION_ID, Result: results } };
}

/** Returns the detail of every result that has one. */
function detailsOf(results: readonly PushResult[]): string[] {
  return results.flatMap((result) => ("detail" in result ? [result.detail] : []));
}

/** Fails when a detail contains a device token. */
function expectNoTokens(
  results: readonly PushResult[],
  tokens: readonly string[] = [IOS_TOKEN, ANDROID_TOKEN],
) {
  for (const detail of detailsOf(results)) {
    for (const token of tokens) expect(detail).not.toContain(token);
  }
}

/** Splits text into the graphemes that `Intl.Segmenter` finds. */
function graphemes(text: string): string[] {
  return [...new Intl.Segmenter("vi", { granularity: "grapheme" }).segment(text)].map(
    ({ segment }) => segment,
  );
}

/** Asserts that `cut` is "…" after a run of whole graphemes from the start of `original`. */
function expectCutOnGraphemeBoundary(cut: string, original: string) {
  expect(cut.endsWith("…")).toBe(true);
  const keptText = cut.slice(0, -1);
  let prefix = "";
  for (const grapheme of graphemes(original)) {
    if (prefix.length >= keptText.length) break;
    prefix += grapheme;
  }
  expect(prefix).toBe(keptText);
}

describe("PinpointPushSender", () => {
  it("sends tokens as APNS and GCM addresses", async () => {
    // Prepare
    const { pinpoint, sender } = createSender();
    pinpoint.on(SendMessagesCommand).resolves(
      response({
        [IOS_TOKEN]: { DeliveryStatus: "SUCCESSFUL", StatusCode: 200 },
        [ANDROID_TOKEN]: { DeliveryStatus: "SUCCESSFUL", StatusCode: 200 },
      }),
    );

    // Act
    const results = await sender.send([IPHONE, PIXEL], NOTIFICATION);

    // Assess
    expect(results).toEqual([
      { deviceId: "device-iphone", status: "delivered" },
      { deviceId: "device-pixel", status: "delivered" },
    ]);
    expect(pinpoint).toHaveReceivedCommandExactlyOnceWith(SendMessagesCommand, {
      ApplicationId: APPLICATION_ID,
      MessageRequest: {
        Addresses: {
          [IOS_TOKEN]: { ChannelType: "APNS" },
          [ANDROID_TOKEN]: { ChannelType: "GCM" },
        },
        MessageConfiguration: {
          APNSMessage: {
            APNSPushType: "alert",
            Action: "OPEN_APP",
            Title: NOTIFICATION.title,
            Body: NOTIFICATION.body,
            Data: { ruleId: "large-purchase", kind: "alert" },
            Priority: "normal",
            TimeToLive: 86_400,
            CollapseId: NOTIFICATION.messageId,
          },
          GCMMessage: {
            Action: "OPEN_APP",
            Title: NOTIFICATION.title,
            Body: NOTIFICATION.body,
            Data: { ruleId: "large-purchase", kind: "alert" },
            Priority: "normal",
            TimeToLive: 86_400,
          },
        },
      },
    });
  });

  it.each([
    [true, "high"],
    [false, "normal"],
  ])("sends urgent=%s with priority %s", async (urgent, priority) => {
    // Prepare
    const { pinpoint, sender } = createSender();
    pinpoint
      .on(SendMessagesCommand)
      .resolves(response({ [IOS_TOKEN]: { DeliveryStatus: "SUCCESSFUL", StatusCode: 200 } }));

    // Act
    await sender.send([IPHONE], { ...NOTIFICATION, urgent });

    // Assess
    const configuration =
      pinpoint.commandCalls(SendMessagesCommand)[0]?.args[0].input.MessageRequest?.MessageConfiguration;
    expect(configuration?.APNSMessage?.Priority).toBe(priority);
    expect(configuration?.GCMMessage?.Priority).toBe(priority);
  });

  it("cuts long Vietnamese text on graphemes", async () => {
    // Prepare: decomposed letters ("ệ" is 3 code points, 5 bytes) and flags make a byte cut split graphemes.
    const { pinpoint, sender } = createSender();
    pinpoint
      .on(SendMessagesCommand)
      .resolves(response({ [IOS_TOKEN]: { DeliveryStatus: "SUCCESSFUL", StatusCode: 200 } }));
    const sentence = "Tiền điện tháng 12 đã được thanh toán 🇻🇳 ".normalize("NFD");
    const body = sentence.repeat(120);
    const title = "Thông báo giao dịch thẻ tín dụng ".normalize("NFD").repeat(10);
    expect(Buffer.byteLength(body, "utf8")).toBeGreaterThan(3000);
    expect(Buffer.byteLength(title, "utf8")).toBeGreaterThan(200);

    // Act
    await sender.send([IPHONE], { ...NOTIFICATION, title, body });

    // Assess
    const configuration =
      pinpoint.commandCalls(SendMessagesCommand)[0]?.args[0].input.MessageRequest?.MessageConfiguration;
    const sentBody = configuration?.APNSMessage?.Body ?? "";
    const sentTitle = configuration?.APNSMessage?.Title ?? "";
    expect(Buffer.byteLength(sentBody, "utf8")).toBeLessThanOrEqual(3000);
    expect(Buffer.byteLength(sentBody, "utf8")).toBeGreaterThan(2900);
    expectCutOnGraphemeBoundary(sentBody, body);
    expect(Buffer.byteLength(sentTitle, "utf8")).toBeLessThanOrEqual(200);
    expectCutOnGraphemeBoundary(sentTitle, title);
    expect(configuration?.GCMMessage?.Body).toBe(sentBody);
    expect(configuration?.GCMMessage?.Title).toBe(sentTitle);
  });

  it.each([
    ["SUCCESSFUL", "delivered"],
    ["DUPLICATE", "delivered"],
    ["PERMANENT_FAILURE", "failed"],
    ["OPT_OUT", "invalid-token"],
    ["THROTTLED", "retryable"],
    ["TEMPORARY_FAILURE", "retryable"],
    ["TIMEOUT", "retryable"],
    ["UNKNOWN_FAILURE", "retryable"],
    ["SOME_FUTURE_STATUS", "failed"],
  ])("maps DeliveryStatus %s to %s", async (deliveryStatus, expected) => {
    // Prepare: the provider's message echoes the token, which must not reach the detail.
    const { pinpoint, sender } = createSender();
    pinpoint.on(SendMessagesCommand).resolves(
      response({
        [ANDROID_TOKEN]: {
          DeliveryStatus: deliveryStatus as MessageResult["DeliveryStatus"],
          StatusCode: 400,
          StatusMessage: `Provider response for ${ANDROID_TOKEN}`,
        },
      }),
    );

    // Act
    const results = await sender.send([PIXEL], NOTIFICATION);

    // Assess
    expect(results).toHaveLength(1);
    expect(results[0]?.deviceId).toBe("device-pixel");
    expect(results[0]?.status).toBe(expected);
    expectNoTokens(results);
  });

  it.each([
    ["BadDeviceToken", 400, "invalid-token"],
    ["Unregistered", 410, "invalid-token"],
    ["NotRegistered", 400, "invalid-token"],
    ["InvalidProviderToken", 403, "failed"],
    ["Certificate expired", 403, "failed"],
  ])("maps a permanent failure for %s (%s) to %s", async (reason, statusCode, expected) => {
    // Prepare: only a reason that blames the token may deactivate the device.
    const { pinpoint, sender } = createSender();
    pinpoint.on(SendMessagesCommand).resolves(
      response({
        [ANDROID_TOKEN]: {
          DeliveryStatus: "PERMANENT_FAILURE",
          StatusCode: statusCode,
          StatusMessage: reason,
        },
      }),
    );

    // Act
    const results = await sender.send([PIXEL], NOTIFICATION);

    // Assess
    expect(results[0]?.status).toBe(expected);
  });

  it("describes a failed address without its token", async () => {
    // Prepare
    const { pinpoint, sender } = createSender();
    const replacementToken = "fcm-registration-token:replacement-0001";
    pinpoint.on(SendMessagesCommand).resolves(
      response({
        [ANDROID_TOKEN]: {
          DeliveryStatus: "PERMANENT_FAILURE",
          StatusCode: 400,
          StatusMessage: `NotRegistered: ${ANDROID_TOKEN} replaced by ${replacementToken}`,
          UpdatedToken: replacementToken,
        },
      }),
    );

    // Act
    const results = await sender.send([PIXEL], NOTIFICATION);

    // Assess
    expect(results).toEqual([
      {
        deviceId: "device-pixel",
        status: "invalid-token",
        detail: "PERMANENT_FAILURE (400): NotRegistered: [token] replaced by [token]",
      },
    ]);
    expectNoTokens(results, [ANDROID_TOKEN, replacementToken]);
  });

  it.each([
    [
      "no result for the address",
      response({ "another-token": { DeliveryStatus: "SUCCESSFUL", StatusCode: 200 } }),
    ],
    ["no Result map", { MessageResponse: { ApplicationId: APPLICATION_ID } }],
    ["no MessageResponse", {}],
  ])("fails a device when the response has %s", async (_case, output) => {
    // Prepare
    const { pinpoint, sender } = createSender();
    pinpoint.on(SendMessagesCommand).resolves(output);

    // Act
    const results = await sender.send([IPHONE], NOTIFICATION);

    // Assess
    expect(results).toEqual([
      { deviceId: "device-iphone", status: "failed", detail: "Pinpoint returned no result for this address" },
    ]);
  });

  it("maps mixed results back to device ids", async () => {
    // Prepare: a second iPhone registered with the same token gets the same result.
    const { pinpoint, sender } = createSender();
    const ipad: Device = { deviceId: "device-ipad", platform: "ios", token: "b2".repeat(32) };
    const reinstalled: Device = { deviceId: "device-iphone-reinstalled", platform: "ios", token: IOS_TOKEN };
    pinpoint.on(SendMessagesCommand).resolves(
      response({
        [IOS_TOKEN]: { DeliveryStatus: "SUCCESSFUL", StatusCode: 200 },
        [ANDROID_TOKEN]: { DeliveryStatus: "THROTTLED", StatusCode: 429 },
        [ipad.token]: { DeliveryStatus: "OPT_OUT", StatusCode: 400, StatusMessage: "Unregistered" },
      }),
    );

    // Act
    const results = await sender.send([IPHONE, PIXEL, ipad, reinstalled], NOTIFICATION);

    // Assess
    expect(results).toEqual([
      { deviceId: "device-iphone", status: "delivered" },
      { deviceId: "device-pixel", status: "retryable", detail: "THROTTLED (429)" },
      { deviceId: "device-ipad", status: "invalid-token", detail: "OPT_OUT (400): Unregistered" },
      { deviceId: "device-iphone-reinstalled", status: "delivered" },
    ]);
    const addresses = pinpoint.commandCalls(SendMessagesCommand)[0]?.args[0].input.MessageRequest?.Addresses;
    expect(Object.keys(addresses ?? {})).toEqual([IOS_TOKEN, ANDROID_TOKEN, ipad.token]);
  });

  it.each([
    {
      name: "TooManyRequestsException",
      error: new TooManyRequestsException({
        message: `Rate exceeded for ${IOS_TOKEN}`,
        $metadata: { httpStatusCode: 429 },
      }),
      expected: "retryable",
    },
    {
      name: "InternalServerErrorException",
      error: new InternalServerErrorException({
        message: "Internal error",
        $metadata: { httpStatusCode: 500 },
      }),
      expected: "retryable",
    },
    {
      name: "ServiceUnavailable",
      error: new PinpointServiceException({
        name: "ServiceUnavailable",
        $fault: "server",
        message: "Service unavailable",
        $metadata: { httpStatusCode: 503 },
      }),
      expected: "retryable",
    },
    {
      name: "ThrottlingException",
      error: new PinpointServiceException({
        name: "ThrottlingException",
        $fault: "client",
        message: "Rate exceeded",
        $metadata: { httpStatusCode: 400 },
      }),
      expected: "retryable",
    },
    {
      name: "ECONNRESET",
      error: Object.assign(new Error(`socket hang up for ${IOS_TOKEN}`), { code: "ECONNRESET" }),
      expected: "retryable",
    },
    {
      name: "EAI_AGAIN",
      error: Object.assign(new Error("getaddrinfo EAI_AGAIN"), { code: "EAI_AGAIN" }),
      expected: "retryable",
    },
    {
      name: "TimeoutError",
      error: Object.assign(new Error("Connection timed out"), { name: "TimeoutError" }),
      expected: "retryable",
    },
    {
      name: "NotFoundException",
      error: new NotFoundException({ message: "Resource not found", $metadata: { httpStatusCode: 404 } }),
      expected: "failed",
    },
    {
      name: "BadRequestException",
      error: new BadRequestException({
        message: `Invalid address ${ANDROID_TOKEN}`,
        $metadata: { httpStatusCode: 400 },
      }),
      expected: "failed",
    },
    {
      name: "ForbiddenException",
      error: new ForbiddenException({ message: "Forbidden", $metadata: { httpStatusCode: 403 } }),
      expected: "failed",
    },
    { name: "TypeError", error: new TypeError("Cannot read properties of undefined"), expected: "failed" },
  ])("maps a thrown $name to $expected for every device", async ({ name, error, expected }) => {
    // Prepare
    const { pinpoint, sender } = createSender();
    pinpoint.on(SendMessagesCommand).rejects(error);

    // Act
    const results = await sender.send([IPHONE, PIXEL], NOTIFICATION);

    // Assess
    expect(results).toEqual([
      { deviceId: "device-iphone", status: expected, detail: name },
      { deviceId: "device-pixel", status: expected, detail: name },
    ]);
    expectNoTokens(results);
  });

  it("splits more than 100 addresses into requests", async () => {
    // Prepare
    const { pinpoint, sender } = createSender();
    const devices: Device[] = Array.from({ length: 101 }, (_, index) => ({
      deviceId: `device-${index}`,
      platform: index % 2 === 0 ? "ios" : "android",
      token: `token-${String(index).padStart(3, "0")}`,
    }));
    pinpoint
      .on(SendMessagesCommand)
      .callsFake((input: { MessageRequest: { Addresses: Record<string, unknown> } }) =>
        response(
          Object.fromEntries(
            Object.keys(input.MessageRequest.Addresses).map((token) => [
              token,
              { DeliveryStatus: "SUCCESSFUL", StatusCode: 200 },
            ]),
          ),
        ),
      );

    // Act
    const results = await sender.send(devices, NOTIFICATION);

    // Assess
    expect(pinpoint).toHaveReceivedCommandTimes(SendMessagesCommand, 2);
    const calls = pinpoint.commandCalls(SendMessagesCommand);
    expect(Object.keys(calls[0]?.args[0].input.MessageRequest?.Addresses ?? {})).toHaveLength(100);
    expect(Object.keys(calls[1]?.args[0].input.MessageRequest?.Addresses ?? {})).toEqual(["token-100"]);
    expect(results.map((result) => result.status)).toEqual(Array(101).fill("delivered"));
    expect(results.map((result) => result.deviceId)).toEqual(devices.map((device) => device.deviceId));
  });

  it("fails all devices on oversized data", async () => {
    // Prepare
    const { pinpoint, sender } = createSender();
    const data = { note: "x".repeat(300) };

    // Act
    const results = await sender.send([IPHONE, PIXEL], { ...NOTIFICATION, data });

    // Assess
    expect(pinpoint).toHaveReceivedCommandTimes(SendMessagesCommand, 0);
    expect(results.map((result) => result.status)).toEqual(["failed", "failed"]);
    expect(detailsOf(results)[0]).toBe(
      `Push data of message ${NOTIFICATION.messageId} is 311 bytes of JSON, more than the 256 that fit in the payload`,
    );
  });

  it("sends nothing to no devices", async () => {
    // Prepare
    const { pinpoint, sender } = createSender();

    // Act
    const results = await sender.send([], NOTIFICATION);

    // Assess
    expect(results).toEqual([]);
    expect(pinpoint).toHaveReceivedCommandTimes(SendMessagesCommand, 0);
  });
});
