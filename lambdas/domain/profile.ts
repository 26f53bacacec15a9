import { addMonths, daysBetween, monthIndex } from "./calendar";
import type { Category } from "./categories";
import { AmountOverflowError } from "./errors";
import { type PayeeHistory, recordPayment } from "./recurring";
import type { PostedTransaction } from "./transaction";

/**
 * Months of aggregates kept inside the profile item: the newest month seen and the ones before it.
 * Older months live in their own items, so the profile stays small (it is rewritten on every event).
 */
export const PROFILE_MONTHS_KEPT = 4;

/** Payees and payers remembered for recurring-payment detection. */
export const MAX_PAYEES = 12;

/** Days without a foreign transaction after which a trip is considered over. */
export const TRIP_GAP_DAYS = 7;

export interface AccountState {
  readonly currency: string;
  readonly balanceMinor: number;
  /** Booking time of the transaction that set the balance; an older event never replaces it. */
  readonly balanceAsOf: string;
  readonly balanceTransactionId: string;
}

/** One month's totals in one currency, in minor units. */
export interface MonthTotals {
  readonly spending: Partial<Record<Category, number>>;
  readonly income: Partial<Record<Category, number>>;
  readonly debitCount: number;
  readonly creditCount: number;
}

/** One month's totals by currency. */
export type MonthAggregate = Readonly<Record<string, MonthTotals>>;

export interface DebitStatistics {
  readonly count: number;
  readonly totalMinor: number;
  readonly maxMinor: number;
}

/** A stay abroad inferred from card or ATM use in another country. */
export interface Trip {
  readonly country: string;
  readonly startedOn: string;
  readonly lastSeenOn: string;
}

/** Message history that cooldowns and the daily cap need, kept in the profile and written with it. */
export interface NotificationState {
  /** Last time each cooldown key fired, ISO 8601; entries older than the longest cooldown are dropped. */
  readonly lastFired: Readonly<Record<string, string>>;
  /** Non-critical messages decided on the customer's local date `date`. */
  readonly today?: { readonly date: string; readonly count: number };
}

export interface CustomerProfile {
  readonly customerId: string;
  /** Optimistic-locking version: 0 for a profile that is not stored yet. */
  readonly version: number;
  readonly transactionCount: number;
  readonly accounts: Readonly<Record<string, AccountState>>;
  /** Aggregates of the newest {@link PROFILE_MONTHS_KEPT} months, by "YYYY-MM". */
  readonly months: Readonly<Record<string, MonthAggregate>>;
  readonly debits: Readonly<Record<string, DebitStatistics>>;
  /** Countries where the customer paid in person, with the last date seen. */
  readonly countries: Readonly<Record<string, string>>;
  readonly trip?: Trip;
  readonly payees: Readonly<Record<string, PayeeHistory>>;
  readonly notifications?: NotificationState;
  readonly firstBookingTime?: string;
  readonly lastBookingTime?: string;
}

/** The change that one transaction makes, beyond the new profile. */
export interface ProfileChange {
  readonly profile: CustomerProfile;
  /** Months that left the profile's window and must be stored as month items. */
  readonly evictedMonths: Readonly<Record<string, MonthAggregate>>;
  /** Set when the transaction's month is older than the window: its month item must be updated instead. */
  readonly archivedMonth?: string;
  readonly balanceChanged: boolean;
  /** Set when this transaction started a new trip abroad. */
  readonly tripStarted: boolean;
}

/**
 * Adds minor units, raising {@link AmountOverflowError} when the sum leaves the range that a
 * JavaScript number holds exactly, so a total is never silently rounded.
 */
export function addMinor(left: number, right: number): number {
  const sum = left + right;
  if (!Number.isSafeInteger(sum)) throw new AmountOverflowError();
  return sum;
}

export function emptyProfile(customerId: string): CustomerProfile {
  return {
    customerId,
    version: 0,
    transactionCount: 0,
    accounts: {},
    months: {},
    debits: {},
    countries: {},
    payees: {},
  };
}

function emptyTotals(): MonthTotals {
  return { spending: {}, income: {}, debitCount: 0, creditCount: 0 };
}

/** Adds one transaction to a month aggregate; sums commute, so arrival order never changes the result. */
export function addToMonth(
  aggregate: MonthAggregate | undefined,
  transaction: PostedTransaction,
): MonthAggregate {
  const totals = aggregate?.[transaction.currency] ?? emptyTotals();
  const { category, amountMinor } = transaction;
  const updated: MonthTotals =
    transaction.direction === "debit"
      ? {
          ...totals,
          spending: { ...totals.spending, [category]: addMinor(totals.spending[category] ?? 0, amountMinor) },
          debitCount: totals.debitCount + 1,
        }
      : {
          ...totals,
          income: { ...totals.income, [category]: addMinor(totals.income[category] ?? 0, amountMinor) },
          creditCount: totals.creditCount + 1,
        };
  return { ...aggregate, [transaction.currency]: updated };
}

