import { data as iso4217 } from "currency-codes";

/**
 * ISO 4217 codes that name no currency an account can be held in: precious metals, the IMF's
 * SDR, bond-market units, the testing code and "no currency". ISO lists their minor unit as
 * "N.A.", which the data package reports as 0.
 */
const NON_ACCOUNT_CODES = new Set([
  "XAG",
  "XAU",
  "XBA",
  "XBB",
  "XBC",
  "XBD",
  "XDR",
  "XPD",
  "XPT",
  "XSU",
  "XTS",
  "XUA",
  "XXX",
]);

/**
 * Minor-unit exponent by active ISO 4217 code (VND 0, USD 2, KWD 3), from the ISO list that the
 * `currency-codes` package publishes. ICU's data, which `Intl` uses, rounds some currencies
 * differently from ISO (IQD has 3 minor digits in ISO), so the exponent comes from ISO.
 */
const EXPONENTS: ReadonlyMap<string, number> = new Map(
  iso4217
    .filter((entry) => !NON_ACCOUNT_CODES.has(entry.code))
    .map((entry) => [entry.code, entry.digits] as const),
);

/** Sorted active ISO 4217 codes accepted as account currencies. */
export const CURRENCY_CODES: readonly string[] = [...EXPONENTS.keys()].sort();

/** Largest amount in minor units that stays exact in a JavaScript number. */
export const MAX_MINOR_UNITS = Number.MAX_SAFE_INTEGER;

const DECIMAL_TEXT = /^(-?)(\d+)(?:\.(\d+))?$/;

export function isCurrencyCode(code: string): boolean {
  return EXPONENTS.has(code);
}

/** Returns the number of minor-unit digits of an ISO 4217 currency, or undefined for unknown codes. */
export function currencyExponent(code: string): number | undefined {
  return EXPONENTS.get(code);
}

/** Why decimal text could not be turned into minor units. */
export type AmountProblem =
  | { kind: "syntax" }
  | { kind: "unknown-currency" }
  | { kind: "too-many-decimals"; decimals: number; exponent: number }
  | { kind: "too-large" };

export type ParsedAmount = { ok: true; minor: number } | { ok: false; problem: AmountProblem };

/**
 * Parses decimal text ("1500000", "12.50", "-3.5") into integer minor units of `currency`
 * without floating-point arithmetic. Trailing zeros beyond the exponent are accepted
 * ("12.500" is 1250 cents); any other extra decimal is a problem, never rounded.
 */
export function parseDecimalToMinor(text: string, currency: string): ParsedAmount {
  const exponent = EXPONENTS.get(currency);
  if (exponent === undefined) return { ok: false, problem: { kind: "unknown-currency" } };

  const match = DECIMAL_TEXT.exec(text);
  if (!match) return { ok: false, problem: { kind: "syntax" } };
  const [, sign = "", whole = "", rawFraction = ""] = match;

  const fraction = rawFraction.replace(/0+$/, "");
  if (fraction.length > exponent) {
    return { ok: false, problem: { kind: "too-many-decimals", decimals: fraction.length, exponent } };
  }

  const digits = `${whole}${fraction.padEnd(exponent, "0")}`.replace(/^0+(?=\d)/, "");
  if (digits.length > 16 || Number(digits) > MAX_MINOR_UNITS) {
    return { ok: false, problem: { kind: "too-large" } };
  }
  const minor = Number(digits);
  return { ok: true, minor: sign === "-" && minor !== 0 ? -minor : minor };
}

/** Formats integer minor units as plain decimal text in major units ("12.50"), the inverse of parsing. */
export function formatMinorAsDecimal(minor: number, currency: string): string {
  const exponent = EXPONENTS.get(currency);
  if (exponent === undefined) throw new RangeError(`Unknown ISO 4217 currency code "${currency}"`);
  if (!Number.isSafeInteger(minor)) throw new RangeError(`Minor units must be a safe integer, got ${minor}`);

  const sign = minor < 0 ? "-" : "";
  const digits = Math.abs(minor)
    .toString()
    .padStart(exponent + 1, "0");
  if (exponent === 0) return `${sign}${digits}`;
  return `${sign}${digits.slice(0, -exponent)}.${digits.slice(-exponent)}`;
}
