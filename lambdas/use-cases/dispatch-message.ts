import { type ConsentPurpose, hasConsent } from "../domain/consents";
import {
  consentsNeededFor,
  type DerivedEvent,
  type OutboxMessage,
  outboxMessageId,
  type RuleConsents,
} from "../domain/outbox";
import {
  type DeliveryResult,
  type EmailSender,
  type EventPublisher,
  type InboxStore,
  type OutboxReference,
  type OutboxStore,
  PermanentDeliveryError,
  type PushSender,
  type RecipientStore,
  RetryableDeliveryError,
} from "../ports/delivery";

export interface DispatchDependencies {
  readonly outbox: OutboxStore;
  readonly recipients: RecipientStore;
  readonly inbox: InboxStore;
  readonly push: PushSender;
  readonly email: EmailSender;
  readonly events: EventPublisher;
  /** Rule catalog that lists the consents each rule needs, disabled rules included. */
  readonly catalog: { readonly rules: readonly RuleConsents[] };
  readonly clock: () => Date;
  /** How long a claim lasts; a send still unfinished then counts as interrupted. */
  readonly leaseMs: number;
  /** Attempts before a message that keeps failing for retryable reasons is recorded as failed. */
  readonly maxAttempts: number;
  /** Renders the e-mail version of a message. */
  readonly renderEmail: (message: OutboxMessage) => { subject: string; text: string; html: string };
}

export type DispatchOutcome =
  | {
      readonly status: "delivered" | "failed" | "suppressed" | "retry";
      readonly channel: OutboxMessage["channel"];
      readonly message: OutboxMessage;
      readonly reason?: string;
    }
  /**
   * The result was not recorded, and no result event published, because another invocation had
   * settled the message first. `result` is the status that was dropped.
   */
  | {
      readonly status: "superseded";
      readonly channel: OutboxMessage["channel"];
      readonly message: OutboxMessage;
      readonly result: DeliveryResult["status"];
    }
  | { readonly status: "skipped"; readonly reason: string };

/**
 * A step failed before anything reached a provider, or a step whose repeat changes nothing (adding
 * the inbox entry) failed. Attempting the message again cannot deliver it twice, so dispatch releases
 * its claim for a retry. The message names the step and the error's name only, because it is stored
 * and logged.
 */
class SafeToRetryError extends Error {
  override name = "SafeToRetryError";

  constructor(step: string, cause: unknown) {
    super(`${step} failed before sending (${cause instanceof Error ? cause.name : typeof cause})`, { cause });
  }
}

/** Runs a step that is {@link SafeToRetryError safe to retry}, wrapping what it throws. */
async function safeToRetry<T>(step: string, work: () => T | Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (error) {
    throw new SafeToRetryError(step, error);
  }
}

/** Waits between attempts: 1, 5, 15, 60 minutes, then 4 hours. */
const RETRY_DELAYS_MINUTES = [1, 5, 15, 60, 240];

function retryAt(now: Date, attempt: number): Date {
  const minutes = RETRY_DELAYS_MINUTES[Math.min(attempt - 1, RETRY_DELAYS_MINUTES.length - 1)] as number;
  return new Date(now.getTime() + minutes * 60_000);
}

async function deliverPush(
  message: OutboxMessage,
  deps: DispatchDependencies,
  now: Date,
): Promise<DeliveryResult> {
  const devices = await safeToRetry("reading the push devices", () =>
    deps.recipients.activeDevices(message.customerId),
  );
  if (devices.length === 0) return { status: "failed", reason: "no active push device registered" };

  const results = await deps.push.send(devices, {
    messageId: message.messageId,
    title: message.title,
    body: message.body,
    urgent: message.severity === "critical",
    data: { messageId: message.messageId, ruleId: message.ruleId, kind: message.kind },
  });
  for (const result of results) {
    if (result.status === "invalid-token") {
      await deps.recipients.deactivateDevice(message.customerId, result.deviceId, result.detail, now);
    }
  }
  const delivered = results.filter((result) => result.status === "delivered").length;
  if (delivered > 0) return { status: "delivered", detail: `${delivered} of ${devices.length} devices` };
  const retryable = results.find((result) => result.status === "retryable");
  if (retryable && retryable.status === "retryable") {
    return { status: "retry", reason: `push: ${retryable.detail}`, nextAttemptAt: now };
  }
  const details = [...new Set(results.map((result) => ("detail" in result ? result.detail : result.status)))];
  return { status: "failed", reason: `push failed on every device: ${details.join("; ")}` };
}