/** Adds two month aggregates, currency by currency and category by category. */
export function mergeMonths(left: MonthAggregate | undefined, right: MonthAggregate): MonthAggregate {
  const merged: Record<string, MonthTotals> = { ...left };
  for (const [currency, totals] of Object.entries(right)) {
    const base = merged[currency];
    if (!base) {
      merged[currency] = totals;
      continue;
    }
    const spending: Partial<Record<Category, number>> = { ...base.spending };
    for (const [category, amount] of Object.entries(totals.spending) as [Category, number][]) {
      spending[category] = addMinor(spending[category] ?? 0, amount);
    }
    const income: Partial<Record<Category, number>> = { ...base.income };
    for (const [category, amount] of Object.entries(totals.income) as [Category, number][]) {
      income[category] = addMinor(income[category] ?? 0, amount);
    }
    merged[currency] = {
      spending,
      income,
      debitCount: base.debitCount + totals.debitCount,
      creditCount: base.creditCount + totals.creditCount,
    };
  }
  return merged;
}

/** Newest month key in the profile, or undefined for a new profile. */
export function newestMonth(profile: CustomerProfile): string | undefined {
  let newest: string | undefined;
  for (const month of Object.keys(profile.months)) {
    if (newest === undefined || month > newest) newest = month;
  }
  return newest;
}

/** Orders ids with digits by number ("tx-9" before "tx-10"), as banks' posting sequences run. */
const ID_ORDER = new Intl.Collator("en", { numeric: true });

/**
 * True when the event's (time, id) is later than the one that set the stored balance. Events booked
 * in the same instant are ordered by transaction id.
 */
function isNewerThan(transaction: PostedTransaction, account: AccountState): boolean {
  const storedMs = Date.parse(account.balanceAsOf);
  if (transaction.bookedAtMs !== storedMs) return transaction.bookedAtMs > storedMs;
  return ID_ORDER.compare(transaction.transactionId, account.balanceTransactionId) > 0;
}

function applyMonths(
  profile: CustomerProfile,
  transaction: PostedTransaction,
): Pick<ProfileChange, "evictedMonths" | "archivedMonth"> & { months: Record<string, MonthAggregate> } {
  const newest = newestMonth(profile);
  const windowEnd = newest === undefined || transaction.month > newest ? transaction.month : newest;
  const windowStart = addMonths(windowEnd, -(PROFILE_MONTHS_KEPT - 1));

  if (transaction.month < windowStart) {
    return { months: { ...profile.months }, evictedMonths: {}, archivedMonth: transaction.month };
  }

  const months: Record<string, MonthAggregate> = {};
  const evictedMonths: Record<string, MonthAggregate> = {};
  for (const [month, aggregate] of Object.entries(profile.months)) {
    if (monthIndex(month) < monthIndex(windowStart)) evictedMonths[month] = aggregate;
    else months[month] = aggregate;
  }
  months[transaction.month] = addToMonth(months[transaction.month], transaction);
  return { months, evictedMonths };
}

function applyDebitStatistics(
  debits: CustomerProfile["debits"],
  transaction: PostedTransaction,
): CustomerProfile["debits"] {
  if (transaction.direction !== "debit") return debits;
  const current = debits[transaction.currency] ?? { count: 0, totalMinor: 0, maxMinor: 0 };
  return {
    ...debits,
    [transaction.currency]: {
      count: current.count + 1,
      totalMinor: addMinor(current.totalMinor, transaction.amountMinor),
      maxMinor: Math.max(current.maxMinor, transaction.amountMinor),
    },
  };
}

