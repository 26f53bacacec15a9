import type { Channel } from "../contracts/transaction-posted";
import type { Category } from "./categories";
import { categorize } from "./categorize";
import { PersonalizationError } from "./errors";
import { averageMinor, localMonth, type MoneyAmount, moneyAmount, previousMonthTotals } from "./insights";
import type { MessageRenderer } from "./messages/render";
import { currencyExponent } from "./money";
import type { Language, Preferences } from "./preferences";
import { addMinor, type CustomerProfile, type MonthAggregate } from "./profile";
import type { RuleDefaults } from "./rules/facts";
import { normalizeText } from "./text";

/**
 * Tips for a payment the customer is about to make (`POST /v1/me/context`): what it does to this
 * month's spending in its category, the fee for paying abroad, and whether it can be paid in
 * instalments.
 */

/** Instalment terms offered, in months: a short and a long one, which the tip's text names in this order. */
export const INSTALMENT_TERMS = [6, 12] as const;

/** A payment the customer is about to make, as the app describes it before it is sent. */
export interface PlannedTransaction {
  /** Positive amount in minor units of `currency`. */
  readonly amountMinor: number;
  /** ISO 4217 code. */
  readonly currency: string;
  readonly merchantName?: string | undefined;
  /** ISO 18245 merchant category code, four digits. */
  readonly mcc?: string | undefined;
  /** ISO 3166-1 alpha-2 country of the merchant. */
  readonly country?: string | undefined;
  /**
   * Payment method.
   * @default "card"
   */
  readonly channel?: Channel | undefined;
}

/** The bank's foreign transaction fee, from the service's settings. */
export interface ForeignFeeSettings {
  /** Fee in percent of the transaction amount, from 0 to 100, such as 2.5. */
  readonly feePercent: number;
  /**
   * Source of the exchange rate in each language, such as "Vietcombank's selling rate at
   * settlement". The tips name the source and never quote a rate.
   */
  readonly exchangeRateSource: Readonly<Record<Language, string>>;
}

export interface ContextTipsInput {
  readonly transaction: PlannedTransaction;
  readonly profile: CustomerProfile;
  /**
   * Month aggregates by "YYYY-MM" for the customer's current month and up to three months before it,
   * merged from the profile's window and archived month items.
   */
  readonly months: Readonly<Record<string, MonthAggregate>>;
  readonly nowMs: number;
  readonly preferences: Pick<Preferences, "language" | "timeZone">;
  readonly renderer: MessageRenderer;
  /** ISO 3166-1 alpha-2 country whose merchants are domestic. */
  readonly homeCountry: string;
  readonly foreignFees: ForeignFeeSettings;
  /** Rule catalog defaults: the instalment minimum by currency. */
  readonly defaults: Pick<RuleDefaults, "instalmentMinimumMinor">;
}

/** This month's spending in the payment's category before and after it, against the previous average. */
export interface BudgetImpactTip {
  readonly category: Category;
  readonly label: string;
  readonly monthToDate: MoneyAmount;
  readonly afterPayment: MoneyAmount;
  /** Average of the previous months that have data, or null when none has. */
  readonly previousAverage: MoneyAmount | null;
  /** `afterPayment` as a whole percent of the previous average, or null without a positive average. */
  readonly percentOfAverage: number | null;
  readonly title: string;
  readonly body: string;
}

/** The fee for paying a merchant in another country. */
export interface ForeignFeesTip {
  /** ISO 3166-1 alpha-2 code. */
  readonly country: string;
  /** Country name in the customer's language. */
  readonly countryName: string;
  readonly feePercent: number;
  readonly exchangeRateSource: string;
  readonly title: string;
  readonly body: string;
}