async function deliverEmail(
  message: OutboxMessage,
  deps: DispatchDependencies,
  now: Date,
): Promise<DeliveryResult> {
  const address = await safeToRetry("reading the e-mail address", () =>
    deps.recipients.emailAddress(message.customerId),
  );
  if (!address) return { status: "failed", reason: "no e-mail address on file" };
  const content = await safeToRetry("rendering the e-mail", () => deps.renderEmail(message));
  try {
    const providerId = await deps.email.send({
      messageId: message.messageId,
      to: address,
      ...content,
      tags: { rule: message.ruleId, kind: message.kind },
      marketing: message.severity === "marketing",
    });
    return { status: "delivered", detail: providerId };
  } catch (error) {
    if (error instanceof RetryableDeliveryError)
      return { status: "retry", reason: `e-mail: ${error.message}`, nextAttemptAt: now };
    if (error instanceof PermanentDeliveryError)
      return { status: "failed", reason: `e-mail: ${error.message}` };
    throw error;
  }
}

async function deliverEvent(
  message: OutboxMessage,
  deps: DispatchDependencies,
  now: Date,
): Promise<DeliveryResult> {
  if (!message.event) return { status: "failed", reason: "outbox event item has no event" };
  const failed = await deps.events.publish([message.event]);
  if (failed.length === 0) return { status: "delivered" };
  return {
    status: "retry",
    reason: `event bus: ${failed.map((entry) => entry.error).join("; ")}`,
    nextAttemptAt: now,
  };
}

async function deliver(
  message: OutboxMessage,
  deps: DispatchDependencies,
  now: Date,
): Promise<DeliveryResult> {
  switch (message.channel) {
    case "push":
      return deliverPush(message, deps, now);
    case "email":
      return deliverEmail(message, deps, now);
    case "inbox":
      // Adding the entry again keeps the first one, so a failed put is safe to retry.
      await safeToRetry("adding the inbox entry", () =>
        deps.inbox.add(
          message.customerId,
          {
            messageId: message.messageId,
            ruleId: message.ruleId,
            kind: message.kind,
            severity: message.severity,
            title: message.title,
            body: message.body,
            createdAt: message.decidedAt,
          },
          now,
        ),
      );
      return { status: "delivered" };
    case "event":
      return deliverEvent(message, deps, now);
  }
}

/** Returns the first consent that the message's rule needs and the customer no longer grants. */
async function withdrawnConsent(
  message: OutboxMessage,
  deps: DispatchDependencies,
): Promise<ConsentPurpose | undefined> {
  const needed = consentsNeededFor(message, deps.catalog.rules);
  if (needed.length === 0) return undefined;
  const consents = await safeToRetry("reading the consents", () =>
    deps.recipients.consents(message.customerId),
  );
  return needed.find((purpose) => !hasConsent(consents, purpose));
}

/**
 * Sends a claimed message unless a consent it needs was withdrawn since the decision. A deferred or
 * retried message can go out hours after its decision, so the consents are read again here.
 */
async function deliverWithConsent(
  message: OutboxMessage,
  deps: DispatchDependencies,
  now: Date,
): Promise<DeliveryResult> {
  const withdrawn = await withdrawnConsent(message, deps);
  if (withdrawn !== undefined) {
    return { status: "suppressed", reason: `the customer no longer grants the ${withdrawn} consent` };
  }
  return deliver(message, deps, now);
}

/**
 * Builds the MessageDelivered or MessageFailed event of a final result as an outbox item of its own.
 * A suppressed message counts as failed, with its reason, so that consumers of OfferPresented or
 * AlertRaised learn that it never reached the customer. Returns undefined for a retry or an event.
 */
function derivedEventFor(
  message: OutboxMessage,
  result: DeliveryResult,
  at: Date,
): OutboxMessage | undefined {
  if (message.channel === "event" || result.status === "retry") return undefined;
  const event: DerivedEvent = {
    detailType: result.status === "delivered" ? "MessageDelivered" : "MessageFailed",
    detail: {
      customerId: message.customerId,
      messageId: message.messageId,
      ruleId: message.ruleId,
      channel: message.channel,
      at: at.toISOString(),
      ...(result.status !== "delivered" && { reason: result.reason }),
    },
  };
  return {
    ...message,
    messageId: outboxMessageId(message.customerId, message.ruleId, `${message.messageId}:result`, "event"),
    channel: "event",
    decidedAt: at.toISOString(),
    event,
  };
}

/**
 * Publishes the MessageDelivered or MessageFailed event of a final result: directly when PutEvents
 * accepts it, else through a new outbox item that dispatch retries.
 */
async function publishResultEvent(
  message: OutboxMessage,
  result: DeliveryResult,
  deps: DispatchDependencies,
  at: Date,
) {
  const derived = derivedEventFor(message, result, at);
  if (!derived?.event) return;
  const failed = await deps.events.publish([derived.event]);
  if (failed.length > 0) await deps.outbox.addEvent(derived, at);
}

/**
 * Publishes the result event of a settled message, then confirms it to the outbox. The record keeps
 * the message listed for the release job until the confirmation, so when the process stops in
 * between, the release job publishes the event again: the bus gets it at least once.
 */
async function announceResult(
  reference: OutboxReference,
  message: OutboxMessage,
  result: DeliveryResult,
  deps: DispatchDependencies,
  at: Date,
) {
  await publishResultEvent(message, result, deps, at);
  await deps.outbox.markAnnounced?.(reference);
}

