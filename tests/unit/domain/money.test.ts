import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  CURRENCY_CODES,
  currencyExponent,
  formatMinorAsDecimal,
  isCurrencyCode,
  MAX_MINOR_UNITS,
  type ParsedAmount,
  parseDecimalToMinor,
} from "../../../lambdas/domain/money";

/** ISO 4217 codes for metals, fund units, testing and "no currency", which no account is held in. */
const NON_ACCOUNT_CODES = [
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
];

/** Returns the minor units of a successful parse and fails the test with the problem otherwise. */
function minorOf(parsed: ParsedAmount): number {
  if (!parsed.ok) throw new Error(`expected an amount, got the problem ${JSON.stringify(parsed.problem)}`);
  return parsed.minor;
}

describe("parseDecimalToMinor", () => {
  it.each([
    ["1500000", "VND", 1_500_000],
    ["0", "VND", 0],
    ["12.50", "USD", 1250],
    ["12.5", "USD", 1250],
    ["12", "USD", 1200],
    ["0.01", "USD", 1],
    ["1.234", "KWD", 1234],
    ["0.001", "KWD", 1],
    ["7", "KWD", 7000],
    ["1.2345", "CLF", 12_345],
    ["1500", "JPY", 1500],
    ["-3.5", "USD", -350],
    ["-250.00", "USD", -25_000],
    ["-1049000", "VND", -1_049_000],
    ["007.10", "USD", 710],
  ])("parses %s %s as %i minor units", (text, currency, minor) => {
    // Act
    const parsed = parseDecimalToMinor(text, currency);

    // Assess
    expect(parsed).toEqual({ ok: true, minor });
  });

  it.each([
    ["1500000.00", "VND", 1_500_000],
    ["12.500", "USD", 1250],
    ["12.5000000", "USD", 1250],
    ["1.2340", "KWD", 1234],
    ["5.000", "JPY", 5],
    ["0.0", "VND", 0],
  ])("accepts trailing zeros in %s %s", (text, currency, minor) => {
    // Act
    const parsed = parseDecimalToMinor(text, currency);

    // Assess
    expect(parsed).toEqual({ ok: true, minor });
  });

  it.each(["-0", "-0.00", "-000"])("returns positive zero for %s", (text) => {
    // Act
    const minor = minorOf(parseDecimalToMinor(text, "USD"));

    // Assess
    expect(Object.is(minor, 0)).toBe(true);
  });

  it.each([
    ["65000.5", "VND", 1, 0],
    ["65000.50", "VND", 1, 0],
    ["0.10", "VND", 1, 0],
    ["12.345", "USD", 3, 2],
    ["12.3450", "USD", 3, 2],
    ["0.001", "USD", 3, 2],
    ["1.2345", "KWD", 4, 3],
    ["-1.005", "USD", 3, 2],
  ])("rejects extra decimals in %s %s", (text, currency, decimals, exponent) => {
    // Act
    const parsed = parseDecimalToMinor(text, currency);

    // Assess
    expect(parsed).toEqual({ ok: false, problem: { kind: "too-many-decimals", decimals, exponent } });
  });

  it.each([
    "",
    "abc",
    "1,000",
    "1.000,50",
    "1 000",
    "1e5",
    " 12",
    "12 ",
    "+12",
    ".5",
    "5.",
    "1.2.3",
    "--1",
    "-",
    "0x10",
    "Infinity",
    "NaN",
    "\u0661\u0662",
  ])("rejects the syntax of %j", (text) => {
    // Act
    const parsed = parseDecimalToMinor(text, "USD");

    // Assess
    expect(parsed).toEqual({ ok: false, problem: { kind: "syntax" } });
  });

  it.each([
    ["9007199254740992", "VND"],
    ["-9007199254740992", "VND"],
    ["12345678901234567", "VND"],
    ["99999999999999999999999", "VND"],
    ["90071992547409.92", "USD"],
    ["9007199254740.992", "KWD"],
    ["90071992547410", "USD"],
  ])("rejects %s %s as too large", (text, currency) => {
    // Act
    const parsed = parseDecimalToMinor(text, currency);

    // Assess
    expect(parsed).toEqual({ ok: false, problem: { kind: "too-large" } });
  });

  it.each([
    ["9007199254740991", "VND", MAX_MINOR_UNITS],
    ["-9007199254740991", "VND", -MAX_MINOR_UNITS],
    ["90071992547409.91", "USD", MAX_MINOR_UNITS],
    ["9007199254740.991", "KWD", MAX_MINOR_UNITS],
    ["0000000000000000000001", "VND", 1],
  ])("accepts %s %s at or below the limit", (text, currency, minor) => {
    // Act
    const parsed = parseDecimalToMinor(text, currency);

    // Assess
    expect(parsed).toEqual({ ok: true, minor });
  });

  it.each([...NON_ACCOUNT_CODES, "XYZ", "vnd", "VN", ""])("rejects the currency code %j", (currency) => {
    // Act
    const parsed = parseDecimalToMinor("1", currency);

    // Assess
    expect(parsed).toEqual({ ok: false, problem: { kind: "unknown-currency" } });
  });

  it("reports an unknown currency before a syntax error", () => {
    // Act
    const parsed = parseDecimalToMinor("abc", "XAU");

    // Assess
    expect(parsed).toEqual({ ok: false, problem: { kind: "unknown-currency" } });
  });
});

