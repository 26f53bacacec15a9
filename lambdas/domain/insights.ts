import { addDays, addMonths, daysBetween } from "./calendar";
import { CATEGORIES, type Category, DISCRETIONARY_CATEGORIES } from "./categories";
import { AmountOverflowError, PersonalizationError } from "./errors";
import { LOCALES, type MessageRenderer } from "./messages/render";
import type { Language, Preferences } from "./preferences";
import { addMinor, type CustomerProfile, type MonthAggregate, type MonthTotals } from "./profile";
import { type Cadence, nextExpectedDate, type PayeeHistory } from "./recurring";
import type { RuleDefaults } from "./rules/facts";
import { toLocalTime } from "./zoned-time";

/**
 * Spending insights for one month, in the customer's language: spending and income by category
 * against the months before, a month-end forecast, recurring payments, and savings suggestions.
 *
 * Figures cover one currency, the customer's main currency (the one with the most transactions in
 * the compared months), so that clients show one set of totals and never add currencies together.
 * `otherCurrencies` lists the currencies left out.
 */

/** Months before the requested one that averages compare against. */
export const PREVIOUS_MONTHS_COMPARED = 3;

/** Days ahead of today in which a recurring debit counts as an upcoming bill. */
export const UPCOMING_BILL_DAYS = 30;

/** Percent above its previous average at which a day-to-day category gets a cut-back suggestion. */
export const CATEGORY_INCREASE_PERCENT = 25;

/** Maximum number of cut-back suggestions in one response, which keeps the largest increases. */
export const MAX_CUT_BACK_SUGGESTIONS = 2;

/** Share of average income, in percent, that the monthly surplus must reach to be worth suggesting. */
export const MIN_SURPLUS_PERCENT = 10;

/** Categories whose recurring payments count as subscriptions and regular bills. */
const SUBSCRIPTION_CATEGORIES: ReadonlySet<Category> = new Set(["entertainment", "bills_utilities"]);

/** Cadences that pay once per month or less often, so one payment in a month settles that month. */
const MONTHLY_OR_LONGER: ReadonlySet<Cadence> = new Set(["monthly", "quarterly", "yearly"]);

/** Payments per month of each cadence, as a fraction: 52 weeks make 52/12 weekly payments a month. */
const PAYMENTS_PER_MONTH: Readonly<Record<Cadence, readonly [numerator: number, denominator: number]>> = {
  weekly: [52, 12],
  fortnightly: [26, 12],
  monthly: [1, 1],
  quarterly: [1, 3],
  yearly: [1, 12],
};

/** Identifier of the forecast method, which the `explanation` text spells out for the customer. */
export const FORECAST_METHOD = "daily_pace_plus_recurring";

const MONTH_KEY = /^\d{4}-(0[1-9]|1[0-2])$/;

/** An amount as the API returns it: exact minor units and the text to show. */
export interface MoneyAmount {
  readonly amountMinor: number;
  /** ISO 4217 code. */
  readonly currency: string;
  /** The amount formatted for the customer's language, such as "1.500.000 ₫" in Vietnamese. */
  readonly formatted: string;
}

/** Spending in one category in the requested month, against the months before it. */
export interface CategorySpending {
  readonly category: Category;
  /** Category name in the customer's language, from the message catalog. */
  readonly label: string;
  readonly amount: MoneyAmount;
  /** Average of the previous months that have data, or null when none has. */
  readonly previousAverage: MoneyAmount | null;
  /** Whole percent change from the previous average, or null when there is no average or it is zero. */
  readonly changePercent: number | null;
}

export interface CategoryIncome {
  readonly category: Category;
  readonly label: string;
  readonly amount: MoneyAmount;
}

export interface IncomeSummary {
  readonly total: MoneyAmount;
  /** Credits by category, largest first. */
  readonly categories: readonly CategoryIncome[];
}

/** A recurring debit expected on a given date. */
export interface ExpectedPayment {
  readonly payeeKey: string;
  readonly name: string;
  readonly category: Category;
  readonly label: string;
  /** "YYYY-MM-DD" */
  readonly dueDate: string;
  /** The payee's last amount, which the next payment is expected to repeat. */
  readonly amount: MoneyAmount;
}

