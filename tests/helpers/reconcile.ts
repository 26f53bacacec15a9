import { DEFAULT_TIME_ZONE } from "../../lambdas/domain/preferences";
import type { IngestOutcome } from "../../lambdas/use-cases/ingest-transaction";
import type { ProviderLog, PublishedEvent } from "./fake-providers";
import type { ExpectedOutcome, ScenarioEvent } from "./fault-scenario";

/**
 * Reconciliation after a faulty run, recomputed from the table and the fake providers' logs rather
 * than from what the product reported. Each check returns its problems as sentences naming the ids
 * involved, and an empty list when it passes.
 */

/** Reason dispatch stores when a send was interrupted and the provider may have accepted it. */
const INTERRUPTED_REASON = /^dispatch stopped while sending/;

const FINAL_STATUSES = new Set(["delivered", "failed", "suppressed"]);

function startsWith(item: Record<string, unknown>, attribute: "PK" | "SK", prefix: string): boolean {
  return String(item[attribute]).startsWith(prefix);
}

function customerOf(item: Record<string, unknown>): string {
  return String(item.PK).slice("C#".length);
}

/** Items of a table grouped by what they are, as the reconciliation reads them. */
export interface TableContents {
  readonly transactions: ReadonlyMap<string, Record<string, unknown>>;
  readonly quarantined: ReadonlyMap<string, Record<string, unknown>>;
  readonly profiles: ReadonlyMap<string, Record<string, unknown>>;
  readonly monthItems: readonly Record<string, unknown>[];
  readonly outbox: readonly Record<string, unknown>[];
  readonly inbox: readonly Record<string, unknown>[];
  readonly devices: readonly Record<string, unknown>[];
}

/** Key of a transaction record: customer and transaction id. */
export function transactionKey(customerId: string, transactionId: string): string {
  return `${customerId}/${transactionId}`;
}

export function sortTable(items: readonly Record<string, unknown>[]): TableContents {
  const transactions = new Map<string, Record<string, unknown>>();
  const quarantined = new Map<string, Record<string, unknown>>();
  const profiles = new Map<string, Record<string, unknown>>();
  const monthItems: Record<string, unknown>[] = [];
  const outbox: Record<string, unknown>[] = [];
  const inbox: Record<string, unknown>[] = [];
  const devices: Record<string, unknown>[] = [];
  for (const item of items) {
    if (startsWith(item, "PK", "QUARANTINE#")) {
      quarantined.set(String(item.eventId), item);
      continue;
    }
    if (!startsWith(item, "PK", "C#")) continue;
    const sortKey = String(item.SK);
    if (sortKey.startsWith("TX#")) transactions.set(transactionKey(customerOf(item), sortKey.slice(3)), item);
    else if (sortKey === "PROFILE") profiles.set(customerOf(item), item);
    else if (sortKey.startsWith("M#")) monthItems.push(item);
    else if (sortKey.startsWith("OUT#")) outbox.push(item);
    else if (sortKey.startsWith("INBOX#")) inbox.push(item);
    else if (sortKey.startsWith("DEVICE#")) devices.push(item);
  }
  return { transactions, quarantined, profiles, monthItems, outbox, inbox, devices };
}

type TransactionExpectation = Extract<ExpectedOutcome, { kind: "transaction" }>;

/**
 * Checks that every delivered message was applied exactly once or quarantined. Each transaction has
 * one record, written from one of its events. A copy with the same content is a duplicate, and a copy
 * with changed content is quarantined. Each poison message has one quarantine item naming the
 * expected field. No event is both applied and quarantined, and nothing else was written.
 */
