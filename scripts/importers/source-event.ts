import { createHash } from "node:crypto";
import { DEFAULT_CORE_BANKING_SOURCE, type EventBridgeEvent } from "../../lambdas/contracts/event-bus";
import { TRANSACTION_POSTED_DETAIL_TYPE } from "../../lambdas/contracts/transaction-posted";

/**
 * One input event for a replay or a publish. It is an EventBridge event built by an importer, or a
 * line of input kept as it was read: an envelope from a JSONL file, or text that is not even JSON,
 * which a replay quarantines as the queue consumer would.
 */
export type SourceEvent =
  | { readonly kind: "event"; readonly event: EventBridgeEvent }
  | { readonly kind: "raw"; readonly id: string; readonly text: string };

/** Account id that local events carry; EventBridge fills in the real one. */
export const LOCAL_ACCOUNT_ID = "000000000000";
export const LOCAL_EVENT_REGION = "ap-southeast-1";

/**
 * Derives a UUID-shaped event id from a name. Replaying the same input then produces the same event
 * ids, so a quarantined event is recognized on the second run, and distinct names give distinct ids.
 */
export function deterministicEventId(name: string): string {
  const hex = createHash("sha256").update(name).digest("hex");
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-8${hex.slice(13, 16)}-a${hex.slice(17, 20)}-${hex.slice(20, 32)}`;
}

/** Wraps a `TransactionPosted` detail in the envelope EventBridge delivers. */
export function wrapTransactionPosted(
  detail: Record<string, unknown>,
  eventId: string,
  source: string = DEFAULT_CORE_BANKING_SOURCE,
): SourceEvent {
  const bookingTime = typeof detail.bookingTime === "string" ? Date.parse(detail.bookingTime) : Number.NaN;
  return {
    kind: "event",
    event: {
      version: "0",
      id: eventId,
      "detail-type": TRANSACTION_POSTED_DETAIL_TYPE,
      source,
      account: LOCAL_ACCOUNT_ID,
      time: new Date(Number.isNaN(bookingTime) ? Date.now() : bookingTime)
        .toISOString()
        .replace(/\.\d{3}Z$/, "Z"),
      region: LOCAL_EVENT_REGION,
      resources: [],
      detail,
    },
  };
}

/** Returns the SQS message body of a source event, as EventBridge's SQS target writes it. */
export function messageBodyOf(source: SourceEvent): string {
  return source.kind === "event" ? JSON.stringify(source.event) : source.text;
}

export function eventIdOf(source: SourceEvent): string {
  return source.kind === "event" ? source.event.id : source.id;
}
