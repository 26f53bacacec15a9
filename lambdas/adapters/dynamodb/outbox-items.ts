import type { OutboxMessage } from "../../domain/outbox";
import { customerPartitionKey } from "./keys";

/** Sort-key prefix of outbox items; the dispatch function's stream filter matches it. */
export const OUTBOX_SORT_KEY_PREFIX = "OUT#";

export function outboxToItem(message: OutboxMessage, decidedAt: Date): Record<string, unknown> {
  return {
    PK: customerPartitionKey(message.customerId),
    SK: `${OUTBOX_SORT_KEY_PREFIX}${message.messageId}`,
    ...message,
    decidedAt: decidedAt.toISOString(),
  };
}