/**
 * Projected spending at the end of the current month: spending so far, plus day-to-day spending at
 * its pace so far for the remaining days, plus recurring debits still expected this month.
 */
export interface SpendingForecast {
  readonly method: typeof FORECAST_METHOD;
  /** The customer's local date that the forecast counts days from, "YYYY-MM-DD". */
  readonly asOfDate: string;
  /** Days of the month up to and including today, in the customer's time zone. */
  readonly daysElapsed: number;
  /** Days of the month after today. */
  readonly daysRemaining: number;
  readonly spentSoFar: MoneyAmount;
  /** Spending so far in the day-to-day categories, the part that the forecast extends. */
  readonly discretionarySoFar: MoneyAmount;
  /** `discretionarySoFar / daysElapsed × daysRemaining`, rounded half up to a minor unit. */
  readonly projectedDiscretionary: MoneyAmount;
  readonly knownRecurring: MoneyAmount;
  readonly recurringPayments: readonly ExpectedPayment[];
  readonly projectedTotal: MoneyAmount;
  /** The method and its figures in one or two sentences in the customer's language. */
  readonly explanation: string;
}

/** A payee or payer that the profile found to recur. */
export interface RecurringPayee {
  readonly payeeKey: string;
  readonly name: string;
  readonly category: Category;
  readonly label: string;
  readonly direction: PayeeHistory["direction"];
  readonly cadence: Cadence;
  readonly lastAmount: MoneyAmount;
  /** Date of the latest payment, "YYYY-MM-DD". */
  readonly lastDate: string;
  /** Expected date of the next payment, "YYYY-MM-DD", which is past when a payment is late. */
  readonly nextDate: string | null;
}

export interface UpcomingBill extends ExpectedPayment {
  /** Days from the customer's local today to the due date: 0 for today. */
  readonly daysUntilDue: number;
}

export interface RecurringSummary {
  /** Recurring debits and credits in every currency, by next date. */
  readonly payees: readonly RecurringPayee[];
  /** Recurring debits due from today through {@link UPCOMING_BILL_DAYS} days ahead, soonest first. */
  readonly upcomingBills: readonly UpcomingBill[];
}

interface OpportunityText {
  /** Stable for the same suggestion in the same month, so a client can remember a dismissal. */
  readonly id: string;
  readonly title: string;
  readonly body: string;
}

/** A day-to-day category at least {@link CATEGORY_INCREASE_PERCENT}% above its previous average. */
export interface CutBackOpportunity extends OpportunityText {
  readonly kind: "cut_back";
  readonly category: Category;
  readonly label: string;
  readonly amount: MoneyAmount;
  readonly previousAverage: MoneyAmount;
  readonly changePercent: number;
  /** Spending above the previous average. */
  readonly excess: MoneyAmount;
}

export interface SubscriptionPayee {
  readonly payeeKey: string;
  readonly name: string;
  readonly category: Category;
  readonly cadence: Cadence;
  /** The last amount converted to a monthly cost by the cadence. */
  readonly monthlyAmount: MoneyAmount;
}

/** The monthly cost of recurring entertainment payments and bills. */
export interface SubscriptionsOpportunity extends OpportunityText {
  readonly kind: "review_subscriptions";
  readonly monthlyTotal: MoneyAmount;
  readonly payees: readonly SubscriptionPayee[];
}

/** A balance well above what the customer spends, with the part that could go into a term deposit. */
export interface TermDepositOpportunity extends OpportunityText {
  readonly kind: "term_deposit";
  /** Sum of the customer's account balances in the currency. */
  readonly balance: MoneyAmount;
  readonly averageMonthlySpending: MoneyAmount;
  /** Spending of the catalog's `idleBalanceSpendingMonths`, kept out of the suggested deposit. */
  readonly reserve: MoneyAmount;
  readonly suggestedDeposit: MoneyAmount;
}

