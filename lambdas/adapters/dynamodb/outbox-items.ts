import * as z from "zod/mini";
import { CorruptItemError } from "../../domain/errors";
import { OUTBOX_CHANNELS, type OutboxMessage } from "../../domain/outbox";
import { LANGUAGES } from "../../domain/preferences";
import { SEVERITIES } from "../../domain/rules/catalog";
import { customerPartitionKey } from "./keys";

/**
 * Outbox items: one per decided message and channel, under the customer's partition. A message is
 * written "pending", and the stream delivers it to dispatch at once, or "deferred" until
 * `nextAttemptAt` when quiet hours hold it. Dispatch moves it through "sending" to "delivered",
 * "failed" or "suppressed". Until it is settled, and after that until its result event is confirmed,
 * the item is listed in GSI1 under `OUTBOX#<UTC date>` by the time it becomes due. The release job
 * finds there the deferrals that ended, the sends whose lease expired, the pending items whose stream
 * record was never processed, and the results whose event a crash left unpublished.
 */

/** Sort-key prefix of outbox items; the dispatch function's stream filter matches it. */
export const OUTBOX_SORT_KEY_PREFIX = "OUT#";

export const OUTBOX_STATUSES = [
  "pending",
  "deferred",
  "sending",
  "delivered",
  "failed",
  "suppressed",
] as const;
export type OutboxStatus = (typeof OUTBOX_STATUSES)[number];

/** Days an outbox item is kept after its decision, as the audit trail of what was sent. */
export const OUTBOX_RETENTION_DAYS = 180;

/**
 * Minutes after it was written that a pending item becomes due for the release job. Dispatch claims
 * it from the stream within seconds, which moves its due time to the end of the lease. So the release
 * job sends it only when its stream record was never processed: the stream keeps records for 24
 * hours, and the event source mapping gives up on a record after its retries.
 */
export const PENDING_SAFETY_NET_MINUTES = 5;

/**
 * Minutes after a final result is recorded that the release job publishes its result event again,
 * unless dispatch confirmed the event before. Dispatch publishes it within seconds of the record,
 * so the release job does so only when the dispatching process stopped in between.
 */
export const RESULT_EVENT_SAFETY_NET_MINUTES = 5;

export function outboxSortKey(messageId: string): string {
  return `${OUTBOX_SORT_KEY_PREFIX}${messageId}`;
}

export function outboxKey(customerId: string, messageId: string): { PK: string; SK: string } {
  return { PK: customerPartitionKey(customerId), SK: outboxSortKey(messageId) };
}

/** GSI1 keys that list an item as due at `dueAt`. */
export function dueIndexKeys(
  customerId: string,
  messageId: string,
  dueAt: Date,
): { GSI1PK: string; GSI1SK: string } {
  const iso = dueAt.toISOString();
  return { GSI1PK: `OUTBOX#${iso.slice(0, 10)}`, GSI1SK: `${iso}#${customerId}#${messageId}` };
}

/**
 * Builds the item of a new outbox message: "deferred" until its `notBefore` when quiet hours hold it,
 * else "pending". Either way it is listed in GSI1, a pending one {@link PENDING_SAFETY_NET_MINUTES}
 * after `writtenAt`.
 */
export function outboxToItem(message: OutboxMessage, writtenAt: Date): Record<string, unknown> {
  const deferredUntil = message.notBefore ? new Date(message.notBefore) : undefined;
  const deferred = deferredUntil !== undefined && deferredUntil.getTime() > Date.parse(message.decidedAt);
  const dueAt = deferred
    ? deferredUntil
    : new Date(writtenAt.getTime() + PENDING_SAFETY_NET_MINUTES * 60_000);
  return {
    ...outboxKey(message.customerId, message.messageId),
    ...message,
    status: deferred ? "deferred" : "pending",
    attempts: 0,
    ...(deferred && { nextAttemptAt: deferredUntil.toISOString() }),
    ...dueIndexKeys(message.customerId, message.messageId, dueAt),
    writtenAt: writtenAt.toISOString(),
    expiresAt: Math.floor(writtenAt.getTime() / 1000) + OUTBOX_RETENTION_DAYS * 86_400,
  };
}

const primitive = z.union([z.string(), z.number(), z.boolean(), z.array(z.string())]);

const OutboxItemSchema = z.object({
  messageId: z.string(),
  customerId: z.string(),
  channel: z.enum(OUTBOX_CHANNELS),
  ruleId: z.string(),
  ruleVersion: z.number(),
  kind: z.enum(["alert", "offer"]),
  severity: z.enum(SEVERITIES),
  language: z.enum(LANGUAGES),
  title: z.string(),
  body: z.string(),
  triggerKey: z.string(),
  decidedAt: z.string(),
  notBefore: z.optional(z.string()),
  offer: z.optional(z.object({ productCode: z.string(), validUntil: z.string() })),
  event: z.optional(
    z.object({
      detailType: z.enum(["AlertRaised", "OfferPresented", "MessageDelivered", "MessageFailed"]),
      detail: z.record(z.string(), primitive),
    }),
  ),
  status: z.enum(OUTBOX_STATUSES),
  attempts: z.number(),
  nextAttemptAt: z.optional(z.string()),
  leaseUntil: z.optional(z.string()),
});

export type OutboxItem = z.infer<typeof OutboxItemSchema>;

export function outboxItemFromItem(item: Record<string, unknown>): OutboxItem {
  const parsed = OutboxItemSchema.safeParse(item);
  if (!parsed.success) {
    const fields = parsed.error.issues.map((issue) => issue.path.join(".")).join(", ");
    throw new CorruptItemError(`${String(item.PK)}/${String(item.SK)}`, `invalid outbox item (${fields})`);
  }
  return parsed.data;
}

/** The message fields of an outbox item, without its delivery state. */
export function messageOf(item: OutboxItem): OutboxMessage {
  const { status: _status, attempts: _attempts, nextAttemptAt: _next, leaseUntil: _lease, ...message } = item;
  return message;
}
