import type { Direction } from "../contracts/transaction-posted";
import { addDays, addMonthsClamped, daysBetween } from "./calendar";
import type { Category } from "./categories";

/** How often a recurring payment repeats. */
export type Cadence = "weekly" | "fortnightly" | "monthly" | "quarterly" | "yearly";

/** Interval bands in days; every interval between the kept dates must fall in one band. */
const CADENCE_BANDS: ReadonlyArray<readonly [cadence: Cadence, minDays: number, maxDays: number]> = [
  ["weekly", 6, 8],
  ["fortnightly", 13, 16],
  ["monthly", 26, 35],
  ["quarterly", 85, 97],
  ["yearly", 355, 375],
];

/** Distinct payment dates kept per payee: enough for three intervals. */
export const PAYEE_DATES_KEPT = 4;

/** Payments needed before a payee counts as recurring (two intervals that agree). */
export const MIN_OCCURRENCES = 3;

/** History of the payments to one payee, or from one payer, kept in the profile. */
export interface PayeeHistory {
  readonly name: string;
  readonly category: Category;
  readonly direction: Direction;
  readonly currency: string;
  /** Latest distinct booking dates, ascending, at most {@link PAYEE_DATES_KEPT}. */
  readonly dates: readonly string[];
  /** Amount of the latest-dated payment, in minor units. */
  readonly lastAmountMinor: number;
  readonly cadence?: Cadence;
  /** Expected date of the next payment, set once a cadence is detected. */
  readonly nextDate?: string;
}

export interface PaymentObservation {
  readonly name: string;
  readonly category: Category;
  readonly direction: Direction;
  readonly currency: string;
  readonly date: string;
  readonly amountMinor: number;
}

/**
 * Returns the cadence shared by the intervals between the dates, or undefined when they disagree.
 * An interval of two periods counts as one missed payment, so a skipped month does not hide a
 * monthly bill, but at least one interval must be a single period.
 */
export function detectCadence(dates: readonly string[]): Cadence | undefined {
  if (dates.length < MIN_OCCURRENCES) return undefined;
  const intervals: number[] = [];
  for (let index = 1; index < dates.length; index += 1) {
    intervals.push(daysBetween(dates[index - 1] as string, dates[index] as string));
  }
  for (const [cadence, minDays, maxDays] of CADENCE_BANDS) {
    const single = (days: number) => days >= minDays && days <= maxDays;
    const double = (days: number) => days >= 2 * minDays && days <= 2 * maxDays;
    if (intervals.every((days) => single(days) || double(days)) && intervals.some(single)) return cadence;
  }
  return undefined;
}

/** Expected next date after `lastDate`: the same day of the month for calendar cadences, clamped to month end. */
export function nextExpectedDate(lastDate: string, cadence: Cadence): string {
  switch (cadence) {
    case "weekly":
      return addDays(lastDate, 7);
    case "fortnightly":
      return addDays(lastDate, 14);
    case "monthly":
      return addMonthsClamped(lastDate, 1);
    case "quarterly":
      return addMonthsClamped(lastDate, 3);
    case "yearly":
      return addMonthsClamped(lastDate, 12);
  }
}

/**
 * True when the payment should replace the payee's latest one: a later date, or on the same date a
 * larger amount (then the name), so that same-day payments give one result in any arrival order.
 */
function supersedes(payment: PaymentObservation, history: PayeeHistory | undefined): boolean {
  const latest = history?.dates.at(-1);
  if (history === undefined || latest === undefined || payment.date > latest) return true;
  if (payment.date < latest) return false;
  if (payment.amountMinor !== history.lastAmountMinor) return payment.amountMinor > history.lastAmountMinor;
  return payment.name > history.name;
}

/**
 * Records one payment in a payee's history. The result depends only on the set of payments seen, not
 * on their arrival order, except that a payment older than every kept date is ignored once
 * {@link PAYEE_DATES_KEPT} dates are kept. Two payments on one day count as one date.
 */
export function recordPayment(history: PayeeHistory | undefined, payment: PaymentObservation): PayeeHistory {
  const latest = supersedes(payment, history) ? payment : undefined;
  const dates = [...new Set([...(history?.dates ?? []), payment.date])].sort().slice(-PAYEE_DATES_KEPT);
  const cadence = detectCadence(dates);

  return {
    name: latest?.name ?? (history as PayeeHistory).name,
    category: latest?.category ?? (history as PayeeHistory).category,
    direction: payment.direction,
    currency: latest?.currency ?? (history as PayeeHistory).currency,
    dates,
    lastAmountMinor: latest?.amountMinor ?? (history as PayeeHistory).lastAmountMinor,
    ...(cadence && { cadence, nextDate: nextDateAfter(dates, cadence) }),
  };
}

/**
 * Next expected date after the kept dates. A monthly bill paid on the last day of the month keeps
 * to month ends: after 31 January and 28 February the next date is 31 March, not 28 March.
 */
function nextDateAfter(dates: readonly string[], cadence: Cadence): string {
  const lastDate = dates.at(-1) as string;
  const isMonthEnd = addDays(lastDate, 1).slice(8, 10) === "01";
  if (!isMonthEnd || cadence === "weekly" || cadence === "fortnightly")
    return nextExpectedDate(lastDate, cadence);
  const preferredDay = Math.max(...dates.map((date) => Number(date.slice(8, 10))));
  const preferred = `${lastDate.slice(0, 8)}${String(preferredDay).padStart(2, "0")}`;
  return nextExpectedDate(preferred, cadence);
}