/**
 * Delivers one outbox message. It is claimed first with a conditional write, so no two invocations
 * send it. Then it is checked against the customer's current consents, sent on its channel, and its
 * result recorded. A withdrawn consent records it as suppressed without sending it.
 *
 * A retryable failure, or any error before the provider call, defers it with backoff until
 * `maxAttempts`, and then it is recorded as failed. A permanent failure is recorded as failed at
 * once. A claim whose lease ran out means that a previous invocation stopped mid-send. Because the
 * provider may have delivered the message, it is recorded as failed with that reason instead of being
 * sent twice, except a derived event, which is published again. Only the invocation whose result is recorded publishes the result event, unless it
 * stopped before confirming the event: then a later claim of the settled message publishes it again.
 */
export async function dispatchMessage(
  reference: OutboxReference,
  deps: DispatchDependencies,
): Promise<DispatchOutcome> {
  const now = deps.clock();
  const claim = await deps.outbox.claim(reference, now, deps.leaseMs);
  if ("skipped" in claim) return { status: "skipped", reason: claim.skipped };

  if ("unannounced" in claim) {
    const { message, result, at } = claim.unannounced;
    await announceResult(reference, message, result, deps, at);
    return { status: "skipped", reason: "settled before; its result event was published again" };
  }

  if ("interrupted" in claim) {
    const { message, attempt } = claim.interrupted;
    // A derived event may reach the bus twice, because consumers deduplicate it by message id, so it
    // is published again. A push, e-mail or inbox entry may have reached the customer already.
    if (message.channel === "event") return attemptDelivery(reference, message, attempt, deps, now);
    const result: DeliveryResult = {
      status: "failed",
      reason: "dispatch stopped while sending; delivery is unknown, so the message is not sent again",
    };
    return settle(reference, message, attempt, result, deps, now);
  }

  const { message, attempt } = claim.claimed;
  return attemptDelivery(reference, message, attempt, deps, now);
}

/** Sends a claimed message once and records the result: delivered, failed, or a retry later. */
async function attemptDelivery(
  reference: OutboxReference,
  message: OutboxMessage,
  attempt: number,
  deps: DispatchDependencies,
  now: Date,
): Promise<DispatchOutcome> {
  let result: DeliveryResult;
  try {
    result = await deliverWithConsent(message, deps, now);
  } catch (error) {
    // Any other error came from the provider call or after it, so whether the customer got the
    // message is unknown. The claim stays, and after its lease expires the release job records the
    // message as failed.
    if (!(error instanceof SafeToRetryError)) throw error;
    result = { status: "retry", reason: `${message.channel}: ${error.message}`, nextAttemptAt: now };
  }
  if (result.status === "retry") {
    result =
      attempt >= deps.maxAttempts
        ? { status: "failed", reason: `gave up after ${attempt} attempts; last error: ${result.reason}` }
        : { ...result, nextAttemptAt: retryAt(now, attempt) };
  }
  return settle(reference, message, attempt, result, deps, deps.clock());
}

/** Records the result of an attempt and, if this invocation's result was the one recorded, publishes its event. */
async function settle(
  reference: OutboxReference,
  message: OutboxMessage,
  attempt: number,
  result: DeliveryResult,
  deps: DispatchDependencies,
  at: Date,
): Promise<DispatchOutcome> {
  const recorded = await deps.outbox.record(reference, attempt, result, at);
  if (!recorded) {
    return { status: "superseded", channel: message.channel, message, result: result.status };
  }
  if (result.status !== "retry") await announceResult(reference, message, result, deps, at);
  return {
    status: result.status,
    channel: message.channel,
    message,
    ...(result.status !== "delivered" && { reason: result.reason }),
  };
}

/**
 * Publishes derived events straight from their new outbox items, in batches, without claiming each
 * first: an event may reach the bus twice after a crash, and carries its message id for consumers
 * to deduplicate. An event the bus rejects is deferred and retried by the release job.
 */
export async function publishEventMessages(
  messages: readonly OutboxMessage[],
  deps: DispatchDependencies,
): Promise<DispatchOutcome[]> {
  const outcomes: DispatchOutcome[] = [];
  const now = deps.clock();
  const withEvents = messages.filter((message) => message.event !== undefined);
  const failed = new Map<DerivedEvent, string>();
  for (const { event, error } of await deps.events.publish(
    withEvents.map((message) => message.event as DerivedEvent),
  )) {
    failed.set(event, error);
  }
  for (const message of withEvents) {
    const error = failed.get(message.event as DerivedEvent);
    const result: DeliveryResult =
      error === undefined
        ? { status: "delivered" }
        : { status: "retry", reason: `event bus: ${error}`, nextAttemptAt: retryAt(now, 1) };
    await deps.outbox.settleEvent(
      { customerId: message.customerId, messageId: message.messageId },
      result,
      now,
    );
    outcomes.push({
      status: result.status,
      channel: "event",
      message,
      ...(result.status === "retry" && { reason: result.reason }),
    });
  }
  return outcomes;
}