/** Average income above average spending: the amount the customer could save each month. */
export interface SaveSurplusOpportunity extends OpportunityText {
  readonly kind: "save_surplus";
  readonly averageIncome: MoneyAmount;
  readonly averageSpending: MoneyAmount;
  readonly monthlySurplus: MoneyAmount;
  /** Complete months that the averages cover. */
  readonly monthsCompared: number;
}

export type SavingsOpportunity =
  | CutBackOpportunity
  | SubscriptionsOpportunity
  | TermDepositOpportunity
  | SaveSurplusOpportunity;

/** The response of `GET /v1/me/insights?month=YYYY-MM`. */
export interface Insights {
  /** "YYYY-MM" */
  readonly month: string;
  /** The currency of every total, category and forecast figure: the customer's main currency. */
  readonly currency: string;
  /** Currencies with transactions in the compared months that these figures leave out. */
  readonly otherCurrencies: readonly string[];
  readonly spendingTotal: MoneyAmount;
  /** Spending by category, largest first. */
  readonly spending: readonly CategorySpending[];
  readonly income: IncomeSummary;
  /** Null unless the requested month is the customer's current local month. */
  readonly forecast: SpendingForecast | null;
  /** Recurring payments as the profile records them now, whatever month was requested. */
  readonly recurring: RecurringSummary;
  /** Cut-back suggestions first, then subscriptions, a term deposit and the monthly surplus. */
  readonly savingsOpportunities: readonly SavingsOpportunity[];
}

export interface InsightsInput {
  readonly profile: CustomerProfile;
  /**
   * Month aggregates by "YYYY-MM" for the requested month and up to {@link PREVIOUS_MONTHS_COMPARED}
   * months before it, merged from the profile's window and archived month items. Other months are ignored.
   */
  readonly months: Readonly<Record<string, MonthAggregate>>;
  /** Requested month, "YYYY-MM": the customer's current local month or an earlier one. */
  readonly month: string;
  readonly nowMs: number;
  readonly preferences: Pick<Preferences, "language" | "timeZone">;
  readonly renderer: MessageRenderer;
  /** The bank's currency, used when the customer has no transactions in the compared months. */
  readonly homeCurrency: string;
  /** Rule catalog defaults for the cut-back and term-deposit suggestions. */
  readonly defaults: Pick<
    RuleDefaults,
    "unusualSpendingMinimumMinor" | "idleBalanceMinimumMinor" | "idleBalanceSpendingMonths"
  >;
}

/** The requested month is malformed or later than the customer's current local month. */
export class InvalidMonthError extends PersonalizationError {
  constructor(
    readonly month: string,
    detail: string,
  ) {
    super(`Invalid month "${month}": ${detail}`);
  }
}

/** Formats minor units as a {@link MoneyAmount} in the customer's language. */
export function moneyAmount(
  renderer: MessageRenderer,
  amountMinor: number,
  currency: string,
  language: Language,
): MoneyAmount {
  return { amountMinor, currency, formatted: renderer.money(amountMinor, currency, language) };
}

/**
 * Returns `amountMinor × numerator / denominator` rounded half away from zero. The product is taken
 * in BigInt, so the result is exact for any safe integers. Raises {@link AmountOverflowError} when the
 * result is not a safe integer, and RangeError when an argument is not a safe integer or the
 * denominator is not positive.
 */
export function scaleMinor(amountMinor: number, numerator: number, denominator: number): number {
  if (
    !Number.isSafeInteger(amountMinor) ||
    !Number.isSafeInteger(numerator) ||
    !Number.isSafeInteger(denominator) ||
    denominator <= 0
  ) {
    throw new RangeError(
      `scaleMinor needs safe integers and a positive denominator, got ${amountMinor} × ${numerator} / ${denominator}`,
    );
  }
  const product = BigInt(amountMinor) * BigInt(numerator);
  const magnitude = product < 0n ? -product : product;
  const divisor = BigInt(denominator);
  const rounded = (2n * magnitude + divisor) / (2n * divisor);
  const result = Number(product < 0n ? -rounded : rounded);
  if (!Number.isSafeInteger(result)) throw new AmountOverflowError();
  return result;
}

