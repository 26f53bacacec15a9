import * as z from "zod/mini";
import { CATEGORIES, type Category } from "../../domain/categories";
import { CorruptItemError } from "../../domain/errors";
import type { OfferRecord } from "../../domain/offers";
import type { CustomerProfile, MonthAggregate, MonthTotals } from "../../domain/profile";
import type { DueEntry } from "../../domain/reminders";
import type { PostedTransaction } from "../../domain/transaction";
import {
  customerPartitionKey,
  dueSortKey,
  monthSortKey,
  offerSortKey,
  reminderDateKey,
  reminderSortKey,
  SORT_KEYS,
  transactionSortKey,
} from "./keys";

/**
 * Item codecs for the ledger: how transactions, profiles and month aggregates are laid out in the
 * table. Attribute names are written out in full for operators reading items in the console.
 */

const amounts = z.record(z.string(), z.number());

const MonthTotalsSchema = z.object({
  spending: amounts,
  income: amounts,
  debitCount: z.number(),
  creditCount: z.number(),
});

const ProfileItemSchema = z.object({
  PK: z.string(),
  SK: z.literal(SORT_KEYS.profile),
  version: z.number(),
  transactionCount: z.number(),
  accounts: z.record(
    z.string(),
    z.object({
      currency: z.string(),
      balanceMinor: z.number(),
      balanceAsOf: z.string(),
      balanceTransactionId: z.string(),
    }),
  ),
  months: z.record(z.string(), z.record(z.string(), MonthTotalsSchema)),
  debits: z.record(z.string(), z.object({ count: z.number(), totalMinor: z.number(), maxMinor: z.number() })),
  countries: z.record(z.string(), z.string()),
  trip: z.optional(z.object({ country: z.string(), startedOn: z.string(), lastSeenOn: z.string() })),
  payees: z.record(
    z.string(),
    z.object({
      name: z.string(),
      category: z.enum(CATEGORIES),
      direction: z.enum(["debit", "credit"]),
      currency: z.string(),
      dates: z.array(z.string()),
      lastAmountMinor: z.number(),
      cadence: z.optional(z.enum(["weekly", "fortnightly", "monthly", "quarterly", "yearly"])),
      nextDate: z.optional(z.string()),
    }),
  ),
  notifications: z.optional(
    z.object({
      lastFired: z.record(z.string(), z.string()),
      today: z.optional(z.object({ date: z.string(), count: z.number() })),
    }),
  ),
  firstBookingTime: z.optional(z.string()),
  lastBookingTime: z.optional(z.string()),
});

export function profileKey(customerId: string): { PK: string; SK: string } {
  return { PK: customerPartitionKey(customerId), SK: SORT_KEYS.profile };
}

/** The profile item to write; `version` is the next version, one above the one read. */
export function profileToItem(profile: CustomerProfile, updatedAt: Date): Record<string, unknown> {
  const { customerId, version, ...state } = profile;
  return {
    ...profileKey(customerId),
    ...state,
    version: version + 1,
    updatedAt: updatedAt.toISOString(),
  };
}

export function profileFromItem(customerId: string, item: Record<string, unknown>): CustomerProfile {
  const parsed = ProfileItemSchema.safeParse(item);
  if (!parsed.success) {
    const fields = parsed.error.issues.map((issue) => issue.path.join(".")).join(", ");
    throw new CorruptItemError(
      `${customerPartitionKey(customerId)}/${SORT_KEYS.profile}`,
      `invalid ${fields}`,
    );
  }
  const { PK: _pk, SK: _sk, ...state } = parsed.data;
  return { customerId, ...state, months: state.months as CustomerProfile["months"] };
}

/**
 * The transaction record: the exactly-once guard (written only if its key is new) and the source for
 * insights and for recomputing aggregates. It expires `retentionDays` after it was applied, which is
 * also how long a redelivered copy is recognized as a duplicate.
 */
export function transactionToItem(
  transaction: PostedTransaction,
  eventId: string,
  appliedAt: Date,
  retentionDays: number,
): Record<string, unknown> {
  return {
    PK: customerPartitionKey(transaction.customerId),
    SK: transactionSortKey(transaction.transactionId),
    eventId,
    accountId: transaction.accountId,
    bookingTime: transaction.bookingTime,
    amountMinor: transaction.amountMinor,
    currency: transaction.currency,
    direction: transaction.direction,
    balanceAfterMinor: transaction.balanceAfterMinor,
    channel: transaction.channel,
    category: transaction.category,
    ...(transaction.merchantName && { merchantName: transaction.merchantName }),
    ...(transaction.merchantCountry && { merchantCountry: transaction.merchantCountry }),
    ...(transaction.payee && { payeeKey: transaction.payee.key }),
    fingerprint: transaction.fingerprint,
    appliedAt: appliedAt.toISOString(),
    expiresAt: Math.floor(appliedAt.getTime() / 1000) + retentionDays * 86_400,
  };
}

