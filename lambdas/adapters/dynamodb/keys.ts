import { createHash } from "node:crypto";

/**
 * Key builders for the single table. Identifiers never contain "#" (the event contract rejects it),
 * so a prefix and an identifier always split back unambiguously.
 */

/** Partitions of the open-quarantine list in GSI1, so a flood of bad events spreads its index writes. */
export const QUARANTINE_SHARDS = 4;

export const SORT_KEYS = {
  profile: "PROFILE",
  transactionPrefix: "TX#",
  monthPrefix: "M#",
  quarantinePrefix: "Q#",
} as const;

export function customerPartitionKey(customerId: string): string {
  return `C#${customerId}`;
}

export function customerIdFromPartitionKey(partitionKey: string): string | undefined {
  return partitionKey.startsWith("C#") ? partitionKey.slice(2) : undefined;
}

export function transactionSortKey(transactionId: string): string {
  return `${SORT_KEYS.transactionPrefix}${transactionId}`;
}

export function monthSortKey(month: string): string {
  return `${SORT_KEYS.monthPrefix}${month}`;
}

export function quarantineSortKey(eventId: string): string {
  return `${SORT_KEYS.quarantinePrefix}${eventId}`;
}

/**
 * Prefix of every quarantine partition. Quarantined events hold raw message bodies, so they stay out
 * of the customer's `C#` partition: IAM can then let the API functions read `C#` partitions only
 * (`dynamodb:LeadingKeys`), and no customer-facing function can read a quarantined body.
 */
export const QUARANTINE_PARTITION_PREFIX = "QUARANTINE#";

/** Partition of a customer's quarantined events. */
export function customerQuarantinePartitionKey(customerId: string): string {
  return `${QUARANTINE_PARTITION_PREFIX}C#${customerId}`;
}

/** Partition of a quarantined event whose customer id is missing or invalid: one partition per event. */
export function unattributedQuarantinePartitionKey(eventId: string): string {
  return `${QUARANTINE_PARTITION_PREFIX}E#${eventId}`;
}

/** GSI1 partition of open quarantined events in one shard. */
export function quarantineShardKey(shard: number): string {
  return `QUARANTINE#${shard}`;
}

/** GSI1 partition of re-driven quarantined events in one shard, kept findable by event id. */
export function closedQuarantineShardKey(shard: number): string {
  return `QUARANTINE#CLOSED#${shard}`;
}

/** Stable shard of an event id, so that a lookup by event id queries one index partition. */
export function quarantineShardOf(eventId: string): number {
  return (createHash("sha256").update(eventId).digest()[0] as number) % QUARANTINE_SHARDS;
}

/** Sort key of a due-payment entry, one per recurring payee. */
export function dueSortKey(payeeKey: string): string {
  return `DUE#${payeeKey}`;
}

/** GSI1 partition of the due-payment entries whose reminder is due on a local date. */
export function reminderDateKey(localDate: string): string {
  return `REMIND#${localDate}`;
}

/** GSI1 sort key of a due-payment entry: the time zone first, so one zone's job reads only its customers. */
export function reminderSortKey(timeZone: string, customerId: string, payeeKey: string): string {
  return `${timeZone}#${customerId}#${payeeKey}`;
}

export function offerSortKey(offerId: string): string {
  return `OFFER#${offerId}`;
}
