import type { DerivedEvent, OutboxMessage } from "../domain/outbox";

/**
 * Ports of delivery: the channels a decided message goes out on, the recipients' addresses, and the
 * outbox that records each message's fate. AWS adapters implement them with Pinpoint, SES and
 * EventBridge; the local runtime implements them with files.
 */

export type DevicePlatform = "ios" | "android";

export interface Device {
  readonly deviceId: string;
  readonly platform: DevicePlatform;
  /** The APNs or FCM registration token; never logged. */
  readonly token: string;
}

/** Per-device result of a push send, as the provider reported it inside its response. */
export type PushResult =
  | { readonly deviceId: string; readonly status: "delivered" }
  /** The provider says the token will never work again: the device is deactivated. */
  | { readonly deviceId: string; readonly status: "invalid-token"; readonly detail: string }
  /** Throttling, timeouts and other failures that a later attempt may overcome. */
  | { readonly deviceId: string; readonly status: "retryable"; readonly detail: string }
  | { readonly deviceId: string; readonly status: "failed"; readonly detail: string };

export interface PushNotification {
  readonly messageId: string;
  readonly title: string;
  readonly body: string;
  /** Critical alerts are sent with high priority. */
  readonly urgent: boolean;
  /** Small key-value data for the app, such as the rule id. */
  readonly data: Readonly<Record<string, string>>;
}

export interface PushSender {
  send(devices: readonly Device[], notification: PushNotification): Promise<readonly PushResult[]>;
}

export interface EmailMessage {
  readonly messageId: string;
  readonly to: string;
  readonly subject: string;
  readonly text: string;
  readonly html: string;
  /** Tags for the provider's event stream, such as the rule id; never personal data. */
  readonly tags: Readonly<Record<string, string>>;
}

/** The e-mail provider refused for now (sending rate, daily quota, a paused account): try again later. */
export class RetryableDeliveryError extends Error {
  override name = "RetryableDeliveryError";
}

/** The provider rejected the message for good: it is recorded as failed. */
export class PermanentDeliveryError extends Error {
  override name = "PermanentDeliveryError";
}

export interface EmailSender {
  /** Returns the provider's message id. Throws {@link RetryableDeliveryError} or {@link PermanentDeliveryError}. */
  send(message: EmailMessage): Promise<string>;
}

export interface EventPublisher {
  /**
   * Publishes events to the bus; returns the entries that the bus reported as failed, with their
   * error codes, so the caller can try them again.
   */
  publish(
    events: readonly DerivedEvent[],
  ): Promise<readonly { readonly event: DerivedEvent; readonly error: string }[]>;
}

export interface RecipientStore {
  activeDevices(customerId: string): Promise<readonly Device[]>;
  deactivateDevice(customerId: string, deviceId: string, reason: string, at: Date): Promise<void>;
  /** The customer's e-mail address, or undefined when the bank has none on file. */
  emailAddress(customerId: string): Promise<string | undefined>;
}

export interface InboxEntry {
  readonly messageId: string;
  readonly ruleId: string;
  readonly kind: "alert" | "offer";
  readonly severity: OutboxMessage["severity"];
  readonly title: string;
  readonly body: string;
  readonly createdAt: string;
}

export interface InboxStore {
  /** Adds the entry once: adding the same message id again changes nothing. */
  add(customerId: string, entry: InboxEntry, at: Date): Promise<void>;
}

/** What dispatch decided about one message. */
export type DeliveryResult =
  | { readonly status: "delivered"; readonly detail?: string }
  | { readonly status: "failed"; readonly reason: string }
  | { readonly status: "retry"; readonly reason: string; readonly nextAttemptAt: Date };

/** A message claimed for sending, with the attempt number this claim starts. */
export interface ClaimedMessage {
  readonly message: OutboxMessage;
  readonly attempt: number;
}

export type ClaimOutcome =
  | { readonly claimed: ClaimedMessage }
  /** Nothing to do: delivered or failed before, deferred to later, or being sent by another invocation. */
  | { readonly skipped: "done" | "not-due" | "in-progress" | "missing" }
  /** A previous send was interrupted: whether the customer got it is unknown, so it is not sent again. */
  | { readonly interrupted: ClaimedMessage };

export interface OutboxReference {
  readonly customerId: string;
  readonly messageId: string;
}

export interface OutboxStore {
  /** Marks a pending or due message as being sent, for `leaseMs`; another claim waits until it ends. */
  claim(reference: OutboxReference, now: Date, leaseMs: number): Promise<ClaimOutcome>;
  /** Records the result of a claimed attempt; a result for a claim that another invocation took over is dropped. */
  record(reference: OutboxReference, attempt: number, result: DeliveryResult, at: Date): Promise<void>;
  /**
   * Records the result of publishing a derived event without a claim first. Events are published at
   * least once (the bus's consumers deduplicate by message id), so a crash before this write means
   * the event is published again.
   */
  settleEvent(reference: OutboxReference, result: DeliveryResult, at: Date): Promise<void>;
  /** Writes a derived event as a new pending outbox item, for when publishing it directly failed. */
  addEvent(message: OutboxMessage, at: Date): Promise<void>;
  /** Messages whose deferral ended or whose claim expired by `now`, oldest first, at most `limit`. */
  listDue(now: Date, limit: number): Promise<OutboxReference[]>;
}