/**
 * Month items keep each total in its own numeric attribute, named "spending.VND.groceries",
 * "income.VND.income", "debitCount.VND" or "creditCount.VND", so that a late transaction is added with
 * one `ADD` and no read.
 */
function monthAttributeName(
  kind: "spending" | "income" | "debitCount" | "creditCount",
  currency: string,
  category?: Category,
) {
  return category ? `${kind}.${currency}.${category}` : `${kind}.${currency}`;
}

/** Builds the `ADD` update that adds a month aggregate (or one transaction's share of it) to a month item. */
export function monthAddUpdate(
  customerId: string,
  month: string,
  aggregate: MonthAggregate,
): {
  Key: { PK: string; SK: string };
  UpdateExpression: string;
  ExpressionAttributeNames: Record<string, string>;
  ExpressionAttributeValues: Record<string, number>;
} {
  const names: Record<string, string> = {};
  const values: Record<string, number> = {};
  const clauses: string[] = [];
  const add = (attribute: string, amount: number) => {
    const index = clauses.length;
    names[`#a${index}`] = attribute;
    values[`:v${index}`] = amount;
    clauses.push(`#a${index} :v${index}`);
  };

  for (const [currency, totals] of Object.entries(aggregate)) {
    for (const [category, amount] of Object.entries(totals.spending) as [Category, number][]) {
      add(monthAttributeName("spending", currency, category), amount);
    }
    for (const [category, amount] of Object.entries(totals.income) as [Category, number][]) {
      add(monthAttributeName("income", currency, category), amount);
    }
    if (totals.debitCount) add(monthAttributeName("debitCount", currency), totals.debitCount);
    if (totals.creditCount) add(monthAttributeName("creditCount", currency), totals.creditCount);
  }
  return {
    Key: { PK: customerPartitionKey(customerId), SK: monthSortKey(month) },
    UpdateExpression: `ADD ${clauses.join(", ")}`,
    ExpressionAttributeNames: names,
    ExpressionAttributeValues: values,
  };
}

/** Reads a month item's flat attributes back into an aggregate. */
export function monthFromItem(item: Record<string, unknown>): MonthAggregate {
  const aggregate: Record<
    string,
    {
      spending: Record<string, number>;
      income: Record<string, number>;
      debitCount: number;
      creditCount: number;
    }
  > = {};
  const totalsOf = (currency: string) => {
    aggregate[currency] ??= { spending: {}, income: {}, debitCount: 0, creditCount: 0 };
    return aggregate[currency];
  };
  for (const [name, value] of Object.entries(item)) {
    if (typeof value !== "number") continue;
    const [kind, currency, category] = name.split(".");
    if (!currency) continue;
    if ((kind === "spending" || kind === "income") && category) totalsOf(currency)[kind][category] = value;
    else if (kind === "debitCount" || kind === "creditCount") totalsOf(currency)[kind] = value;
  }
  return aggregate as Record<string, MonthTotals>;
}

/** A due-payment entry, listed in GSI1 under the local date of its reminder. */
export function dueEntryToItem(customerId: string, entry: DueEntry): Record<string, unknown> {
  return {
    PK: customerPartitionKey(customerId),
    SK: dueSortKey(entry.payeeKey),
    GSI1PK: reminderDateKey(entry.remindOn),
    GSI1SK: reminderSortKey(entry.timeZone, customerId, entry.payeeKey),
    ...entry,
  };
}

const DueEntrySchema = z.object({
  payeeKey: z.string(),
  name: z.string(),
  category: z.enum(CATEGORIES),
  currency: z.string(),
  amountMinor: z.number(),
  dueDate: z.string(),
  remindOn: z.string(),
  timeZone: z.string(),
});

export function dueEntryFromItem(item: Record<string, unknown>): DueEntry {
  const parsed = DueEntrySchema.safeParse(item);
  if (!parsed.success)
    throw new CorruptItemError(`${String(item.PK)}/${String(item.SK)}`, "invalid due-payment entry");
  return parsed.data;
}

/** An offer shown to the customer; it expires a week after its last valid day. */
export function offerToItem(customerId: string, offer: OfferRecord): Record<string, unknown> {
  return {
    PK: customerPartitionKey(customerId),
    SK: offerSortKey(offer.offerId),
    ...offer,
    status: "presented",
    expiresAt: Math.floor(Date.parse(`${offer.validUntil}T00:00:00Z`) / 1000) + 8 * 86_400,
  };
}