/** Adds minor units with {@link addMinor}, so a total that leaves the exact range raises. */
export function sumMinor(amounts: Iterable<number>): number {
  let total = 0;
  for (const amount of amounts) total = addMinor(total, amount);
  return total;
}

/** Returns the customer's current month, "YYYY-MM", in their time zone. */
export function localMonth(nowMs: number, timeZone: string): string {
  return toLocalTime(nowMs, timeZone).date.slice(0, 7);
}

/** Returns the {@link PREVIOUS_MONTHS_COMPARED} months before `month`, oldest first. */
export function previousMonthKeys(month: string): string[] {
  const keys: string[] = [];
  for (let back = PREVIOUS_MONTHS_COMPARED; back >= 1; back -= 1) keys.push(addMonths(month, -back));
  return keys;
}

/**
 * Returns the totals in `currency` of the previous months that have data, oldest first. A month without
 * transactions in the currency is left out rather than counted as zero, so a new customer's average
 * covers only the months since they started using the account.
 */
export function previousMonthTotals(
  months: Readonly<Record<string, MonthAggregate>>,
  month: string,
  currency: string,
): MonthTotals[] {
  return previousMonthKeys(month).flatMap((key) => {
    const totals = months[key]?.[currency];
    return totals ? [totals] : [];
  });
}

/** Returns the average of the amounts rounded half up, or null when there are none. */
export function averageMinor(amounts: readonly number[]): number | null {
  if (amounts.length === 0) return null;
  return scaleMinor(sumMinor(amounts), 1, amounts.length);
}

/** Sums the spending of one month's totals across categories. */
function totalSpending(totals: MonthTotals | undefined): number {
  if (!totals) return 0;
  return sumMinor(CATEGORIES.map((category) => totals.spending[category] ?? 0));
}

function totalIncome(totals: MonthTotals | undefined): number {
  if (!totals) return 0;
  return sumMinor(CATEGORIES.map((category) => totals.income[category] ?? 0));
}

/**
 * Returns the whole percent change from `average` to `amount`, or null when the average is missing
 * or zero.
 */
export function changePercentOf(amount: number, average: number | null): number | null {
  if (average === null || average === 0) return null;
  // A ratio, so floating point is fine. `|| 0` turns the -0 of a tiny decrease into 0.
  return Math.round(((amount - average) * 100) / average) || 0;
}

/** Formats a "YYYY-MM" month with its year ("tháng 11 năm 2026", "November 2026"). */
function monthName(month: string, language: Language): string {
  const middleOfMonth = Date.UTC(Number(month.slice(0, 4)), Number(month.slice(5, 7)) - 1, 15);
  return new Intl.DateTimeFormat(LOCALES[language], {
    month: "long",
    year: "numeric",
    timeZone: "UTC",
  }).format(middleOfMonth);
}

/** Returns the last day of a "YYYY-MM" month as "YYYY-MM-DD". */
function lastDayOf(month: string): string {
  return addDays(`${addMonths(month, 1)}-01`, -1);
}

/**
 * Picks the currency with the most transactions in the compared months. Ties go to the bank's
 * currency, then alphabetical order. Without any transactions it is the bank's currency.
 */
function chooseMainCurrency(
  months: Readonly<Record<string, MonthAggregate>>,
  monthKeys: readonly string[],
  homeCurrency: string,
): { currency: string; others: string[] } {
  const counts = new Map<string, number>();
  for (const key of monthKeys) {
    for (const [currency, totals] of Object.entries(months[key] ?? {})) {
      counts.set(currency, (counts.get(currency) ?? 0) + totals.debitCount + totals.creditCount);
    }
  }
  const ranked = [...counts.keys()].sort((left, right) => {
    const byCount = (counts.get(right) ?? 0) - (counts.get(left) ?? 0);
    if (byCount !== 0) return byCount;
    if (left === homeCurrency || right === homeCurrency) return left === homeCurrency ? -1 : 1;
    return left.localeCompare(right);
  });
  const currency = ranked[0] ?? homeCurrency;
  return { currency, others: ranked.filter((code) => code !== currency) };
}