export function reconcileLedger(contents: TableContents, events: readonly ScenarioEvent[]): string[] {
  const problems: string[] = [];
  const groups = new Map<string, TransactionExpectation[]>();
  const poison = new Map<string, Extract<ExpectedOutcome, { kind: "quarantine" }>>();
  for (const { expected } of events) {
    if (expected.kind === "quarantine") {
      poison.set(expected.eventId, expected);
      continue;
    }
    const key = transactionKey(expected.customerId, expected.transactionId);
    const group = groups.get(key) ?? [];
    group.push(expected);
    groups.set(key, group);
  }

  const appliedEventIds = new Set<string>();
  for (const record of contents.transactions.values()) appliedEventIds.add(String(record.eventId));
  const expectedQuarantine = new Set(poison.keys());

  for (const [key, group] of groups) {
    const record = contents.transactions.get(key);
    const eventIds = [...new Set(group.map((event) => event.eventId))];
    if (!record) {
      problems.push(`transaction ${key} has no transaction record (events ${eventIds.join(", ")})`);
      continue;
    }
    const applied = group.find((event) => event.eventId === record.eventId);
    if (!applied) {
      problems.push(
        `transaction ${key} was recorded from event ${String(record.eventId)}, which never carried it`,
      );
      continue;
    }
    for (const event of group) {
      if (event.content === applied.content) continue;
      expectedQuarantine.add(event.eventId);
      const stored = contents.quarantined.get(event.eventId);
      if (!stored) {
        problems.push(`event ${event.eventId} changed transaction ${key} but was not quarantined`);
      } else if (!reasonFields(stored).includes("detail.transactionId")) {
        problems.push(`event ${event.eventId} was quarantined without a reason on detail.transactionId`);
      }
    }
  }

  for (const [eventId, expected] of poison) {
    const stored = contents.quarantined.get(eventId);
    if (!stored) {
      problems.push(`poison message ${eventId} has no quarantine item`);
      continue;
    }
    if (!reasonFields(stored).includes(expected.field)) {
      problems.push(
        `poison message ${eventId} was quarantined with reasons on ${reasonFields(stored).join(", ")}, not on ${expected.field}`,
      );
    }
  }

  for (const eventId of contents.quarantined.keys()) {
    if (!expectedQuarantine.has(eventId))
      problems.push(`event ${eventId} was quarantined but should have been applied`);
    if (appliedEventIds.has(eventId)) problems.push(`event ${eventId} was both applied and quarantined`);
  }
  for (const key of contents.transactions.keys()) {
    if (!groups.has(key)) problems.push(`transaction record ${key} belongs to no delivered event`);
  }
  return problems;
}

function reasonFields(item: Record<string, unknown>): string[] {
  const reasons = Array.isArray(item.reasons) ? (item.reasons as Array<{ field?: unknown }>) : [];
  return reasons.map((reason) => String(reason.field));
}

interface Totals {
  spending: Record<string, number>;
  income: Record<string, number>;
  debitCount: number;
  creditCount: number;
}

const ID_ORDER = new Intl.Collator("en", { numeric: true });

function monthFormatter(timeZone: string) {
  const format = new Intl.DateTimeFormat("en-US", { timeZone, year: "numeric", month: "2-digit" });
  return (instantMs: number): string => {
    const parts = format.formatToParts(instantMs);
    const year = parts.find((part) => part.type === "year")?.value;
    const month = parts.find((part) => part.type === "month")?.value;
    return `${year}-${month}`;
  };
}

function emptyTotals(): Totals {
  return { spending: {}, income: {}, debitCount: 0, creditCount: 0 };
}

/** Sorts the keys of every object, so that two aggregates compare equal as JSON whatever their key order. */
function canonical(value: unknown): string {
  return JSON.stringify(value, (_key, nested: unknown) =>
    nested && typeof nested === "object" && !Array.isArray(nested)
      ? Object.fromEntries(
          Object.entries(nested as Record<string, unknown>).sort(([a], [b]) => a.localeCompare(b)),
        )
      : nested,
  );
}

/** Adds a month item's flat attributes ("spending.VND.groceries", "debitCount.VND") to month totals. */
function addMonthItem(target: Record<string, Totals>, item: Record<string, unknown>): void {
  for (const [name, value] of Object.entries(item)) {
    if (typeof value !== "number") continue;
    const [kind, currency, category] = name.split(".");
    if (!currency) continue;
    target[currency] ??= emptyTotals();
    const totals = target[currency];
    if ((kind === "spending" || kind === "income") && category) {
      totals[kind][category] = (totals[kind][category] ?? 0) + value;
    } else if (kind === "debitCount" || kind === "creditCount") {
      totals[kind] += value;
    }
  }
}

function addProfileMonth(target: Record<string, Totals>, aggregate: unknown): void {
  for (const [currency, stored] of Object.entries((aggregate ?? {}) as Record<string, Partial<Totals>>)) {
    target[currency] ??= emptyTotals();
    const totals = target[currency];
    for (const [category, amount] of Object.entries(stored.spending ?? {})) {
      totals.spending[category] = (totals.spending[category] ?? 0) + amount;
    }
    for (const [category, amount] of Object.entries(stored.income ?? {})) {
      totals.income[category] = (totals.income[category] ?? 0) + amount;
    }
    totals.debitCount += stored.debitCount ?? 0;
    totals.creditCount += stored.creditCount ?? 0;
  }
}

/**
 * Checks every customer's aggregates against a recomputation from the stored transaction records:
 * the transaction count; each account's balance, which is the balance after its latest transaction
 * by booking time (ties broken by transaction id in numeric order); each month's spending and income
 * by category and its debit and credit counts, whether the profile or a month item contains them; the
 * debit statistics; and the first and last booking times.
 */
