import { createHash } from "node:crypto";
import type { ConsentPurpose } from "./consents";
import type { Decision } from "./decide";
import type { Language, MessageChannel } from "./preferences";
import type { Severity } from "./rules/catalog";

/**
 * Messages decided while applying transactions, written in the same atomic commit as the profile so
 * that a decision can be neither lost nor made twice. Dispatch delivers each one from the table's
 * stream. Besides the customer's channels there is "event": a derived event (AlertRaised,
 * OfferPresented) for the bank's bus, published the same way.
 */

export const OUTBOX_CHANNELS = ["push", "email", "inbox", "event"] as const;
export type OutboxChannel = (typeof OUTBOX_CHANNELS)[number];

export const DERIVED_EVENT_TYPES = [
  "AlertRaised",
  "OfferPresented",
  "MessageDelivered",
  "MessageFailed",
] as const;
export type DerivedEventType = (typeof DERIVED_EVENT_TYPES)[number];

/** A derived event for the bus: identifiers and codes only, never amounts, names or message text. */
export interface DerivedEvent {
  readonly detailType: DerivedEventType;
  readonly detail: Readonly<Record<string, string | number | boolean | readonly string[]>>;
}

export interface OutboxMessage {
  /** Deterministic: deciding the same rule for the same trigger again yields the same id. */
  readonly messageId: string;
  readonly customerId: string;
  readonly channel: OutboxChannel;
  readonly ruleId: string;
  readonly ruleVersion: number;
  readonly kind: "alert" | "offer";
  readonly severity: Severity;
  readonly language: Language;
  readonly title: string;
  readonly body: string;
  readonly triggerKey: string;
  readonly decidedAt: string;
  /**
   * Earliest time to deliver, set when quiet hours deferred the message. Only push and e-mail
   * messages are deferred: the inbox is silent, and derived events are not for the customer.
   */
  readonly notBefore?: string;
  readonly offer?: { readonly productCode: string; readonly validUntil: string };
  /** The event to publish, for channel "event". */
  readonly event?: DerivedEvent;
}

export function outboxMessageId(
  customerId: string,
  ruleId: string,
  triggerKey: string,
  channel: OutboxChannel,
): string {
  return createHash("sha256")
    .update(`${customerId}|${ruleId}|${triggerKey}|${channel}`)
    .digest("hex")
    .slice(0, 32);
}

/** Turns one decision into an outbox message per channel plus the derived event for the bus. */
export function outboxMessagesFor(customerId: string, decision: Decision): OutboxMessage[] {
  const base = {
    customerId,
    ruleId: decision.ruleId,
    ruleVersion: decision.ruleVersion,
    kind: decision.kind,
    severity: decision.severity,
    language: decision.language,
    title: decision.text.title,
    body: decision.text.body,
    triggerKey: decision.triggerKey,
    decidedAt: decision.decidedAt,
    ...(decision.notBefore && { notBefore: decision.notBefore }),
    ...(decision.offer && { offer: decision.offer }),
  };
  // An inbox entry makes no sound, so quiet hours hold only the push and e-mail messages.
  const { notBefore: _deferredOnlyForAudibleChannels, ...undeferredBase } = base;
  const messages: OutboxMessage[] = decision.channels.map((channel: MessageChannel) => ({
    ...(channel === "inbox" ? undeferredBase : base),
    messageId: outboxMessageId(customerId, decision.ruleId, decision.triggerKey, channel),
    channel,
  }));

  const event: DerivedEvent = {
    detailType: decision.kind === "offer" ? "OfferPresented" : "AlertRaised",
    detail: {
      customerId,
      ruleId: decision.ruleId,
      ruleVersion: decision.ruleVersion,
      severity: decision.severity,
      channels: [...decision.channels],
      messageIds: messages.map((message) => message.messageId),
      decidedAt: decision.decidedAt,
      ...(decision.offer && { productCode: decision.offer.productCode }),
    },
  };
  // The derived event is published at once, even when quiet hours defer the customer's messages.
  messages.push({
    ...undeferredBase,
    messageId: outboxMessageId(customerId, decision.ruleId, decision.triggerKey, "event"),
    channel: "event",
    event,
  });
  return messages;
}

/** The consents a catalog rule needs, as {@link consentsNeededFor} reads them. */
export interface RuleConsents {
  readonly id: string;
  readonly consents: readonly ConsentPurpose[];
}

/**
 * Returns the consent purposes that must still be granted when a message goes out: those that its
 * rule lists in the catalog. A message whose rule is no longer in the catalog needs marketing consent
 * when it is marketing, and no consent otherwise. Derived events go to the bank's bus, not to the
 * customer, so they need none.
 * NOTE: an alert whose rule left the catalog after the decision is sent without checking the consents
 * that the rule listed, because they are no longer known.
 */
export function consentsNeededFor(
  message: Pick<OutboxMessage, "channel" | "ruleId" | "kind" | "severity">,
  rules: readonly RuleConsents[],
): readonly ConsentPurpose[] {
  if (message.channel === "event") return [];
  const rule = rules.find((candidate) => candidate.id === message.ruleId);
  if (rule) return rule.consents;
  return message.kind === "offer" || message.severity === "marketing" ? ["marketing"] : [];
}