/** The request resolved against the customer's clock, language and main currency, shared by every section. */
interface InsightsContext {
  readonly input: InsightsInput;
  readonly language: Language;
  readonly currency: string;
  /** The customer's local date, "YYYY-MM-DD". */
  readonly today: string;
  readonly isCurrentMonth: boolean;
  readonly current: MonthTotals | undefined;
  readonly previous: readonly MonthTotals[];
}

function money(context: InsightsContext, amountMinor: number, currency = context.currency): MoneyAmount {
  return moneyAmount(context.input.renderer, amountMinor, currency, context.language);
}

function label(context: InsightsContext, category: Category): string {
  return context.input.renderer.category(category, context.language);
}

/**
 * Lists spending by category. A category without spending this month appears only for a past month,
 * where its zero is final, and only when the previous months had spending in it.
 */
function buildSpending(context: InsightsContext): CategorySpending[] {
  const rows: { row: CategorySpending; order: number }[] = [];
  CATEGORIES.forEach((category, order) => {
    const amount = context.current?.spending[category] ?? 0;
    const average = averageMinor(context.previous.map((totals) => totals.spending[category] ?? 0));
    const listed = amount > 0 || (!context.isCurrentMonth && average !== null && average > 0);
    if (!listed) return;
    rows.push({
      order,
      row: {
        category,
        label: label(context, category),
        amount: money(context, amount),
        previousAverage: average === null ? null : money(context, average),
        changePercent: changePercentOf(amount, average),
      },
    });
  });
  rows.sort(
    (left, right) =>
      right.row.amount.amountMinor - left.row.amount.amountMinor ||
      (right.row.previousAverage?.amountMinor ?? -1) - (left.row.previousAverage?.amountMinor ?? -1) ||
      left.order - right.order,
  );
  return rows.map(({ row }) => row);
}

function buildIncome(context: InsightsContext): IncomeSummary {
  const categories: CategoryIncome[] = [];
  for (const category of CATEGORIES) {
    const amount = context.current?.income[category] ?? 0;
    if (amount > 0)
      categories.push({ category, label: label(context, category), amount: money(context, amount) });
  }
  categories.sort((left, right) => right.amount.amountMinor - left.amount.amountMinor);
  return { total: money(context, totalIncome(context.current)), categories };
}

function expectedPayment(
  context: InsightsContext,
  payeeKey: string,
  payee: PayeeHistory,
  dueDate: string,
): ExpectedPayment {
  return {
    payeeKey,
    name: payee.name.normalize("NFC"),
    category: payee.category,
    label: label(context, payee.category),
    dueDate,
    amount: money(context, payee.lastAmountMinor, payee.currency),
  };
}

/**
 * Expected dates of a recurring debit from `from` through `to`. A payee with a monthly or longer
 * cadence that was already paid in the month of `from` has none. The profile's next date, one period
 * after the latest payment, already implies this, and the check keeps it true for a next date set
 * any other way.
 */
function unpaidDueDates(payee: PayeeHistory, from: string, to: string): string[] {
  const { cadence, nextDate } = payee;
  if (payee.direction !== "debit" || cadence === undefined || nextDate === undefined) return [];
  const lastPaid = payee.dates.at(-1) ?? "";
  if (MONTHLY_OR_LONGER.has(cadence) && lastPaid.slice(0, 7) === from.slice(0, 7)) return [];
  const dates: string[] = [];
  for (let date = nextDate; date <= to; date = nextExpectedDate(date, cadence)) {
    if (date >= from) dates.push(date);
  }
  return dates;
}

/**
 * Projects spending at the end of the current month. Days are counted in the customer's time zone,
 * today included in the elapsed days.
 *
 * NOTE: a recurring payment in a day-to-day category (a streaming subscription) that was already
 * paid this month is extended at the daily pace like any other spending, so the projection can run
 * slightly high. A one-off large purchase early in the month (a laptop under shopping) is extended
 * the same way and can make it run far too high. A bill expected before today but not yet paid is not added, so a late bill makes
 * it run low.
 */
