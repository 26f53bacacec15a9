import type { Category } from "./categories";
import {
  type CutBackOpportunity,
  type Insights,
  localMonth,
  type MoneyAmount,
  moneyAmount,
  type UpcomingBill,
} from "./insights";
import type { MessageRenderer } from "./messages/render";
import type { OfferRecord } from "./offers";
import type { HomeWidget, Language, Preferences, Theme } from "./preferences";
import type { CustomerProfile } from "./profile";
import { normalizeText } from "./text";
import { toLocalTime } from "./zoned-time";

/**
 * The home screen of `GET /v1/me/home`: a greeting for the customer's local time of day, the layout
 * they chose, the most useful insight and offer, shortcuts learned from their payments, and balances.
 */

/** Part of the day that a greeting names. Only Vietnamese has a greeting for "noon" (buổi trưa). */
export type GreetingPeriod = "morning" | "noon" | "afternoon" | "evening";

/**
 * First local hour of each period, latest first. Hours before the earliest start still count as
 * evening, so 00:00 to 03:59 greets "Chào buổi tối" and "Good evening".
 * Vietnamese: sáng 04:00–10:59, trưa 11:00–12:59, chiều 13:00–17:59, tối 18:00–03:59.
 * English: morning 04:00–11:59, afternoon 12:00–17:59, evening 18:00–03:59.
 */
export const GREETING_PERIOD_STARTS: Readonly<
  Record<Language, readonly (readonly [startHour: number, period: GreetingPeriod])[]>
> = {
  vi: [
    [18, "evening"],
    [13, "afternoon"],
    [11, "noon"],
    [4, "morning"],
  ],
  en: [
    [18, "evening"],
    [12, "afternoon"],
    [4, "morning"],
  ],
};

/** Days ahead, today included as day 0, in which an upcoming bill outranks every other insight. */
export const TOP_BILL_DAYS = 3;

/** Maximum number of shortcuts on the home screen. */
export const MAX_SHORTCUTS = 4;

export interface Greeting {
  readonly period: GreetingPeriod;
  /** "Chào buổi sáng, Lan" or "Good morning", without closing punctuation. */
  readonly text: string;
}

/** A recurring bill due within {@link TOP_BILL_DAYS} days. */
export interface UpcomingBillInsight {
  readonly kind: "upcoming_bill";
  readonly title: string;
  readonly body: string;
  readonly bill: UpcomingBill;
}

/** The day-to-day category that rose most above its average this month. */
export interface CategoryIncreaseInsight {
  readonly kind: "category_increase";
  readonly title: string;
  readonly body: string;
  readonly category: Category;
  readonly label: string;
  readonly amount: MoneyAmount;
  readonly previousAverage: MoneyAmount;
  readonly changePercent: number;
}

export type TopInsight = UpcomingBillInsight | CategoryIncreaseInsight;

/** The fields of an offer that the home screen shows. */
export interface HomeOffer {
  readonly offerId: string;
  readonly productCode: string;
  readonly title: string;
  readonly body: string;
  /** Last local date on which the offer is valid, "YYYY-MM-DD". */
  readonly validUntil: string;
}

/** A one-tap payment to a payee that the customer pays every month. */
export interface PaymentShortcut {
  readonly payeeKey: string;
  /** "Thanh toán lại cho EVN HCMC", "Pay EVN HCMC again". */
  readonly label: string;
  readonly payeeName: string;
  readonly category: Category;
  readonly categoryLabel: string;
  readonly lastAmount: MoneyAmount;
  /** Date of the latest payment, "YYYY-MM-DD". */
  readonly lastDate: string;
}

export interface AccountBalance {
  readonly accountId: string;
  readonly balance: MoneyAmount;
  /** Booking time of the transaction that set the balance, ISO 8601. */
  readonly asOf: string;
}

/** The response of `GET /v1/me/home`. */
export interface Home {
  readonly greeting: Greeting;
  readonly theme: Theme;
  /** Widgets in the order the customer arranged them. */
  readonly layout: readonly HomeWidget[];
  readonly topInsight: TopInsight | null;
  readonly topOffer: HomeOffer | null;
  /** Monthly payees, most recently paid first, at most {@link MAX_SHORTCUTS}. */
  readonly shortcuts: readonly PaymentShortcut[];
  /** Accounts by id. */
  readonly balances: readonly AccountBalance[];
}

export interface HomeInput {
  readonly profile: CustomerProfile;
  /** Insights of the customer's current month, built with the same `nowMs` and preferences. */
  readonly insights: Insights;
  /** Live offers, best first, as the offers ranking returns them. */
  readonly offers: readonly OfferRecord[];
  readonly nowMs: number;
  readonly preferences: Pick<Preferences, "language" | "timeZone" | "theme" | "homeLayout">;
  readonly renderer: MessageRenderer;
  /** Name to greet the customer by. Omitted, empty or blank gives a greeting without a name. */
  readonly displayName?: string | undefined;
}

/** Returns the greeting period of a local hour (0–23) in the language. */
export function greetingPeriod(hour: number, language: Language): GreetingPeriod {
  for (const [startHour, period] of GREETING_PERIOD_STARTS[language]) {
    if (hour >= startHour) return period;
  }
  return "evening";
}

