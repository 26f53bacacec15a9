import {
  type EventValidation,
  type RejectedEvent,
  type ValidatedEvent,
  type ValidationReason,
  validateEventBody,
} from "../contracts/validate-event";
import type { Decision, Suppression } from "../domain/decide";
import { AmountOverflowError, ConcurrentUpdateError } from "../domain/errors";
import { type OfferRecord, offerRecordOf } from "../domain/offers";
import type { OutboxMessage } from "../domain/outbox";
import {
  addToMonth,
  applyTransaction,
  type MonthAggregate,
  mergeMonths,
  type ProfileChange,
} from "../domain/profile";
import { dueChanges } from "../domain/reminders";
import type { PostedTransaction } from "../domain/transaction";
import type { CustomerState, LedgerCommit, LedgerStore, StoredDuplicate } from "../ports/ledger-store";
import type { QuarantineStore } from "../ports/quarantine-store";
import type { MessageDecider } from "./decide-messages";

/** Outcome of ingesting one event. */
export type IngestOutcome =
  | {
      readonly kind: "applied";
      readonly eventId: string;
      readonly customerId: string;
      readonly transaction: PostedTransaction;
      readonly messages: readonly OutboxMessage[];
      readonly decisions: readonly Decision[];
      readonly suppressions: readonly Suppression[];
      /** Commit attempts of the group the event was written with; more than 1 means write conflicts. */
      readonly attempts: number;
    }
  | { readonly kind: "duplicate"; readonly eventId: string; readonly customerId: string }
  | {
      readonly kind: "quarantined";
      readonly eventId: string;
      readonly customerId?: string;
      readonly reasons: readonly ValidationReason[];
      /** True when the same event was quarantined before (a redelivery). */
      readonly alreadyQuarantined: boolean;
    };

export interface IngestDependencies {
  /** IANA time zone whose calendar dates are the statement dates and months. */
  readonly bankTimeZone: string;
  readonly ledger: LedgerStore;
  readonly quarantine: QuarantineStore;
  readonly decideMessages: MessageDecider;
  /** ISO 3166-1 alpha-2 country treated as home for travel detection. */
  readonly homeCountry: string;
  readonly clock: () => Date;
  /** Commit attempts after write conflicts before the events go back to the queue. */
  readonly maxAttempts: number;
  readonly sleep: (milliseconds: number) => Promise<void>;
}

/** One event to ingest, with the message body it arrived in (kept if it must be quarantined). */
export interface ReceivedEvent {
  readonly validation: EventValidation;
  readonly body: string;
  readonly messageId: string;
}

/** A valid event with its body. */
interface ValidReceivedEvent extends ReceivedEvent {
  readonly validation: ValidatedEvent;
}

/** Transactions written in one commit at most, leaving room in the 100-item limit for months and messages. */
export const MAX_TRANSACTIONS_PER_COMMIT = 25;

/**
 * How far past the processing time a booking time may lie. Clocks and time zones of producers
 * differ by minutes; an event days ahead is a producer error, and applied it would freeze the
 * account's balance until that date, since no older event may replace it.
 */
export const MAX_FUTURE_BOOKING_MS = 24 * 3_600_000;

function backoffMilliseconds(attempt: number): number {
  // Full jitter spreads the retries of writers that collided on the same profile.
  return Math.random() * Math.min(200, 10 * 2 ** attempt);
}

function changedContentReasons(transaction: PostedTransaction): ValidationReason[] {
  return [
    {
      field: "detail.transactionId",
      message:
        `"${transaction.transactionId}" was already applied with a different account, time, amount or balance; ` +
        "publish a correction as a new transaction with its own id",
    },
  ];
}

/** Stores a rejected event with its reasons; a redelivered copy is recognized and stored once. */
export async function quarantineEvent(
  rejection: Pick<RejectedEvent, "eventId" | "customerId" | "reasons">,
  body: string,
  messageId: string | undefined,
  deps: Pick<IngestDependencies, "quarantine" | "clock">,
): Promise<IngestOutcome> {
  const stored = await deps.quarantine.quarantine({
    eventId: rejection.eventId,
    ...(rejection.customerId && { customerId: rejection.customerId }),
    ...(messageId && { messageId }),
    reasons: rejection.reasons,
    body,
    quarantinedAt: deps.clock(),
  });
  return {
    kind: "quarantined",
    eventId: rejection.eventId,
    ...(rejection.customerId && { customerId: rejection.customerId }),
    reasons: rejection.reasons,
    alreadyQuarantined: stored === "already-quarantined",
  };
}