function buildForecast(context: InsightsContext): SpendingForecast | null {
  if (!context.isCurrentMonth) return null;
  const { input, today, language } = context;
  const month = input.month;
  const monthEnd = lastDayOf(month);
  const daysElapsed = Number(today.slice(8, 10));
  const daysRemaining = daysBetween(today, monthEnd);

  const spentSoFar = totalSpending(context.current);
  const discretionarySoFar = sumMinor(
    [...DISCRETIONARY_CATEGORIES].map((category) => context.current?.spending[category] ?? 0),
  );
  const projectedDiscretionary = scaleMinor(discretionarySoFar, daysRemaining, daysElapsed);

  const recurringPayments = Object.entries(input.profile.payees)
    .filter(([, payee]) => payee.currency === context.currency)
    .flatMap(([payeeKey, payee]) =>
      unpaidDueDates(payee, today, monthEnd).map((date) => expectedPayment(context, payeeKey, payee, date)),
    )
    .sort((left, right) => left.dueDate.localeCompare(right.dueDate) || left.name.localeCompare(right.name));
  const knownRecurring = sumMinor(recurringPayments.map((payment) => payment.amount.amountMinor));
  const projectedTotal = sumMinor([spentSoFar, projectedDiscretionary, knownRecurring]);

  const explanation = input.renderer.text(language, "insights.forecast.explanation", {
    spent: money(context, spentSoFar).formatted,
    discretionary: money(context, discretionarySoFar).formatted,
    daysElapsed,
    daysRemaining,
    recurring: money(context, knownRecurring).formatted,
    projected: money(context, projectedTotal).formatted,
  });
  return {
    method: FORECAST_METHOD,
    asOfDate: today,
    daysElapsed,
    daysRemaining,
    spentSoFar: money(context, spentSoFar),
    discretionarySoFar: money(context, discretionarySoFar),
    projectedDiscretionary: money(context, projectedDiscretionary),
    knownRecurring: money(context, knownRecurring),
    recurringPayments,
    projectedTotal: money(context, projectedTotal),
    explanation,
  };
}

function buildRecurring(context: InsightsContext): RecurringSummary {
  const payees: RecurringPayee[] = [];
  const upcomingBills: UpcomingBill[] = [];
  const horizon = addDays(context.today, UPCOMING_BILL_DAYS);

  for (const [payeeKey, payee] of Object.entries(context.input.profile.payees)) {
    if (payee.cadence === undefined) continue;
    payees.push({
      payeeKey,
      name: payee.name.normalize("NFC"),
      category: payee.category,
      label: label(context, payee.category),
      direction: payee.direction,
      cadence: payee.cadence,
      lastAmount: money(context, payee.lastAmountMinor, payee.currency),
      lastDate: payee.dates.at(-1) ?? "",
      nextDate: payee.nextDate ?? null,
    });
    const due = payee.nextDate;
    if (payee.direction === "debit" && due !== undefined && due >= context.today && due <= horizon) {
      upcomingBills.push({
        ...expectedPayment(context, payeeKey, payee, due),
        daysUntilDue: daysBetween(context.today, due),
      });
    }
  }
  payees.sort(
    (left, right) =>
      (left.nextDate ?? "9999").localeCompare(right.nextDate ?? "9999") ||
      left.name.localeCompare(right.name),
  );
  upcomingBills.sort(
    (left, right) => left.dueDate.localeCompare(right.dueDate) || left.name.localeCompare(right.name),
  );
  return { payees, upcomingBills };
}

/**
 * Suggests cutting back on day-to-day categories at least {@link CATEGORY_INCREASE_PERCENT}% above
 * their average whose spending this month reaches the catalog's `unusualSpendingMinimumMinor`, the
 * same floor as the unusual-spending alert. A currency without that floor gets no suggestion.
 */
