import type { OutboxMessage } from "../domain/outbox";
import type { CustomerProfile, MonthAggregate } from "../domain/profile";
import type { PostedTransaction } from "../domain/transaction";

/** A transaction with the id of the event that carried it. */
export interface EventTransaction {
  readonly eventId: string;
  readonly transaction: PostedTransaction;
}

/**
 * Everything that one customer's transactions change, written atomically or not at all: the
 * transaction records, the profile after all of them, additions to month items, and the messages
 * they decided.
 */
export interface LedgerCommit {
  readonly customerId: string;
  readonly transactions: readonly EventTransaction[];
  /** The profile after the transactions; its `version` is the version read, which the write checks. */
  readonly profile: CustomerProfile;
  /** Totals to add to month items: months that left the profile's window, and late transactions' shares. */
  readonly monthAdditions: Readonly<Record<string, MonthAggregate>>;
  readonly outbox: readonly OutboxMessage[];
  /** Processing time, for the records and for retention. */
  readonly appliedAt: Date;
}

/** A transaction id that was applied before, with the fingerprint stored then. */
export interface StoredDuplicate {
  readonly transactionId: string;
  readonly storedFingerprint: string | undefined;
}

export type CommitResult =
  | { readonly status: "applied" }
  /** Nothing was written because these transaction ids exist already. */
  | { readonly status: "duplicates"; readonly duplicates: readonly StoredDuplicate[] }
  /** Nothing was written because the profile changed since it was read; read again and retry. */
  | { readonly status: "conflict" };

/** Storage of transactions, profiles and month aggregates (the secondary port of ingestion). */
export interface LedgerStore {
  /** Most items one commit can write; the caller splits larger commits. */
  readonly maxItemsPerCommit: number;
  /** Returns the stored profile, or an empty profile with version 0. Reads are strongly consistent. */
  loadProfile(customerId: string): Promise<CustomerProfile>;
  /** Number of items {@link commit} writes for a change, to check it against {@link maxItemsPerCommit}. */
  itemCount(change: LedgerCommit): number;
  commit(change: LedgerCommit): Promise<CommitResult>;
}