export interface InstalmentPlan {
  readonly months: number;
  /** Each instalment but the last: the amount divided by the months, rounded up to a whole minor unit. */
  readonly monthlyAmount: MoneyAmount;
  /** The last instalment: what the others leave of the purchase amount, at most `monthlyAmount`. */
  readonly lastMonthlyAmount: MoneyAmount;
  /** The purchase amount: a 0% plan collects exactly the price. */
  readonly totalAmount: MoneyAmount;
}

export type InstalmentTip =
  | {
      readonly eligible: true;
      readonly minimum: MoneyAmount;
      /** One plan per term of {@link INSTALMENT_TERMS}, in that order. */
      readonly plans: readonly InstalmentPlan[];
      readonly title: string;
      readonly body: string;
    }
  | { readonly eligible: false; readonly minimum: MoneyAmount };

/** The response of `POST /v1/me/context`. */
export interface ContextTips {
  /** The category that the payment would get. */
  readonly category: Category;
  /**
   * Null when the customer has no account in the payment's currency, because the payment would then be
   * converted at a rate known only at settlement.
   */
  readonly budgetImpact: BudgetImpactTip | null;
  /** Null unless a country is given and differs from the bank's home country. */
  readonly foreignFees: ForeignFeesTip | null;
  /** Null unless the payment is by card in a currency that has an instalment minimum. */
  readonly instalment: InstalmentTip | null;
}

/** The planned transaction has an amount or currency that no payment can have. */
export class InvalidPlannedTransactionError extends PersonalizationError {}

/**
 * Divides a non-negative safe-integer amount into `parts`, a positive integer, and rounds up to a
 * whole minor unit. The result is exact: the float quotient of a safe integer is off by less than
 * 1 / parts, and a true quotient that is not whole lies at least 1 / parts from every integer.
 */
export function ceilDivideMinor(amountMinor: number, parts: number): number {
  return Math.ceil(amountMinor / parts);
}

function validate(transaction: PlannedTransaction, settings: ForeignFeeSettings): void {
  const { amountMinor, currency } = transaction;
  if (!Number.isSafeInteger(amountMinor) || amountMinor <= 0) {
    throw new InvalidPlannedTransactionError(
      `Invalid amount ${amountMinor}: expected a positive whole number of minor units, such as 1500000 for 1.500.000 ₫`,
    );
  }
  if (currencyExponent(currency) === undefined) {
    throw new InvalidPlannedTransactionError(
      `Unknown currency "${currency}": expected an active ISO 4217 code such as VND`,
    );
  }
  const { feePercent } = settings;
  if (!Number.isFinite(feePercent) || feePercent < 0 || feePercent > 100) {
    throw new RangeError(`Foreign fee percent must be from 0 to 100, got ${feePercent}`);
  }
}

function budgetImpact(input: ContextTipsInput, category: Category): BudgetImpactTip | null {
  const { transaction, profile, renderer, preferences } = input;
  const { currency, amountMinor } = transaction;
  const holdsCurrency = Object.values(profile.accounts).some((account) => account.currency === currency);
  if (!holdsCurrency) return null;

  const month = localMonth(input.nowMs, preferences.timeZone);
  const monthToDate = input.months[month]?.[currency]?.spending[category] ?? 0;
  const afterPayment = addMinor(monthToDate, amountMinor);
  const average = averageMinor(
    previousMonthTotals(input.months, month, currency).map((totals) => totals.spending[category] ?? 0),
  );
  // A ratio of two amounts, so floating point is fine here.
  const percentOfAverage =
    average === null || average === 0 ? null : Math.round((afterPayment * 100) / average);

  const { language } = preferences;
  const label = renderer.category(category, language);
  const money = (minor: number) => moneyAmount(renderer, minor, currency, language);
  const params = {
    category: label,
    after: money(afterPayment).formatted,
    ...(average !== null && { average: money(average).formatted }),
    ...(percentOfAverage !== null && { percent: percentOfAverage }),
  };
  const bodyKey =
    percentOfAverage === null ? "tips.budgetImpact.textWithoutAverage" : "tips.budgetImpact.text";
  return {
    category,
    label,
    monthToDate: money(monthToDate),
    afterPayment: money(afterPayment),
    previousAverage: average === null ? null : money(average),
    percentOfAverage,
    title: renderer.text(language, "tips.budgetImpact.heading", params),
    body: renderer.text(language, bodyKey, params),
  };
}

