import {
  type EventValidation,
  type RejectedEvent,
  type ValidatedEvent,
  type ValidationReason,
  validateEventBody,
} from "../contracts/validate-event";
import { ConcurrentUpdateError } from "../domain/errors";
import type { OutboxMessage } from "../domain/outbox";
import {
  addToMonth,
  applyTransaction,
  type CustomerProfile,
  type MonthAggregate,
  mergeMonths,
  type ProfileChange,
} from "../domain/profile";
import type { PostedTransaction } from "../domain/transaction";
import type { LedgerCommit, LedgerStore, StoredDuplicate } from "../ports/ledger-store";
import type { QuarantineStore } from "../ports/quarantine-store";

/** Outcome of ingesting one event. */
export type IngestOutcome =
  | {
      readonly kind: "applied";
      readonly eventId: string;
      readonly customerId: string;
      readonly transaction: PostedTransaction;
      readonly messages: readonly OutboxMessage[];
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

/** Input to the message decision, made for each transaction on the profile as it was just before it. */
export interface DecisionInput {
  readonly eventId: string;
  readonly transaction: PostedTransaction;
  readonly before: CustomerProfile;
  readonly change: ProfileChange;
}

/** Decides the messages one transaction causes; must be deterministic for a given input. */
export type MessageDecider = (input: DecisionInput) => Promise<readonly OutboxMessage[]>;

export interface IngestDependencies {
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

/** The empty decision, for running ingestion without any rules. */
export const decideNothing: MessageDecider = async () => [];

/** Transactions written in one commit at most, leaving room in the 100-item limit for months and messages. */
export const MAX_TRANSACTIONS_PER_COMMIT = 25;

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

interface FoldedChange {
  readonly commit: LedgerCommit;
  readonly messagesByEvent: ReadonlyMap<string, readonly OutboxMessage[]>;
}

/** Applies the events one after another to the profile read, collecting everything the commit writes. */
async function foldEvents(
  profile: CustomerProfile,
  events: readonly ValidReceivedEvent[],
  deps: IngestDependencies,
): Promise<FoldedChange> {
  let current = profile;
  const monthAdditions: Record<string, MonthAggregate> = {};
  const outbox: OutboxMessage[] = [];
  const messagesByEvent = new Map<string, readonly OutboxMessage[]>();

  for (const { validation } of events) {
    const { transaction, eventId } = validation;
    const change = applyTransaction(current, transaction, deps.homeCountry);
    const messages = await deps.decideMessages({ eventId, transaction, before: current, change });
    messagesByEvent.set(eventId, messages);
    outbox.push(...messages);
    for (const [month, aggregate] of Object.entries(change.evictedMonths)) {
      monthAdditions[month] = mergeMonths(monthAdditions[month], aggregate);
    }
    if (change.archivedMonth) {
      monthAdditions[change.archivedMonth] = mergeMonths(
        monthAdditions[change.archivedMonth],
        addToMonth(undefined, transaction),
      );
    }
    current = change.profile;
  }

  return {
    commit: {
      customerId: profile.customerId,
      transactions: events.map(({ validation }) => ({
        eventId: validation.eventId,
        transaction: validation.transaction,
      })),
      profile: { ...current, version: profile.version },
      monthAdditions,
      outbox,
      appliedAt: deps.clock(),
    },
    messagesByEvent,
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
    const profile = await deps.ledger.loadProfile(customerId);
    const { commit, messagesByEvent } = await foldEvents(profile, pending, deps);

    if (pending.length > 1 && deps.ledger.itemCount(commit) > deps.ledger.maxItemsPerCommit) {
      const half = Math.ceil(pending.length / 2);
      outcomes.push(...(await applyCustomerEvents(pending.slice(0, half), deps)));
      pending = pending.slice(half);
      continue;
    }

    const result = await deps.ledger.commit(commit);
    if (result.status === "applied") {
      for (const { validation } of pending) {
        outcomes.push({
          kind: "applied",
          eventId: validation.eventId,
          customerId,
          transaction: validation.transaction,
          messages: messagesByEvent.get(validation.eventId) ?? [],
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
    [{ validation: validateEventBody(body, messageId), body, messageId }],
    deps,
  );
  return outcome as IngestOutcome;
}