export function reconcileAggregates(contents: TableContents, bankTimeZone = DEFAULT_TIME_ZONE): string[] {
  const problems: string[] = [];
  const monthOf = monthFormatter(bankTimeZone);
  const recordsByCustomer = new Map<string, Record<string, unknown>[]>();
  for (const record of contents.transactions.values()) {
    const customerId = customerOf(record);
    const list = recordsByCustomer.get(customerId) ?? [];
    list.push(record);
    recordsByCustomer.set(customerId, list);
  }
  const monthItemsByCustomer = new Map<string, Record<string, unknown>[]>();
  for (const item of contents.monthItems) {
    const list = monthItemsByCustomer.get(customerOf(item)) ?? [];
    list.push(item);
    monthItemsByCustomer.set(customerOf(item), list);
  }

  const customers = new Set([...recordsByCustomer.keys(), ...contents.profiles.keys()]);
  for (const customerId of customers) {
    const records = recordsByCustomer.get(customerId) ?? [];
    const profile = contents.profiles.get(customerId);
    if (!profile) {
      problems.push(`customer ${customerId} has ${records.length} transaction records but no profile`);
      continue;
    }

    if (profile.transactionCount !== records.length) {
      problems.push(
        `customer ${customerId}: transactionCount is ${String(profile.transactionCount)} but ${records.length} transaction records are stored`,
      );
    }

    const latest = new Map<string, Record<string, unknown>>();
    const months: Record<string, Record<string, Totals>> = {};
    const debits: Record<string, { count: number; totalMinor: number; maxMinor: number }> = {};
    let first: number | undefined;
    let last: number | undefined;
    for (const record of records) {
      const bookedAt = Date.parse(String(record.bookingTime));
      const transactionId = String(record.SK).slice(3);
      const accountId = String(record.accountId);
      const current = latest.get(accountId);
      const currentAt = current ? Date.parse(String(current.bookingTime)) : Number.NEGATIVE_INFINITY;
      if (
        !current ||
        bookedAt > currentAt ||
        (bookedAt === currentAt && ID_ORDER.compare(transactionId, String(current.SK).slice(3)) > 0)
      ) {
        latest.set(accountId, record);
      }

      const currency = String(record.currency);
      const month = monthOf(bookedAt);
      months[month] ??= {};
      months[month][currency] ??= emptyTotals();
      const totals = months[month][currency];
      const amount = Number(record.amountMinor);
      const category = String(record.category);
      if (record.direction === "debit") {
        totals.spending[category] = (totals.spending[category] ?? 0) + amount;
        totals.debitCount += 1;
        debits[currency] ??= { count: 0, totalMinor: 0, maxMinor: 0 };
        const statistics = debits[currency];
        statistics.count += 1;
        statistics.totalMinor += amount;
        statistics.maxMinor = Math.max(statistics.maxMinor, amount);
      } else {
        totals.income[category] = (totals.income[category] ?? 0) + amount;
        totals.creditCount += 1;
      }
      first = first === undefined ? bookedAt : Math.min(first, bookedAt);
      last = last === undefined ? bookedAt : Math.max(last, bookedAt);
    }

    const accounts = (profile.accounts ?? {}) as Record<string, Record<string, unknown>>;
    for (const [accountId, record] of latest) {
      const stored = accounts[accountId];
      const expected = {
        currency: record.currency,
        balanceMinor: record.balanceAfterMinor,
        balanceTransactionId: String(record.SK).slice(3),
      };
      const actual = stored && {
        currency: stored.currency,
        balanceMinor: stored.balanceMinor,
        balanceTransactionId: stored.balanceTransactionId,
      };
      if (canonical(actual) !== canonical(expected)) {
        problems.push(
          `customer ${customerId} account ${accountId}: profile has ${canonical(actual)} but the latest transaction record gives ${canonical(expected)}`,
        );
      }
    }
    for (const accountId of Object.keys(accounts)) {
      if (!latest.has(accountId))
        problems.push(`customer ${customerId}: account ${accountId} has no transaction record`);
    }

    const stored: Record<string, Record<string, Totals>> = {};
    for (const [month, aggregate] of Object.entries((profile.months ?? {}) as Record<string, unknown>)) {
      stored[month] ??= {};
      addProfileMonth(stored[month], aggregate);
    }
    for (const item of monthItemsByCustomer.get(customerId) ?? []) {
      const month = String(item.SK).slice(2);
      stored[month] ??= {};
      addMonthItem(stored[month], item);
    }
    for (const month of new Set([...Object.keys(months), ...Object.keys(stored)])) {
      if (canonical(stored[month] ?? {}) !== canonical(months[month] ?? {})) {
        problems.push(
          `customer ${customerId} month ${month}: stored totals ${canonical(stored[month] ?? {})} differ from the transaction records' ${canonical(months[month] ?? {})}`,
        );
      }
    }

    if (canonical(profile.debits ?? {}) !== canonical(debits)) {
      problems.push(
        `customer ${customerId}: debit statistics ${canonical(profile.debits ?? {})} differ from the records' ${canonical(debits)}`,
      );
    }
    const storedFirst = profile.firstBookingTime ? Date.parse(String(profile.firstBookingTime)) : undefined;
    const storedLast = profile.lastBookingTime ? Date.parse(String(profile.lastBookingTime)) : undefined;
    if (storedFirst !== first || storedLast !== last) {
      problems.push(
        `customer ${customerId}: booking times run from ${String(profile.firstBookingTime)} to ${String(profile.lastBookingTime)} but the records run from ${first === undefined ? "none" : new Date(first).toISOString()} to ${last === undefined ? "none" : new Date(last).toISOString()}`,
      );
    }
  }
  return problems;
}