function cutBackOpportunities(context: InsightsContext, spending: readonly CategorySpending[]) {
  const minimum = context.input.defaults.unusualSpendingMinimumMinor[context.currency];
  if (minimum === undefined) return [];
  const { renderer, month } = context.input;
  return spending
    .flatMap((row): CutBackOpportunity[] => {
      const { previousAverage: average, changePercent } = row;
      if (!DISCRETIONARY_CATEGORIES.has(row.category) || row.amount.amountMinor < minimum) return [];
      if (average === null || changePercent === null) return [];
      // Compared before rounding, so that a rise of 24.6% does not pass as 25%.
      const threshold = average.amountMinor * (100 + CATEGORY_INCREASE_PERCENT);
      if (row.amount.amountMinor * 100 < threshold) return [];

      const excess = money(context, addMinor(row.amount.amountMinor, -average.amountMinor));
      const params = {
        monthName: monthName(month, context.language),
        category: row.label,
        amount: row.amount.formatted,
        average: average.formatted,
        percent: changePercent,
        excess: excess.formatted,
      };
      return [
        {
          id: `cut_back:${row.category}:${month}`,
          kind: "cut_back",
          title: renderer.text(context.language, "insights.cutBack.heading", params),
          body: renderer.text(context.language, "insights.cutBack.text", params),
          category: row.category,
          label: row.label,
          amount: row.amount,
          previousAverage: average,
          changePercent,
          excess,
        },
      ];
    })
    .sort((left, right) => right.excess.amountMinor - left.excess.amountMinor)
    .slice(0, MAX_CUT_BACK_SUGGESTIONS);
}

/**
 * Adds up recurring debits in entertainment and bills at their monthly cost. A payee counts while
 * its schedule is current: once even the payment after the expected one is overdue, two payments
 * were missed and the service is taken as cancelled.
 */
function subscriptionsOpportunity(context: InsightsContext): SubscriptionsOpportunity | undefined {
  const payees: SubscriptionPayee[] = [];
  for (const [payeeKey, payee] of Object.entries(context.input.profile.payees)) {
    const { cadence, nextDate } = payee;
    if (cadence === undefined || nextDate === undefined) continue;
    if (payee.direction !== "debit" || payee.currency !== context.currency) continue;
    if (!SUBSCRIPTION_CATEGORIES.has(payee.category)) continue;
    if (nextExpectedDate(nextDate, cadence) < context.today) continue;
    const [numerator, denominator] = PAYMENTS_PER_MONTH[cadence];
    payees.push({
      payeeKey,
      name: payee.name.normalize("NFC"),
      category: payee.category,
      cadence,
      monthlyAmount: money(context, scaleMinor(payee.lastAmountMinor, numerator, denominator)),
    });
  }
  if (payees.length === 0) return undefined;
  payees.sort((left, right) => right.monthlyAmount.amountMinor - left.monthlyAmount.amountMinor);

  const monthlyTotal = money(context, sumMinor(payees.map((payee) => payee.monthlyAmount.amountMinor)));
  const params = { total: monthlyTotal.formatted, count: payees.length };
  const { renderer, month } = context.input;
  return {
    id: `review_subscriptions:${month}`,
    kind: "review_subscriptions",
    title: renderer.text(context.language, "insights.subscriptions.heading", params),
    body: renderer.text(context.language, "insights.subscriptions.text", params),
    monthlyTotal,
    payees,
  };
}

/**
 * Suggests a term deposit for the balance above a reserve of the catalog's `idleBalanceSpendingMonths`
 * of average spending, when that surplus reaches the catalog's `idleBalanceMinimumMinor`. It needs at
 * least one previous month of data and a configured minimum for the currency.
 */