function applyTravel(
  profile: CustomerProfile,
  transaction: PostedTransaction,
  homeCountry: string,
): { countries: CustomerProfile["countries"]; trip: Trip | undefined; tripStarted: boolean } {
  const country = transaction.merchantCountry;
  if (!country || !transaction.inPerson)
    return { countries: profile.countries, trip: profile.trip, tripStarted: false };

  const lastSeen = profile.countries[country];
  const countries =
    lastSeen === undefined || transaction.bookingDate > lastSeen
      ? { ...profile.countries, [country]: transaction.bookingDate }
      : profile.countries;

  if (country === homeCountry) {
    // Domestic card use after the last foreign one ends the trip.
    const trip = profile.trip && transaction.bookingDate > profile.trip.lastSeenOn ? undefined : profile.trip;
    return { countries, trip, tripStarted: false };
  }

  // A payment in the trip's country within TRIP_GAP_DAYS of the trip, before or after it, belongs to
  // the trip, so a late event from the same stay widens it instead of starting another.
  const current = profile.trip;
  const date = transaction.bookingDate;
  const belongs =
    current !== undefined &&
    current.country === country &&
    daysBetween(current.lastSeenOn, date) <= TRIP_GAP_DAYS &&
    daysBetween(date, current.startedOn) <= TRIP_GAP_DAYS;
  if (belongs) {
    const [startedOn] = [date, current.startedOn].sort() as [string, string];
    const lastSeenOn = [date, current.lastSeenOn].sort()[1] as string;
    return { countries, trip: { country, startedOn, lastSeenOn }, tripStarted: false };
  }
  if (current !== undefined && date < current.startedOn) {
    // A late event from an earlier stay abroad does not replace the trip in progress.
    return { countries, trip: current, tripStarted: false };
  }
  const trip = { country, startedOn: transaction.bookingDate, lastSeenOn: transaction.bookingDate };
  return { countries, trip, tripStarted: true };
}

function applyPayee(
  payees: CustomerProfile["payees"],
  transaction: PostedTransaction,
): CustomerProfile["payees"] {
  const { payee } = transaction;
  if (!payee) return payees;

  const updated = {
    ...payees,
    [payee.key]: recordPayment(payees[payee.key], {
      name: payee.name,
      category: transaction.category,
      direction: transaction.direction,
      currency: transaction.currency,
      date: transaction.bookingDate,
      amountMinor: transaction.amountMinor,
    }),
  };
  const keys = Object.keys(updated);
  if (keys.length <= MAX_PAYEES) return updated;

  // Forget a payee that is not recurring before one that is, then the one seen least, then longest ago.
  const evictionOrder = keys
    .filter((key) => key !== payee.key)
    .sort((left, right) => {
      const a = updated[left] as PayeeHistory;
      const b = updated[right] as PayeeHistory;
      const recurringFirst = Number(a.cadence !== undefined) - Number(b.cadence !== undefined);
      if (recurringFirst !== 0) return recurringFirst;
      if (a.dates.length !== b.dates.length) return a.dates.length - b.dates.length;
      return (a.dates.at(-1) ?? "").localeCompare(b.dates.at(-1) ?? "");
    });
  const evicted = evictionOrder[0] as string;
  const { [evicted]: _removed, ...kept } = updated;
  return kept;
}

/**
 * Applies one transaction to a profile and returns the next state. Pure and deterministic: storage,
 * deduplication and concurrency are the caller's concern. Totals, counts and countries commute, so
 * out-of-order arrival gives the same result; the balance only moves forward in booking time.
 */
export function applyTransaction(
  profile: CustomerProfile,
  transaction: PostedTransaction,
  homeCountry: string,
): ProfileChange {
  const account = profile.accounts[transaction.accountId];
  const balanceChanged = account === undefined || isNewerThan(transaction, account);
  const accounts = balanceChanged
    ? {
        ...profile.accounts,
        [transaction.accountId]: {
          currency: transaction.currency,
          balanceMinor: transaction.balanceAfterMinor,
          balanceAsOf: transaction.bookingTime,
          balanceTransactionId: transaction.transactionId,
        },
      }
    : profile.accounts;

  const { months, evictedMonths, archivedMonth } = applyMonths(profile, transaction);
  const { countries, trip, tripStarted } = applyTravel(profile, transaction, homeCountry);
  const earliest =
    profile.firstBookingTime === undefined || transaction.bookedAtMs < Date.parse(profile.firstBookingTime);
  const latest =
    profile.lastBookingTime === undefined || transaction.bookedAtMs > Date.parse(profile.lastBookingTime);

  const next: CustomerProfile = {
    customerId: profile.customerId,
    version: profile.version,
    transactionCount: profile.transactionCount + 1,
    accounts,
    months,
    debits: applyDebitStatistics(profile.debits, transaction),
    countries,
    ...(trip && { trip }),
    payees: applyPayee(profile.payees, transaction),
    ...(profile.notifications && { notifications: profile.notifications }),
    firstBookingTime: earliest ? transaction.bookingTime : (profile.firstBookingTime as string),
    lastBookingTime: latest ? transaction.bookingTime : (profile.lastBookingTime as string),
  };
  return {
    profile: next,
    evictedMonths,
    ...(archivedMonth && { archivedMonth }),
    balanceChanged,
    tripStarted,
  };
}