function buildGreeting(input: HomeInput): Greeting {
  const { language, timeZone } = input.preferences;
  const period = greetingPeriod(toLocalTime(input.nowMs, timeZone).hour, language);
  const name = input.displayName === undefined ? "" : normalizeText(input.displayName);
  const text =
    name === ""
      ? input.renderer.text(language, "home.greeting", { period })
      : input.renderer.text(language, "home.greetingWithName", { period, name });
  return { period, text };
}

function upcomingBillInsight(input: HomeInput): UpcomingBillInsight | undefined {
  const bill = input.insights.recurring.upcomingBills.find((entry) => entry.daysUntilDue <= TOP_BILL_DAYS);
  if (!bill) return undefined;
  const { renderer, preferences } = input;
  const params = {
    payee: bill.name,
    amount: bill.amount.formatted,
    days: bill.daysUntilDue,
    dueDate: renderer.date(bill.dueDate, preferences.language),
  };
  return {
    kind: "upcoming_bill",
    title: renderer.text(preferences.language, "home.upcomingBill.heading", params),
    body: renderer.text(preferences.language, "home.upcomingBill.text", params),
    bill,
  };
}

/**
 * Takes the first of the insights' cut-back suggestions: the day-to-day category whose spending rose
 * most above its average, among those past the cut-back threshold and the unusual-spending floor.
 */
function categoryIncreaseInsight(input: HomeInput): CategoryIncreaseInsight | undefined {
  const increase = input.insights.savingsOpportunities.find(
    (opportunity): opportunity is CutBackOpportunity => opportunity.kind === "cut_back",
  );
  if (!increase) return undefined;
  const { renderer, preferences } = input;
  const params = {
    category: increase.label,
    amount: increase.amount.formatted,
    average: increase.previousAverage.formatted,
    percent: increase.changePercent,
  };
  return {
    kind: "category_increase",
    title: renderer.text(preferences.language, "home.categoryIncrease.heading", params),
    body: renderer.text(preferences.language, "home.categoryIncrease.text", params),
    category: increase.category,
    label: increase.label,
    amount: increase.amount,
    previousAverage: increase.previousAverage,
    changePercent: increase.changePercent,
  };
}

/** Takes the first offer still valid on the customer's local date, so an expired one never shows. */
function topOffer(input: HomeInput): HomeOffer | null {
  const today = toLocalTime(input.nowMs, input.preferences.timeZone).date;
  const offer = input.offers.find((candidate) => candidate.validUntil >= today);
  if (!offer) return null;
  return {
    offerId: offer.offerId,
    productCode: offer.productCode,
    title: offer.title,
    body: offer.body,
    validUntil: offer.validUntil,
  };
}

function buildShortcuts(input: HomeInput): PaymentShortcut[] {
  const { renderer, preferences, profile } = input;
  const { language } = preferences;
  return Object.entries(profile.payees)
    .filter(([, payee]) => payee.direction === "debit" && payee.cadence === "monthly")
    .map(([payeeKey, payee]): PaymentShortcut => {
      const payeeName = payee.name.normalize("NFC");
      return {
        payeeKey,
        label: renderer.text(language, "home.shortcut.payAgain", { payee: payeeName }),
        payeeName,
        category: payee.category,
        categoryLabel: renderer.category(payee.category, language),
        lastAmount: moneyAmount(renderer, payee.lastAmountMinor, payee.currency, language),
        lastDate: payee.dates.at(-1) ?? "",
      };
    })
    .sort(
      (left, right) =>
        right.lastDate.localeCompare(left.lastDate) || left.payeeName.localeCompare(right.payeeName),
    )
    .slice(0, MAX_SHORTCUTS);
}

/** Orders identifiers by code point, the same in every locale. */
function compareCodePoints(left: string, right: string): number {
  if (left === right) return 0;
  return left < right ? -1 : 1;
}

function buildBalances(input: HomeInput): AccountBalance[] {
  const { renderer, preferences, profile } = input;
  return Object.entries(profile.accounts)
    .sort(([left], [right]) => compareCodePoints(left, right))
    .map(([accountId, account]) => ({
      accountId,
      balance: moneyAmount(renderer, account.balanceMinor, account.currency, preferences.language),
      asOf: account.balanceAsOf,
    }));
}

/**
 * Builds the home screen. The top insight is an upcoming bill due within {@link TOP_BILL_DAYS} days,
 * else the largest category increase of the month, else null. Raises RangeError when the insights
 * are not those of the customer's current local month.
 */
export function buildHome(input: HomeInput): Home {
  const currentMonth = localMonth(input.nowMs, input.preferences.timeZone);
  if (input.insights.month !== currentMonth) {
    throw new RangeError(
      `buildHome needs the insights of the current month ${currentMonth}, got those of ${input.insights.month}`,
    );
  }
  return {
    greeting: buildGreeting(input),
    theme: input.preferences.theme,
    layout: [...input.preferences.homeLayout],
    topInsight: upcomingBillInsight(input) ?? categoryIncreaseInsight(input) ?? null,
    topOffer: topOffer(input),
    shortcuts: buildShortcuts(input),
    balances: buildBalances(input),
  };
}