function foreignFees(input: ContextTipsInput): ForeignFeesTip | null {
  const country = input.transaction.country?.toUpperCase();
  if (country === undefined || country === input.homeCountry.toUpperCase()) return null;

  const { renderer, preferences, foreignFees: settings } = input;
  const { language } = preferences;
  const countryName = renderer.country(country, language);
  const exchangeRateSource = normalizeText(settings.exchangeRateSource[language]);
  const params = { country: countryName, percent: settings.feePercent, rateSource: exchangeRateSource };
  return {
    country,
    countryName,
    feePercent: settings.feePercent,
    exchangeRateSource,
    title: renderer.text(language, "tips.foreignFees.heading", params),
    body: renderer.text(language, "tips.foreignFees.text", params),
  };
}

/**
 * Offers instalments for a card payment that reaches the catalog's `instalmentMinimumMinor` for its
 * currency. Each plan's instalments are rounded up but the last, which takes the remainder, so the plan
 * collects exactly the price.
 */
function instalment(input: ContextTipsInput, channel: Channel): InstalmentTip | null {
  const { transaction, renderer, preferences } = input;
  const { amountMinor, currency } = transaction;
  const minimumMinor = input.defaults.instalmentMinimumMinor[currency];
  if (channel !== "card" || minimumMinor === undefined) return null;

  const { language } = preferences;
  const money = (minor: number) => moneyAmount(renderer, minor, currency, language);
  const minimum = money(minimumMinor);
  if (amountMinor < minimumMinor) return { eligible: false, minimum };

  const planOf = (months: number): InstalmentPlan => {
    // For an amount below months × (months − 1) minor units, rounding up would leave nothing for the
    // last instalment, so the instalments round down and the last one takes the remainder.
    const roundedUp = ceilDivideMinor(amountMinor, months);
    const monthly = roundedUp * (months - 1) <= amountMinor ? roundedUp : Math.floor(amountMinor / months);
    return {
      months,
      monthlyAmount: money(monthly),
      lastMonthlyAmount: money(amountMinor - monthly * (months - 1)),
      totalAmount: money(amountMinor),
    };
  };
  const [shortTerm, longTerm] = INSTALMENT_TERMS;
  const shortPlan = planOf(shortTerm);
  const longPlan = planOf(longTerm);
  const plans = [shortPlan, longPlan];
  const params = {
    amount: money(amountMinor).formatted,
    shortTerm,
    shortMonthly: shortPlan.monthlyAmount.formatted,
    longTerm,
    longMonthly: longPlan.monthlyAmount.formatted,
  };
  return {
    eligible: true,
    minimum,
    plans,
    title: renderer.text(language, "tips.instalment.heading", params),
    body: renderer.text(language, "tips.instalment.text", params),
  };
}

/**
 * Builds the tips for a planned payment. Raises {@link InvalidPlannedTransactionError} for an amount
 * that is not a positive safe integer or an unknown currency, and RangeError for a fee percent
 * outside 0 to 100.
 */
export function buildContextTips(input: ContextTipsInput): ContextTips {
  validate(input.transaction, input.foreignFees);
  const { transaction } = input;
  const channel = transaction.channel ?? "card";
  const merchantName =
    transaction.merchantName === undefined ? undefined : normalizeText(transaction.merchantName);
  const { category } = categorize({
    direction: "debit",
    channel,
    mcc: transaction.mcc,
    merchantName: merchantName === "" ? undefined : merchantName,
  });
  return {
    category,
    budgetImpact: budgetImpact(input, category),
    foreignFees: foreignFees(input),
    instalment: instalment(input, channel),
  };
}
