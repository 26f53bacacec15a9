import {
  type AddressConfiguration,
  type DirectMessageConfiguration,
  type MessageResult,
  type PinpointClient,
  SendMessagesCommand,
} from "@aws-sdk/client-pinpoint";
import { truncateUtf8 } from "../../domain/messages/render";
import type { Device, DevicePlatform, PushNotification, PushResult, PushSender } from "../../ports/delivery";
import { errorName, isTransientAwsError } from "./errors";

/**
 * Byte limits that keep a notification under the 4096-byte payload limit of APNs (regular
 * notifications) and FCM. Title and body take at most 3200 bytes, which leaves about 900 bytes for
 * the JSON structure, the `aps` or FCM keys that Pinpoint adds, and the data map.
 * NOTE: the split is an estimate, because Pinpoint does not document the exact payload it builds,
 * and each quote or backslash in the text grows by one byte when it is JSON-escaped.
 */
const MAX_TITLE_BYTES = 200;
const MAX_BODY_BYTES = 3000;
/** Maximum size of the data map as JSON, in bytes. Ids such as the rule id take well under 100 bytes. */
const MAX_DATA_BYTES = 256;

/**
 * Seconds that APNs and FCM keep trying to reach an offline device. A transaction alert is stale
 * after a day, and the in-app inbox keeps every message anyway.
 */
const TIME_TO_LIVE_SECONDS = 86_400;

/**
 * Maximum number of addresses per `SendMessages` request.
 * NOTE: 100 is an assumption. It is the per-request limit reported for `SendUsersMessages`, and no
 * documented limit was found for the addresses of `SendMessages`.
 */
const MAX_ADDRESSES_PER_REQUEST = 100;

/** APNs uses at most 64 bytes of `apns-collapse-id`. */
const MAX_COLLAPSE_ID_BYTES = 64;

/** Maximum length, in characters, of the provider's status message kept in a result's detail. */
const MAX_STATUS_MESSAGE_LENGTH = 300;

const CHANNEL_TYPES = { ios: "APNS", android: "GCM" } as const satisfies Record<DevicePlatform, string>;

/**
 * Results of Pinpoint's per-address `DeliveryStatus`. DUPLICATE counts as delivered because the
 * address duplicates another endpoint address that Pinpoint sends to. TIMEOUT is missing from the
 * `DeliveryStatus` enum of `@aws-sdk/client-pinpoint` 3.1132 and is mapped in case the service
 * returns it.
 * NOTE: AWS's push best practices state that a permanent failure is also reported when the channel's
 * APNs certificate is invalid, so a misconfigured channel makes valid tokens look invalid.
 */
const PUSH_STATUS_BY_DELIVERY_STATUS: ReadonlyMap<string, PushResult["status"]> = new Map([
  ["SUCCESSFUL", "delivered"],
  ["DUPLICATE", "delivered"],
  ["PERMANENT_FAILURE", "invalid-token"],
  ["OPT_OUT", "invalid-token"],
  ["THROTTLED", "retryable"],
  ["TEMPORARY_FAILURE", "retryable"],
  ["TIMEOUT", "retryable"],
  ["UNKNOWN_FAILURE", "retryable"],
]);

/** A push result before it is paired with the device id. */
type PushOutcome =
  | { readonly status: "delivered" }
  | { readonly status: Exclude<PushResult["status"], "delivered">; readonly detail: string };

export interface PinpointPushSenderOptions {
  /** Id of the Pinpoint project (End User Messaging push application) whose APNs and FCM channels send. */
  readonly applicationId: string;
}

/**
 * Sends push notifications with Pinpoint `SendMessages`, addressing each device by its token, and
 * reads the per-address results inside the 200 response. Tokens never appear in a result's detail,
 * because a detail is stored and logged by the caller.
 */
export class PinpointPushSender implements PushSender {
  constructor(
    private readonly client: PinpointClient,
    private readonly options: PinpointPushSenderOptions,
  ) {}

  async send(devices: readonly Device[], notification: PushNotification): Promise<readonly PushResult[]> {
    if (devices.length === 0) return [];

    const dataBytes = Buffer.byteLength(JSON.stringify(notification.data), "utf8");
    if (dataBytes > MAX_DATA_BYTES) {
      const detail = `Push data of message ${notification.messageId} is ${dataBytes} bytes of JSON, more than the ${MAX_DATA_BYTES} that fit in the payload`;
      return devices.map((device) => ({ deviceId: device.deviceId, status: "failed", detail }));
    }

    // Two devices may share a token, for example after a reinstall registered it again. The token is
    // sent once, and both devices get its result.
    const platformByToken = new Map<string, DevicePlatform>();
    for (const device of devices) {
      if (!platformByToken.has(device.token)) platformByToken.set(device.token, device.platform);
    }

    const configuration = messageConfiguration(notification);
    const addresses = [...platformByToken];
    const outcomeByToken = new Map<string, PushOutcome>();
    for (let start = 0; start < addresses.length; start += MAX_ADDRESSES_PER_REQUEST) {
      const chunk = addresses.slice(start, start + MAX_ADDRESSES_PER_REQUEST);
      const outcomes = await this.sendToAddresses(chunk, configuration);
      for (const [token, outcome] of outcomes) outcomeByToken.set(token, outcome);
    }

    return devices.map((device) => resultFor(device.deviceId, outcomeByToken.get(device.token)));
  }

