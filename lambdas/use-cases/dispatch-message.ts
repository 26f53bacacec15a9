import { type DerivedEvent, type OutboxMessage, outboxMessageId } from "../domain/outbox";
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
      readonly status: "delivered" | "failed" | "retry";
      readonly channel: OutboxMessage["channel"];
      readonly message: OutboxMessage;
      readonly reason?: string;
    }
  | { readonly status: "skipped"; readonly reason: string };

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
  const devices = await deps.recipients.activeDevices(message.customerId);
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
  const address = await deps.recipients.emailAddress(message.customerId);
  if (!address) return { status: "failed", reason: "no e-mail address on file" };
  const content = deps.renderEmail(message);
  try {
    const providerId = await deps.email.send({
      messageId: message.messageId,
      to: address,
      ...content,
      tags: { rule: message.ruleId, kind: message.kind },
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
      await deps.inbox.add(
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
      );
      return { status: "delivered" };
    case "event":
      return deliverEvent(message, deps, now);
  }
}

/** The MessageDelivered or MessageFailed event of a final result, as an outbox item of its own. */
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
      ...(result.status === "failed" && { reason: result.reason }),
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
 * Publishes the MessageDelivered or MessageFailed event of a final result. The bus gets it at least
 * once: directly when PutEvents accepts it, else through a new outbox item that dispatch retries.
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
 * Delivers one outbox message at most once. It is claimed first (a conditional write), sent on its
 * channel, and its result recorded. A retryable failure defers it with backoff until
 * `maxAttempts`, then records it as failed; a permanent one is recorded as failed at once. A claim
 * whose lease ran out means a previous invocation stopped mid-send: since the provider may have
 * delivered it, the message is recorded as failed with that reason instead of being sent twice.
 */
export async function dispatchMessage(
  reference: OutboxReference,
  deps: DispatchDependencies,
): Promise<DispatchOutcome> {
  const now = deps.clock();
  const claim = await deps.outbox.claim(reference, now, deps.leaseMs);
  if ("skipped" in claim) return { status: "skipped", reason: claim.skipped };

  if ("interrupted" in claim) {
    const { message, attempt } = claim.interrupted;
    const result: DeliveryResult = {
      status: "failed",
      reason: "dispatch stopped while sending; delivery is unknown, so the message is not sent again",
    };
    await deps.outbox.record(reference, attempt, result, now);
    await publishResultEvent(message, result, deps, now);
    return { status: "failed", channel: message.channel, message, reason: result.reason };
  }

  const { message, attempt } = claim.claimed;
  let result = await deliver(message, deps, now);
  if (result.status === "retry") {
    result =
      attempt >= deps.maxAttempts
        ? { status: "failed", reason: `gave up after ${attempt} attempts; last error: ${result.reason}` }
        : { ...result, nextAttemptAt: retryAt(now, attempt) };
  }
  const recordedAt = deps.clock();
  await deps.outbox.record(reference, attempt, result, recordedAt);
  await publishResultEvent(message, result, deps, recordedAt);
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
