import { addMonths } from "../calendar";
import type { Category } from "../categories";
import { DISCRETIONARY_CATEGORIES } from "../categories";
import type { Preferences } from "../preferences";
import { type CustomerProfile, type MonthTotals, newestMonth, type ProfileChange } from "../profile";
import type { DueEntry } from "../reminders";
import type { PostedTransaction } from "../transaction";

/**
 * The facts rule conditions read, by trigger. Conditions name a fact and a path into it
 * (`{ "fact": "transaction", "path": "$.amountMinor" }`), the syntax json-rules-engine uses, and the
 * catalog is checked against this list at load, so a misspelt path fails at cold start, not silently.
 */
export const FACT_FIELDS = {
  transaction: {
    direction: "string",
    amountMinor: "number",
    currency: "string",
    category: "string",
    channel: "string",
    isForeign: "boolean",
    inPerson: "boolean",
    merchantCountry: "string",
    balanceAfterMinor: "number",
    balanceBeforeMinor: "number",
    isLatestBalance: "boolean",
    isDiscretionary: "boolean",
    hasForeignCurrency: "boolean",
    isRecurringPayee: "boolean",
  },
  account: { balanceMinor: "number" },
  customer: {
    transactionCount: "number",
    debitCount: "number",
    averageDebitMinor: "number",
    travelling: "boolean",
    tripStarted: "boolean",
    averageMonthlySpendingMinor: "number",
    spendingToIncomeRatio: "number",
  },
  category: {
    monthToDateMinor: "number",
    previousMonthToDateMinor: "number",
    trailingAverageMinor: "number",
    trailingMonths: "number",
    spendingRatio: "number",
    previousSpendingRatio: "number",
  },
  thresholds: {
    lowBalanceMinor: "number",
    largeTransactionMinor: "number",
    unusualSpendingRatio: "number",
    unusualSpendingMinimumMinor: "number",
    instalmentMinimumMinor: "number",
    idleBalanceMinor: "number",
    incomeMinimumMinor: "number",
  },
  payment: {
    daysUntilDue: "number",
    leadDays: "number",
    amountMinor: "number",
    currency: "string",
    category: "string",
  },
} as const;

export type FactName = keyof typeof FACT_FIELDS;
export type FactType = "number" | "string" | "boolean";

/** Facts each trigger provides; a rule may only read facts its trigger has. */
export const TRIGGER_FACTS = {
  transaction: ["transaction", "account", "customer", "category", "thresholds"],
  payment_due: ["payment", "customer", "thresholds"],
} as const satisfies Record<string, readonly FactName[]>;

export type Trigger = keyof typeof TRIGGER_FACTS;

/**
 * Placeholders a rule's message template may use, by trigger: the values that `templateParams` in
 * decide.ts passes to the renderer. The catalog check rejects a template that uses any other
 * placeholder, because rendering it would throw for every match of the rule.
 */
export const TRIGGER_MESSAGE_PARAMS = {
  transaction: [
    "amount",
    "balance",
    "threshold",
    "merchant",
    "payer",
    "time",
    "category",
    "monthToDate",
    "average",
    "percent",
    "country",
    "foreignCurrency",
    "validUntil",
  ],
  payment_due: ["payee", "amount", "dueDate", "days", "validUntil"],
} as const satisfies Record<Trigger, readonly string[]>;

type FieldValue<T> = T extends "number" ? number : T extends "boolean" ? boolean : string;
type FactValues<Name extends FactName> = {
  -readonly [Field in keyof (typeof FACT_FIELDS)[Name]]: FieldValue<(typeof FACT_FIELDS)[Name][Field]>;
};

/** Fact values for one evaluation; a number that cannot be known (no history, no default) is NaN, so every comparison with it is false. */
export type Facts = { -readonly [Name in FactName]?: FactValues<Name> };

/** Per-currency defaults and multipliers from the rule catalog. */
export interface RuleDefaults {
  readonly lowBalanceMinor: Readonly<Record<string, number>>;
  readonly largeTransactionFloorMinor: Readonly<Record<string, number>>;
  readonly largeTransactionMultiple: number;
  readonly largeTransactionMinimumHistory: number;
  readonly unusualSpendingRatio: number;
  readonly unusualSpendingMinimumMinor: Readonly<Record<string, number>>;
  readonly instalmentMinimumMinor: Readonly<Record<string, number>>;
  readonly idleBalanceMinimumMinor: Readonly<Record<string, number>>;
  readonly idleBalanceSpendingMonths: number;
  readonly incomeMinimumMinor: Readonly<Record<string, number>>;
}

function perCurrency(values: Readonly<Record<string, number>>, currency: string): number {
  return values[currency] ?? Number.NaN;
}

function totalSpending(totals: MonthTotals | undefined): number {
  if (!totals) return 0;
  return Object.values(totals.spending).reduce((sum, amount) => sum + (amount ?? 0), 0);
}

/** Months of the profile's window before `month`, oldest first. */
function previousMonths(profile: CustomerProfile, month: string): string[] {
  return Object.keys(profile.months)
    .filter((key) => key < month)
    .sort();
}

function customerFacts(
  before: CustomerProfile,
  after: CustomerProfile,
  currency: string,
  month: string,
  tripStarted: boolean,
): FactValues<"customer"> {
  const debits = before.debits[currency];
  const history = previousMonths(after, month);
  const monthlySpending = history.map((key) => totalSpending(after.months[key]?.[currency]));
  const averageMonthlySpending =
    monthlySpending.length === 0
      ? Number.NaN
      : monthlySpending.reduce((sum, amount) => sum + amount, 0) / monthlySpending.length;
  return {
    transactionCount: after.transactionCount,
    debitCount: debits?.count ?? 0,
    averageDebitMinor: debits && debits.count > 0 ? debits.totalMinor / debits.count : Number.NaN,
    travelling: after.trip !== undefined,
    tripStarted,
    averageMonthlySpendingMinor: averageMonthlySpending,
    spendingToIncomeRatio: Number.NaN,
  };
}