/** Outcome for an event whose transaction id is known already: a true duplicate, or a changed re-publish. */
async function resolveDuplicate(
  event: ValidReceivedEvent,
  storedFingerprint: string | undefined,
  deps: IngestDependencies,
): Promise<IngestOutcome> {
  const { eventId, transaction } = event.validation;
  if (storedFingerprint === undefined || storedFingerprint === transaction.fingerprint) {
    return { kind: "duplicate", eventId, customerId: transaction.customerId };
  }
  const reasons = changedContentReasons(transaction);
  return quarantineEvent(
    { eventId, customerId: transaction.customerId, reasons },
    event.body,
    event.messageId,
    deps,
  );
}

interface EventDecisions {
  readonly messages: readonly OutboxMessage[];
  readonly decisions: readonly Decision[];
  readonly suppressions: readonly Suppression[];
}

interface FoldedChange {
  readonly commit: LedgerCommit;
  readonly decisionsByEvent: ReadonlyMap<string, EventDecisions>;
  /** Events left out because a total would overflow; they are quarantined. */
  readonly overflowing: readonly ValidReceivedEvent[];
}

/**
 * Applies the events one after another to the profile read, deciding each one's messages on the
 * profile as it was just before it, and collects everything the commit writes.
 */
function foldEvents(
  state: CustomerState,
  events: readonly ValidReceivedEvent[],
  deps: IngestDependencies,
): FoldedChange {
  const { profile } = state;
  const appliedAt = deps.clock();
  let current = profile;
  const monthAdditions: Record<string, MonthAggregate> = {};
  const outbox: OutboxMessage[] = [];
  const offers = new Map<string, OfferRecord>();
  const decisionsByEvent = new Map<string, EventDecisions>();

  const applied: ValidReceivedEvent[] = [];
  const overflowing: ValidReceivedEvent[] = [];
  for (const event of events) {
    const { transaction, eventId } = event.validation;
    let change: ProfileChange;
    try {
      change = applyTransaction(current, transaction, deps.homeCountry);
    } catch (error) {
      if (!(error instanceof AmountOverflowError)) throw error;
      overflowing.push(event);
      continue;
    }
    applied.push(event);
    const decided = deps.decideMessages({
      eventId,
      transaction,
      before: current,
      change,
      context: state.context,
      processedAt: appliedAt.getTime(),
    });
    decisionsByEvent.set(eventId, decided);
    outbox.push(...decided.messages);
    for (const decision of decided.decisions) {
      const offer = offerRecordOf(decision);
      if (offer) offers.set(offer.offerId, offer);
    }
    for (const [month, aggregate] of Object.entries(change.evictedMonths)) {
      monthAdditions[month] = mergeMonths(monthAdditions[month], aggregate);
    }
    if (change.archivedMonth) {
      monthAdditions[change.archivedMonth] = mergeMonths(
        monthAdditions[change.archivedMonth],
        addToMonth(undefined, transaction),
      );
    }
    const { notifications: _previous, ...withoutNotifications } = change.profile;
    current = decided.notifications
      ? { ...withoutNotifications, notifications: decided.notifications }
      : withoutNotifications;
  }

  return {
    commit: {
      customerId: profile.customerId,
      transactions: applied.map(({ validation }) => ({
        eventId: validation.eventId,
        transaction: validation.transaction,
      })),
      profile: { ...current, version: profile.version },
      monthAdditions,
      dueChanges: dueChanges(profile, current, state.context.preferences),
      offers: [...offers.values()],
      outbox,
      appliedAt,
    },
    decisionsByEvent,
    overflowing,
  };
}

/**
 * Applies one customer's valid events exactly once, in the order given. The profile is read, changed
 * in memory by each transaction in turn and written back in one atomic commit together with the
 * transaction records, which are conditional on their ids being new: a duplicate or a redelivery
 * after a crash changes nothing. A concurrent writer makes the profile's version check fail; the
 * commit is then retried from a fresh read. Transaction ids found to exist already are answered
 * as duplicates and the rest is committed again.
 */
