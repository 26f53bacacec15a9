import type { Consents } from "../domain/consents";
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
  /** True for marketing e-mail (offers), which carries the bank's unsubscribe link in its headers. */
  readonly marketing: boolean;
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
  /** The customer's current consents, read strongly consistent so that a withdrawal applies at once. */
  consents(customerId: string): Promise<Consents>;
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
  /** Not sent, on purpose: a consent that the message's rule needs is no longer granted. */
  | { readonly status: "suppressed"; readonly reason: string }
  | { readonly status: "retry"; readonly reason: string; readonly nextAttemptAt: Date };

/** A message claimed for sending, with the attempt number this claim starts. */
export interface ClaimedMessage {
  readonly message: OutboxMessage;
  readonly attempt: number;
}

/** A settled message with its final result and the time that result was recorded. */
export interface SettledMessage {
  readonly message: OutboxMessage;
  readonly result: Exclude<DeliveryResult, { status: "retry" }>;
  readonly at: Date;
}

export type ClaimOutcome =
  | { readonly claimed: ClaimedMessage }
  /**
   * Nothing to do: delivered, failed or suppressed before, deferred to later, or being sent by another
   * invocation.
   */
  | { readonly skipped: "done" | "not-due" | "in-progress" | "missing" }
  /** A previous send was interrupted: whether the customer got it is unknown, so it is not sent again. */
  | { readonly interrupted: ClaimedMessage }
  /**
   * The message is settled, but the invocation that recorded its result stopped before confirming
   * that the MessageDelivered or MessageFailed event reached the bus or the outbox.
   */
  | { readonly unannounced: SettledMessage };

export interface OutboxReference {
  readonly customerId: string;
  readonly messageId: string;
}

export interface OutboxStore {
  /** Marks a pending or due message as being sent, for `leaseMs`; another claim waits until it ends. */
  claim(reference: OutboxReference, now: Date, leaseMs: number): Promise<ClaimOutcome>;
  /**
   * Records the result of a claimed attempt. A "retry" result also releases the claim, so the release
   * job claims the message again once `nextAttemptAt` has passed. A final result may keep the message
   * listed for the release job until {@link markAnnounced} confirms its result event, so that an
   * event lost in a crash is published later. Returns false, recording nothing, when another
   * invocation took the claim over or settled the message first.
   */
  record(reference: OutboxReference, attempt: number, result: DeliveryResult, at: Date): Promise<boolean>;
  /**
   * Confirms that the result event of a settled message reached the bus or the outbox, so the release
   * job stops listing the message. Optional, because a store that keeps no settled message listed,
   * such as an in-memory fake, has nothing to confirm.
   */
  markAnnounced?(reference: OutboxReference): Promise<void>;
  /**
   * Records the result of publishing a derived event without a claim first. Events are published at
   * least once (the bus's consumers deduplicate by message id), so a crash before this write means
   * the event is published again.
   */
  settleEvent(reference: OutboxReference, result: DeliveryResult, at: Date): Promise<void>;
  /** Writes a derived event as a new pending outbox item, for when publishing it directly failed. */
  addEvent(message: OutboxMessage, at: Date): Promise<void>;
  /**
   * Messages due by `now`, oldest first, at most `limit`: deferrals and retry delays that ended, claims
   * whose lease expired, and pending messages that dispatch has not claimed a few minutes after they
   * were written.
   */
  listDue(now: Date, limit: number): Promise<OutboxReference[]>;
}