describe("currency codes", () => {
  it.each([
    ["VND", 0],
    ["USD", 2],
    ["EUR", 2],
    ["CZK", 2],
    ["THB", 2],
    ["KWD", 3],
    ["IQD", 3],
    ["JPY", 0],
    ["KRW", 0],
    ["XOF", 0],
    ["CLF", 4],
  ])("gives %s an exponent of %i", (currency, exponent) => {
    // Act
    const actual = currencyExponent(currency);

    // Assess
    expect(actual).toBe(exponent);
    expect(isCurrencyCode(currency)).toBe(true);
    expect(CURRENCY_CODES).toContain(currency);
  });

  it.each(NON_ACCOUNT_CODES)("excludes the non-account code %s", (currency) => {
    // Act
    const exponent = currencyExponent(currency);

    // Assess
    expect(exponent).toBeUndefined();
    expect(isCurrencyCode(currency)).toBe(false);
    expect(CURRENCY_CODES).not.toContain(currency);
  });

  it("lists sorted, unique, upper-case codes", () => {
    // Act
    const codes = [...CURRENCY_CODES];

    // Assess
    expect(codes).toEqual([...codes].sort());
    expect(new Set(codes).size).toBe(codes.length);
    for (const code of codes) expect(code).toMatch(/^[A-Z]{3}$/);
  });
});

describe("formatMinorAsDecimal", () => {
  it.each([
    [1250, "USD", "12.50"],
    [5, "USD", "0.05"],
    [-5, "USD", "-0.05"],
    [0, "USD", "0.00"],
    [-25_000, "USD", "-250.00"],
    [1_500_000, "VND", "1500000"],
    [-250, "VND", "-250"],
    [0, "VND", "0"],
    [1234, "KWD", "1.234"],
    [1, "KWD", "0.001"],
    [12_345, "CLF", "1.2345"],
    [MAX_MINOR_UNITS, "USD", "90071992547409.91"],
    [-MAX_MINOR_UNITS, "VND", "-9007199254740991"],
  ])("formats %i %s as %s", (minor, currency, text) => {
    // Act
    const formatted = formatMinorAsDecimal(minor, currency);

    // Assess
    expect(formatted).toBe(text);
  });

  it.each(["XAU", "XXX", "XYZ"])("throws a RangeError for the currency %s", (currency) => {
    // Act
    const format = () => formatMinorAsDecimal(100, currency);

    // Assess
    expect(format).toThrow(RangeError);
    expect(format).toThrow(currency);
  });

  it.each([1.5, Number.NaN, Number.POSITIVE_INFINITY, MAX_MINOR_UNITS + 1])(
    "throws a RangeError for %d minor units",
    (minor) => {
      // Act
      const format = () => formatMinorAsDecimal(minor, "USD");

      // Assess
      expect(format).toThrow(RangeError);
    },
  );

  it.each(CURRENCY_CODES)("round-trips boundary amounts in %s", (currency) => {
    // Prepare
    const exponent = currencyExponent(currency) ?? 0;
    const amounts = [
      0,
      1,
      -1,
      10 ** exponent,
      -(10 ** exponent),
      10 ** exponent - 1,
      MAX_MINOR_UNITS,
      -MAX_MINOR_UNITS,
    ];

    for (const minor of amounts) {
      // Act
      const parsed = parseDecimalToMinor(formatMinorAsDecimal(minor, currency), currency);

      // Assess
      expect(parsed).toEqual({ ok: true, minor });
    }
  });

  it("round-trips any safe integer in any currency", () => {
    // Prepare
    const minorUnits = fc.oneof(fc.integer({ min: -100_000, max: 100_000 }), fc.maxSafeInteger());
    const currencies = fc.constantFrom(...CURRENCY_CODES);

    fc.assert(
      fc.property(minorUnits, currencies, (minor, currency) => {
        // Act
        const text = formatMinorAsDecimal(minor, currency);

        // Assess
        const exponent = currencyExponent(currency) ?? 0;
        expect(text.split(".")[1]?.length ?? 0).toBe(exponent);
        expect(parseDecimalToMinor(text, currency)).toEqual({ ok: true, minor });
      }),
      { numRuns: 2000 },
    );
  });
});
