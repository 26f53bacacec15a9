/**
 * Calendar arithmetic on ISO dates ("YYYY-MM-DD") and months ("YYYY-MM"), done in UTC so that
 * no local time zone or daylight-saving shift can move a date.
 */

const MS_PER_DAY = 86_400_000;

function dateToUtcMs(date: string): number {
  return Date.UTC(Number(date.slice(0, 4)), Number(date.slice(5, 7)) - 1, Number(date.slice(8, 10)));
}

function utcMsToDate(ms: number): string {
  return new Date(ms).toISOString().slice(0, 10);
}

/** Whole days from `from` to `to`; negative when `to` is earlier. */
export function daysBetween(from: string, to: string): number {
  return Math.round((dateToUtcMs(to) - dateToUtcMs(from)) / MS_PER_DAY);
}

export function addDays(date: string, days: number): string {
  return utcMsToDate(dateToUtcMs(date) + days * MS_PER_DAY);
}

/** Adds calendar months, keeping the day of the month or clamping it to the last day (31 Jan + 1 = 28/29 Feb). */
export function addMonthsClamped(date: string, months: number): string {
  const year = Number(date.slice(0, 4));
  const monthIndex = Number(date.slice(5, 7)) - 1 + months;
  const day = Number(date.slice(8, 10));
  const lastDay = new Date(Date.UTC(year, monthIndex + 1, 0)).getUTCDate();
  return utcMsToDate(Date.UTC(year, monthIndex, Math.min(day, lastDay)));
}

/** Months since year 0 for a "YYYY-MM" key, so that month distances are plain subtraction. */
export function monthIndex(month: string): number {
  return Number(month.slice(0, 4)) * 12 + Number(month.slice(5, 7)) - 1;
}

export function monthFromIndex(index: number): string {
  const year = Math.floor(index / 12);
  const month = (index % 12) + 1;
  return `${String(year).padStart(4, "0")}-${String(month).padStart(2, "0")}`;
}

export function addMonths(month: string, months: number): string {
  return monthFromIndex(monthIndex(month) + months);
}