function termDepositOpportunity(context: InsightsContext): TermDepositOpportunity | undefined {
  const { defaults, profile, renderer, month } = context.input;
  const minimum = defaults.idleBalanceMinimumMinor[context.currency];
  const averageSpending = averageMinor(context.previous.map(totalSpending));
  if (minimum === undefined || averageSpending === null) return undefined;

  const balance = sumMinor(
    Object.values(profile.accounts)
      .filter((account) => account.currency === context.currency)
      .map((account) => account.balanceMinor),
  );
  // The catalog allows fractional months, so they are applied in thousandths to keep the product exact.
  const reserve = scaleMinor(averageSpending, Math.round(defaults.idleBalanceSpendingMonths * 1000), 1000);
  const suggestedDeposit = addMinor(balance, -reserve);
  if (suggestedDeposit < minimum || suggestedDeposit <= 0) return undefined;

  const params = {
    balance: money(context, balance).formatted,
    months: defaults.idleBalanceSpendingMonths,
    reserve: money(context, reserve).formatted,
    deposit: money(context, suggestedDeposit).formatted,
  };
  return {
    id: `term_deposit:${month}`,
    kind: "term_deposit",
    title: renderer.text(context.language, "insights.termDeposit.heading", params),
    body: renderer.text(context.language, "insights.termDeposit.text", params),
    balance: money(context, balance),
    averageMonthlySpending: money(context, averageSpending),
    reserve: money(context, reserve),
    suggestedDeposit: money(context, suggestedDeposit),
  };
}

/**
 * Suggests saving the average monthly surplus of income over spending, taken over complete months
 * only: the previous months with data, and the requested month when it is past. The surplus must
 * reach {@link MIN_SURPLUS_PERCENT}% of average income.
 */
function saveSurplusOpportunity(context: InsightsContext): SaveSurplusOpportunity | undefined {
  const complete = [...context.previous];
  if (!context.isCurrentMonth && context.current) complete.push(context.current);
  const averageIncome = averageMinor(complete.map(totalIncome));
  const averageSpending = averageMinor(complete.map(totalSpending));
  if (averageIncome === null || averageSpending === null || averageIncome <= 0) return undefined;

  const surplus = addMinor(averageIncome, -averageSpending);
  if (surplus * 100 < MIN_SURPLUS_PERCENT * averageIncome) return undefined;

  const params = {
    income: money(context, averageIncome).formatted,
    spending: money(context, averageSpending).formatted,
    surplus: money(context, surplus).formatted,
  };
  const { renderer, month } = context.input;
  return {
    id: `save_surplus:${month}`,
    kind: "save_surplus",
    title: renderer.text(context.language, "insights.saveSurplus.heading", params),
    body: renderer.text(context.language, "insights.saveSurplus.text", params),
    averageIncome: money(context, averageIncome),
    averageSpending: money(context, averageSpending),
    monthlySurplus: money(context, surplus),
    monthsCompared: complete.length,
  };
}

/**
 * Builds the insights of one month. Raises {@link InvalidMonthError} when the month is not "YYYY-MM"
 * or is later than the customer's current local month.
 */
export function buildInsights(input: InsightsInput): Insights {
  const { month, nowMs, preferences } = input;
  if (!MONTH_KEY.test(month)) throw new InvalidMonthError(month, 'expected "YYYY-MM", such as 2026-11');
  const today = toLocalTime(nowMs, preferences.timeZone).date;
  const currentMonth = today.slice(0, 7);
  if (month > currentMonth) {
    throw new InvalidMonthError(
      month,
      `it is after the current month ${currentMonth} in ${preferences.timeZone}. Request that month or an earlier one`,
    );
  }

  const { currency, others } = chooseMainCurrency(
    input.months,
    [...previousMonthKeys(month), month],
    input.homeCurrency,
  );
  const context: InsightsContext = {
    input,
    language: preferences.language,
    currency,
    today,
    isCurrentMonth: month === currentMonth,
    current: input.months[month]?.[currency],
    previous: previousMonthTotals(input.months, month, currency),
  };

  const spending = buildSpending(context);
  const opportunities: (SavingsOpportunity | undefined)[] = [
    ...cutBackOpportunities(context, spending),
    subscriptionsOpportunity(context),
    termDepositOpportunity(context),
    saveSurplusOpportunity(context),
  ];
  return {
    month,
    currency,
    otherCurrencies: others,
    spendingTotal: money(context, totalSpending(context.current)),
    spending,
    income: buildIncome(context),
    forecast: buildForecast(context),
    recurring: buildRecurring(context),
    savingsOpportunities: opportunities.filter((opportunity) => opportunity !== undefined),
  };
}