  /** Sends one request to `[token, platform]` pairs and returns the outcome of each token. */
  private async sendToAddresses(
    addresses: readonly (readonly [string, DevicePlatform])[],
    configuration: DirectMessageConfiguration,
  ): Promise<Map<string, PushOutcome>> {
    const tokens = addresses.map(([token]) => token);
    const addressConfigurations: Record<string, AddressConfiguration> = {};
    for (const [token, platform] of addresses) {
      addressConfigurations[token] = { ChannelType: CHANNEL_TYPES[platform] };
    }

    let results: Record<string, MessageResult>;
    try {
      const response = await this.client.send(
        new SendMessagesCommand({
          ApplicationId: this.options.applicationId,
          MessageRequest: { Addresses: addressConfigurations, MessageConfiguration: configuration },
        }),
      );
      results = response.MessageResponse?.Result ?? {};
    } catch (error) {
      // The whole request failed, so every address gets the same outcome. With its default retry
      // strategy, the SDK has already retried throttling and 5xx responses before it throws.
      const detail = errorName(error);
      const outcome: PushOutcome = isTransientAwsError(error)
        ? { status: "retryable", detail }
        : { status: "failed", detail };
      return new Map(tokens.map((token) => [token, outcome]));
    }

    return new Map(
      tokens.map((token) => [
        token,
        outcomeOf(Object.hasOwn(results, token) ? results[token] : undefined, tokens),
      ]),
    );
  }
}

/** Builds the APNs and FCM settings of one notification, with title and body cut to fit the payload. */
function messageConfiguration(notification: PushNotification): DirectMessageConfiguration {
  const title = truncateUtf8(notification.title, MAX_TITLE_BYTES);
  const body = truncateUtf8(notification.body, MAX_BODY_BYTES);
  const priority = notification.urgent ? "high" : "normal";
  const data = { ...notification.data };
  const collapseId =
    Buffer.byteLength(notification.messageId, "utf8") <= MAX_COLLAPSE_ID_BYTES
      ? notification.messageId
      : undefined;

  return {
    APNSMessage: {
      APNSPushType: "alert",
      Action: "OPEN_APP",
      Title: title,
      Body: body,
      Data: data,
      Priority: priority,
      TimeToLive: TIME_TO_LIVE_SECONDS,
      // iOS shows a notification sent again with the same message id once, in place of the first.
      ...(collapseId && { CollapseId: collapseId }),
    },
    GCMMessage: {
      Action: "OPEN_APP",
      Title: title,
      Body: body,
      Data: data,
      Priority: priority,
      TimeToLive: TIME_TO_LIVE_SECONDS,
    },
  };
}

/** Maps Pinpoint's result for one address. A missing result or an unknown status is a failure. */
function outcomeOf(result: MessageResult | undefined, tokens: readonly string[]): PushOutcome {
  if (!result) return { status: "failed", detail: "Pinpoint returned no result for this address" };

  const status = result.DeliveryStatus
    ? PUSH_STATUS_BY_DELIVERY_STATUS.get(result.DeliveryStatus)
    : undefined;
  if (status === "delivered") return { status: "delivered" };

  const detail = describeResult(result, tokens);
  if (status === "invalid-token" && result.DeliveryStatus === "PERMANENT_FAILURE" && !blamesToken(result)) {
    // A permanent failure also reports a broken channel (an expired APNs certificate, a revoked FCM
    // key); deactivating every device for that would lose valid tokens.
    return { status: "failed", detail };
  }
  return status ? { status, detail } : { status: "failed", detail };
}

/** Provider reasons that mean the token itself is dead (APNs and FCM spellings). */
const TOKEN_REASONS =
  /BadDeviceToken|Unregistered|DeviceTokenNotForTopic|InvalidRegistration|NotRegistered|UNREGISTERED|invalid.?token/i;

/** True when a permanent failure names the token as the cause, by its status message or HTTP 410 (Gone). */
function blamesToken(result: MessageResult): boolean {
  return result.StatusCode === 410 || TOKEN_REASONS.test(result.StatusMessage ?? "");
}

/**
 * Describes a result as "PERMANENT_FAILURE (400): BadDeviceToken". Any token of the request, or the
 * replacement token FCM reported, is replaced by "[token]" in the provider's message.
 */
function describeResult(result: MessageResult, tokens: readonly string[]): string {
  const status = result.DeliveryStatus ?? "no DeliveryStatus";
  const code = result.StatusCode === undefined ? "" : ` (${result.StatusCode})`;
  if (!result.StatusMessage) return `${status}${code}`;

  let message = result.StatusMessage;
  for (const token of [...tokens, result.UpdatedToken ?? ""]) {
    if (token) message = message.replaceAll(token, "[token]");
  }
  if (message.length > MAX_STATUS_MESSAGE_LENGTH) {
    message = `${message.slice(0, MAX_STATUS_MESSAGE_LENGTH)}…`;
  }
  return `${status}${code}: ${message}`;
}

function resultFor(deviceId: string, outcome: PushOutcome | undefined): PushResult {
  // Every token is sent, so a missing outcome would be a bug in this adapter, not a delivery.
  if (!outcome) return { deviceId, status: "failed", detail: "No outcome was recorded for this device" };
  return outcome.status === "delivered"
    ? { deviceId, status: "delivered" }
    : { deviceId, status: outcome.status, detail: outcome.detail };
}