async function applyCustomerEvents(
  events: readonly ValidReceivedEvent[],
  deps: IngestDependencies,
): Promise<IngestOutcome[]> {
  const outcomes: IngestOutcome[] = [];
  let pending = [...events];
  let conflicts = 0;

  while (pending.length > 0) {
    const customerId = (pending[0] as ValidReceivedEvent).validation.transaction.customerId;
    const state = await deps.ledger.loadCustomer(customerId);
    const { commit, decisionsByEvent, overflowing } = foldEvents(state, pending, deps);
    if (overflowing.length > 0) {
      for (const event of overflowing) {
        const reasons = [
          { field: "detail.amount", message: `${new AmountOverflowError().message}; check the amount` },
        ];
        outcomes.push(
          await quarantineEvent(
            { eventId: event.validation.eventId, customerId, reasons },
            event.body,
            event.messageId,
            deps,
          ),
        );
      }
      pending = pending.filter((event) => !overflowing.includes(event));
      continue;
    }

    if (pending.length > 1 && deps.ledger.itemCount(commit) > deps.ledger.maxItemsPerCommit) {
      const half = Math.ceil(pending.length / 2);
      outcomes.push(...(await applyCustomerEvents(pending.slice(0, half), deps)));
      pending = pending.slice(half);
      continue;
    }

    const result = await deps.ledger.commit(commit);
    if (result.status === "applied") {
      for (const { validation } of pending) {
        const decided = decisionsByEvent.get(validation.eventId);
        outcomes.push({
          kind: "applied",
          eventId: validation.eventId,
          customerId,
          transaction: validation.transaction,
          messages: decided?.messages ?? [],
          decisions: decided?.decisions ?? [],
          suppressions: decided?.suppressions ?? [],
          attempts: conflicts + 1,
        });
      }
      return outcomes;
    }

    if (result.status === "duplicates") {
      const known = new Map<string, StoredDuplicate>(
        result.duplicates.map((duplicate) => [duplicate.transactionId, duplicate]),
      );
      const remaining: ValidReceivedEvent[] = [];
      for (const event of pending) {
        const duplicate = known.get(event.validation.transaction.transactionId);
        if (duplicate) outcomes.push(await resolveDuplicate(event, duplicate.storedFingerprint, deps));
        else remaining.push(event);
      }
      pending = remaining;
      continue;
    }

    conflicts += 1;
    if (conflicts >= deps.maxAttempts) throw new ConcurrentUpdateError(customerId, conflicts);
    await deps.sleep(backoffMilliseconds(conflicts));
  }
  return outcomes;
}

/**
 * Ingests a group of events: rejected ones are quarantined with their reasons (never thrown, so they
 * are not retried); valid ones are applied exactly once per customer, in order, at most
 * {@link MAX_TRANSACTIONS_PER_COMMIT} per atomic commit. A transaction id repeated within the group
 * is applied once. Errors a retry can fix (storage outages, persistent write conflicts) are thrown so
 * that the queue redelivers the events; nothing of a failed commit was written.
 */
export async function ingestCustomerEvents(
  events: readonly ReceivedEvent[],
  deps: IngestDependencies,
): Promise<IngestOutcome[]> {
  const outcomes: IngestOutcome[] = [];
  const firstById = new Map<string, ValidReceivedEvent>();
  const valid: ValidReceivedEvent[] = [];

  for (const event of events) {
    const { validation } = event;
    if (!validation.ok) {
      outcomes.push(await quarantineEvent(validation, event.body, event.messageId, deps));
      continue;
    }
    const validEvent = { ...event, validation };
    if (validation.transaction.bookedAtMs > deps.clock().getTime() + MAX_FUTURE_BOOKING_MS) {
      const reasons = [
        {
          field: "detail.bookingTime",
          message:
            "is more than 24 hours ahead of this service's clock; send the time the transaction was booked",
        },
      ];
      outcomes.push(
        await quarantineEvent(
          { ...validation, customerId: validation.transaction.customerId, reasons },
          event.body,
          event.messageId,
          deps,
        ),
      );
      continue;
    }
    const first = firstById.get(validation.transaction.transactionId);
    if (first) {
      outcomes.push(await resolveDuplicate(validEvent, first.validation.transaction.fingerprint, deps));
      continue;
    }
    firstById.set(validation.transaction.transactionId, validEvent);
    valid.push(validEvent);
  }

  for (let start = 0; start < valid.length; start += MAX_TRANSACTIONS_PER_COMMIT) {
    outcomes.push(
      ...(await applyCustomerEvents(valid.slice(start, start + MAX_TRANSACTIONS_PER_COMMIT), deps)),
    );
  }
  return outcomes;
}

/** Validates and ingests one EventBridge event as delivered in an SQS message body. */
export async function ingestEventBody(
  body: string,
  messageId: string,
  deps: IngestDependencies,
): Promise<IngestOutcome> {
  const [outcome] = await ingestCustomerEvents(
    [{ validation: validateEventBody(body, messageId, deps.bankTimeZone), body, messageId }],
    deps,
  );
  return outcome as IngestOutcome;
}
