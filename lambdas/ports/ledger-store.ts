import type { OfferRecord } from "../domain/offers";
import type { OutboxMessage } from "../domain/outbox";
import type { CustomerProfile, MonthAggregate } from "../domain/profile";
import type { DueChanges } from "../domain/reminders";
import type { PostedTransaction } from "../domain/transaction";
import type { CustomerContext } from "../use-cases/decide-messages";

/** A transaction with the id of the event that carried it. */
export interface EventTransaction {
  readonly eventId: string;
  readonly transaction: PostedTransaction;
}

/** A customer's profile with the preferences and consents that decisions read. */
export interface CustomerState {
  readonly profile: CustomerProfile;
  readonly context: CustomerContext;
}

/**
 * Everything one customer's transactions (or one reminder run) change, written atomically or not at
 * all: the transaction records, the profile after all of them, additions to month items, due-payment
 * entries, offers, and the messages they decided.
 */
export interface LedgerCommit {
  readonly customerId: string;
  readonly transactions: readonly EventTransaction[];
  /** The profile after the change; its `version` is the version read, which the write checks. */
  readonly profile: CustomerProfile;
  /** Totals to add to month items: months that left the profile's window, and late transactions' shares. */
  readonly monthAdditions: Readonly<Record<string, MonthAggregate>>;
  readonly dueChanges: DueChanges;
  readonly offers: readonly OfferRecord[];
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

/** Storage of transactions, profiles and what they decide (the secondary port of ingestion). */
export interface LedgerStore {
  /** Most items one commit can write; the caller splits larger commits. */
  readonly maxItemsPerCommit: number;
  /**
   * Returns the stored profile (or an empty one with version 0) with the customer's preferences and
   * consents (defaults when never set), in one strongly consistent read.
   */
  loadCustomer(customerId: string): Promise<CustomerState>;
  /** Number of items {@link commit} writes for a change, to check it against {@link maxItemsPerCommit}. */
  itemCount(change: LedgerCommit): number;
  commit(change: LedgerCommit): Promise<CommitResult>;
}