function thresholdFacts(
  defaults: RuleDefaults,
  preferences: Preferences,
  currency: string,
  customer: FactValues<"customer">,
): FactValues<"thresholds"> {
  const floor = perCurrency(defaults.largeTransactionFloorMinor, currency);
  const relative =
    customer.debitCount >= defaults.largeTransactionMinimumHistory
      ? Math.max(floor, Math.round(defaults.largeTransactionMultiple * customer.averageDebitMinor))
      : floor;
  const idleFloor = perCurrency(defaults.idleBalanceMinimumMinor, currency);
  const idle = Number.isNaN(customer.averageMonthlySpendingMinor)
    ? idleFloor
    : Math.max(
        idleFloor,
        Math.round(defaults.idleBalanceSpendingMonths * customer.averageMonthlySpendingMinor),
      );
  return {
    lowBalanceMinor:
      preferences.thresholds.lowBalance[currency] ?? perCurrency(defaults.lowBalanceMinor, currency),
    largeTransactionMinor: preferences.thresholds.largeTransaction[currency] ?? relative,
    unusualSpendingRatio: defaults.unusualSpendingRatio,
    unusualSpendingMinimumMinor: perCurrency(defaults.unusualSpendingMinimumMinor, currency),
    instalmentMinimumMinor: perCurrency(defaults.instalmentMinimumMinor, currency),
    idleBalanceMinor: idle,
    incomeMinimumMinor: perCurrency(defaults.incomeMinimumMinor, currency),
  };
}

function categoryFacts(after: CustomerProfile, transaction: PostedTransaction): FactValues<"category"> {
  const { month, currency, category, amountMinor, direction } = transaction;
  const spentIn = (key: string) => after.months[key]?.[currency]?.spending[category as Category] ?? 0;
  const monthToDate = spentIn(month);
  const previousMonthToDate = direction === "debit" ? monthToDate - amountMinor : monthToDate;
  const trailing = previousMonths(after, month).filter((key) => key >= addMonths(month, -3));
  const trailingAverage =
    trailing.length === 0
      ? Number.NaN
      : trailing.reduce((sum, key) => sum + spentIn(key), 0) / trailing.length;
  return {
    monthToDateMinor: monthToDate,
    previousMonthToDateMinor: previousMonthToDate,
    trailingAverageMinor: trailingAverage,
    trailingMonths: trailing.length,
    spendingRatio: trailingAverage > 0 ? monthToDate / trailingAverage : Number.NaN,
    previousSpendingRatio: trailingAverage > 0 ? previousMonthToDate / trailingAverage : Number.NaN,
  };
}

/** Builds the facts of a transaction, from the profile before and after it. */
export function transactionFacts(
  transaction: PostedTransaction,
  before: CustomerProfile,
  change: ProfileChange,
  preferences: Preferences,
  defaults: RuleDefaults,
  homeCountry: string,
): Facts {
  const after = change.profile;
  const { currency } = transaction;
  const signed = transaction.direction === "debit" ? -transaction.amountMinor : transaction.amountMinor;
  const customer = customerFacts(before, after, currency, transaction.month, change.tripStarted);
  if (
    transaction.direction === "credit" &&
    transaction.category === "income" &&
    transaction.amountMinor > 0
  ) {
    customer.spendingToIncomeRatio = customer.averageMonthlySpendingMinor / transaction.amountMinor;
  }

  return {
    transaction: {
      direction: transaction.direction,
      amountMinor: transaction.amountMinor,
      currency,
      category: transaction.category,
      channel: transaction.channel,
      isForeign: transaction.merchantCountry !== undefined && transaction.merchantCountry !== homeCountry,
      inPerson: transaction.inPerson,
      merchantCountry: transaction.merchantCountry ?? "",
      balanceAfterMinor: transaction.balanceAfterMinor,
      balanceBeforeMinor: transaction.balanceAfterMinor - signed,
      isLatestBalance: change.balanceChanged,
      isDiscretionary: DISCRETIONARY_CATEGORIES.has(transaction.category),
      hasForeignCurrency:
        transaction.originalAmount !== undefined &&
        transaction.originalAmount.currency !== transaction.currency,
      isRecurringPayee:
        transaction.payee !== undefined && before.payees[transaction.payee.key]?.cadence !== undefined,
    },
    account: {
      balanceMinor: after.accounts[transaction.accountId]?.balanceMinor ?? transaction.balanceAfterMinor,
    },
    customer,
    category: categoryFacts(after, transaction),
    thresholds: thresholdFacts(defaults, preferences, currency, customer),
  };
}

/** A recurring payment the customer is expected to make: a due entry without its index fields. */
export type DuePayment = Omit<DueEntry, "remindOn" | "timeZone">;

/** Builds the facts of a payment-due check made on the customer's local date `today`. */
export function paymentDueFacts(
  payment: DuePayment,
  daysUntilDue: number,
  profile: CustomerProfile,
  preferences: Preferences,
  defaults: RuleDefaults,
): Facts {
  const month = newestMonth(profile) ?? payment.dueDate.slice(0, 7);
  const customer = customerFacts(profile, profile, payment.currency, month, false);
  return {
    payment: {
      daysUntilDue,
      leadDays: preferences.paymentReminderLeadDays,
      amountMinor: payment.amountMinor,
      currency: payment.currency,
      category: payment.category,
    },
    customer,
    thresholds: thresholdFacts(defaults, preferences, payment.currency, customer),
  };
}
