import { OUTBOX_SORT_KEY_PREFIX } from "./outbox-items";

/**
 * The event source mapping filter of the dispatch function: new outbox items that are ready to send.
 * Deferred items (quiet hours) are inserted as "deferred" and reach dispatch through the release job
 * instead. The handler checks the same conditions, so a delivery without the filter is also safe.
 */
export const OUTBOX_STREAM_FILTER = {
  eventName: ["INSERT"],
  dynamodb: {
    NewImage: {
      SK: { S: [{ prefix: OUTBOX_SORT_KEY_PREFIX }] },
      status: { S: ["pending"] },
    },
  },
} as const;

/** The same test as {@link OUTBOX_STREAM_FILTER}, on a stream record's fields. */
export function isDispatchable(
  eventName: string | undefined,
  sortKey: string | undefined,
  status: string | undefined,
): boolean {
  return (
    eventName === "INSERT" && sortKey?.startsWith(OUTBOX_SORT_KEY_PREFIX) === true && status === "pending"
  );
}