/** Key that identifies a derived event on the bus: its type and the message id or ids it is about. */
function eventKey(detailType: string, detail: Record<string, unknown>): string {
  const about = Array.isArray(detail.messageIds)
    ? detail.messageIds.join(",")
    : String(detail.messageId ?? "");
  return `${detailType}|${about}`;
}

function countBy<T>(values: readonly T[], key: (value: T) => string): Map<string, number> {
  const counts = new Map<string, number>();
  for (const value of values) counts.set(key(value), (counts.get(key(value)) ?? 0) + 1);
  return counts;
}

/** Outbox message ids that ingestion reported as decided and committed, across every process of a run. */
export function decidedMessageIds(outcomes: readonly IngestOutcome[]): Set<string> {
  const ids = new Set<string>();
  for (const outcome of outcomes) {
    if (outcome.kind === "applied") for (const message of outcome.messages) ids.add(message.messageId);
  }
  return ids;
}

/** Message ids that the scenario predicts from the events alone. */
export function predictedMessageIds(events: readonly ScenarioEvent[]): Set<string> {
  const ids = new Set<string>();
  for (const { expected } of events) {
    if (expected.kind === "transaction") for (const id of expected.messageIds) ids.add(id);
  }
  return ids;
}

/**
 * Checks that every decided message has an outbox item and was delivered once or recorded as failed
 * with its reason: no item is left open; a failed or suppressed item has a `lastError`; the fake
 * providers accepted a push at most once per device, an e-mail at most once, and an inbox entry exists
 * at most once; a delivered item was accepted (on as many devices as its detail reports), and an item
 * that is not delivered was never accepted unless its send was interrupted. Derived events reach the
 * bus at least once, every final result is announced by its MessageDelivered or MessageFailed event
 * (or that event is recorded as failed after its last attempt) and never by the other one, no settled item is left listed for the release job, and the providers
 * accepted nothing that the outbox does not hold.
 */
export function reconcileDeliveries(
  contents: TableContents,
  log: ProviderLog,
  decided: Iterable<string>,
): string[] {
  const problems: string[] = [];
  const byId = new Map(contents.outbox.map((item) => [String(item.messageId), item]));
  for (const messageId of decided) {
    if (!byId.has(messageId)) problems.push(`message ${messageId} was decided but has no outbox item`);
  }

  const pushByMessage = new Map<string, Map<string, number>>();
  for (const { messageId, token } of log.push) {
    const tokens = pushByMessage.get(messageId) ?? new Map<string, number>();
    tokens.set(token, (tokens.get(token) ?? 0) + 1);
    pushByMessage.set(messageId, tokens);
  }
  const emails = countBy(log.email, (entry) => entry.messageId);
  const inboxEntries = countBy(contents.inbox, (entry) => String(entry.messageId));
  const published = countBy(log.events, (event: PublishedEvent) => eventKey(event.detailType, event.detail));
  // Dispatch gives up on a derived event after its last attempt and records it as failed with the
  // bus's error. Such a record accounts for a result event that never reached the bus.
  const givenUp = new Set(
    contents.outbox
      .filter((item) => item.channel === "event" && item.status === "failed" && Boolean(item.lastError))
      .map((item) => {
        const event = item.event as { detailType?: string; detail?: Record<string, unknown> } | undefined;
        return event?.detailType && event.detail ? eventKey(event.detailType, event.detail) : "";
      }),
  );

  for (const item of contents.outbox) {
    const messageId = String(item.messageId);
    const status = String(item.status);
    const channel = String(item.channel);
    const label = `${channel} message ${messageId} of ${String(item.customerId)}`;
    if (!FINAL_STATUSES.has(status)) {
      problems.push(`${label} is still ${status}`);
      continue;
    }
    if (item.GSI1PK !== undefined)
      problems.push(`${label} is ${status} but still listed for the release job`);
    const lastError = typeof item.lastError === "string" ? item.lastError : "";
    if (status !== "delivered" && lastError === "") problems.push(`${label} is ${status} without a reason`);
    const mayHaveArrived = status === "delivered" || INTERRUPTED_REASON.test(lastError);

    switch (channel) {
      case "push": {
        const tokens = pushByMessage.get(messageId) ?? new Map<string, number>();
        for (const [token, count] of tokens) {
          if (count > 1) problems.push(`${label} was accepted ${count} times for device token ${token}`);
        }
        if (status === "delivered") {
          const detail = String(item.deliveryDetail ?? "");
          if (tokens.size === 0) problems.push(`${label} is delivered but no device accepted it`);
          else if (!detail.startsWith(`${tokens.size} of `)) {
            problems.push(`${label} reports "${detail}" but ${tokens.size} devices accepted it`);
          }
        } else if (tokens.size > 0 && !mayHaveArrived) {
          problems.push(`${label} is ${status} (${lastError}) but ${tokens.size} devices accepted it`);
        }
        break;
      }
      case "email": {
        const count = emails.get(messageId) ?? 0;
        if (count > 1) problems.push(`${label} was accepted by SES ${count} times`);
        if (status === "delivered" && count === 0)
          problems.push(`${label} is delivered but SES never accepted it`);
        if (status !== "delivered" && count > 0 && !mayHaveArrived) {
          problems.push(`${label} is ${status} (${lastError}) but SES accepted it`);
        }
        break;
      }
      case "inbox": {
        const count = inboxEntries.get(messageId) ?? 0;
        if (count > 1) problems.push(`${label} has ${count} inbox entries`);
        if (status === "delivered" && count === 0)
          problems.push(`${label} is delivered but has no inbox entry`);
        if (status !== "delivered" && count > 0 && !mayHaveArrived) {
          problems.push(`${label} is ${status} (${lastError}) but has an inbox entry`);
        }
        break;
      }
      case "event": {
        const event = item.event as { detailType?: string; detail?: Record<string, unknown> } | undefined;
        const key = event?.detailType && event.detail ? eventKey(event.detailType, event.detail) : "";
        if (status === "delivered" && (published.get(key) ?? 0) === 0) {
          problems.push(
            `${label} is delivered but the bus never accepted its ${String(event?.detailType)} event`,
          );
        }
        break;
      }
    }

    if (channel !== "event") {
      const expectedType = status === "delivered" ? "MessageDelivered" : "MessageFailed";
      const otherType = status === "delivered" ? "MessageFailed" : "MessageDelivered";
      const key = `${expectedType}|${messageId}`;
      if ((published.get(key) ?? 0) === 0 && !givenUp.has(key)) {
        problems.push(`${label} is ${status} but no ${expectedType} event reached the bus`);
      }
      if ((published.get(`${otherType}|${messageId}`) ?? 0) > 0) {
        problems.push(`${label} is ${status} but a ${otherType} event reached the bus`);
      }
    }
  }

  const outboxIdsByChannel = (channel: string) =>
    new Set(contents.outbox.filter((item) => item.channel === channel).map((item) => String(item.messageId)));
  const pushIds = outboxIdsByChannel("push");
  for (const messageId of pushByMessage.keys()) {
    if (!pushIds.has(messageId)) problems.push(`a push ${messageId} was accepted without a push outbox item`);
  }
  const emailIds = outboxIdsByChannel("email");
  for (const messageId of emails.keys()) {
    if (!emailIds.has(messageId))
      problems.push(`an e-mail ${messageId} was accepted without an e-mail outbox item`);
  }
  return problems;
}

/** Counts that tests print in their report and use to check that the faults really fired. */
export function summarize(contents: TableContents) {
  const statuses: Record<string, number> = {};
  for (const item of contents.outbox) {
    const key = `${String(item.channel)}:${String(item.status)}`;
    statuses[key] = (statuses[key] ?? 0) + 1;
  }
  return {
    transactions: contents.transactions.size,
    quarantined: contents.quarantined.size,
    outbox: contents.outbox.length,
    statuses,
    deactivatedDevices: contents.devices.filter((device) => device.active === false).length,
  };
}
