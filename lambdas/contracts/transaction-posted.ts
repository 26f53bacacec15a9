import * as z from "zod/mini";
import { CURRENCY_CODES, currencyExponent, parseDecimalToMinor } from "../domain/money";

/**
 * `TransactionPosted`: core banking's event for one posted transaction, on the bank's EventBridge
 * bus as the `detail` of an event with detail-type {@link TRANSACTION_POSTED_DETAIL_TYPE}.
 *
 * Versioning: `schemaVersion` is "MAJOR.MINOR". Consumers accept every 1.x; a minor version only
 * adds optional fields, and unknown fields are ignored, so producers can upgrade first. A new
 * major version gets a new schema beside this one.
 */
export const TRANSACTION_POSTED_DETAIL_TYPE = "TransactionPosted";
export const TRANSACTION_POSTED_SCHEMA_VERSION = "1.0";

/** Transaction direction as seen from the customer's account. */
export const DIRECTIONS = ["debit", "credit"] as const;
export type Direction = (typeof DIRECTIONS)[number];

/** Payment method of a transaction. `qr` is a VietQR or other QR-code payment, and `cash` is cash at a branch. */
export const CHANNELS = [
  "card",
  "qr",
  "transfer",
  "bill_payment",
  "direct_debit",
  "standing_order",
  "atm",
  "cash",
  "interest",
  "fee",
  "loan",
  "other",
] as const;
export type Channel = (typeof CHANNELS)[number];

/** Identifier syntax shared by customer, account and transaction ids: no "#", which the storage keys use. */
const IDENTIFIER = /^[A-Za-z0-9][A-Za-z0-9._:/-]{0,127}$/;
const DECIMAL_TEXT = /^\d+(\.\d+)?$/;
const SIGNED_DECIMAL_TEXT = /^-?\d+(\.\d+)?$/;
const ISO_DATETIME_WITH_OFFSET = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:\d{2})$/;

/**
 * Builds a zod error callback: a missing field reads "is missing; send …" and a wrong type
 * reads "must be …", so every reason names what to send instead.
 */
function expected(description: string) {
  return (issue: { input?: unknown }) =>
    issue.input === undefined ? `is missing; send ${description}` : `must be ${description}`;
}

/**
 * True when the fields of an ISO 8601 date-time exist on the calendar: `Date.parse` alone accepts
 * 30 February and rolls it over into March.
 */
function isRealDateTime(text: string): boolean {
  const match =
    /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})(?::(\d{2})(?:\.\d{1,9})?)?(?:Z|[+-](\d{2}):(\d{2}))$/.exec(
      text,
    );
  if (!match) return false;
  const [year, month, day, hour, minute, second, offsetHours, offsetMinutes] = match
    .slice(1)
    .map((part) => (part === undefined ? 0 : Number(part))) as [
    number,
    number,
    number,
    number,
    number,
    number,
    number,
    number,
  ];
  const daysInMonth = new Date(Date.UTC(year, month, 0)).getUTCDate();
  return (
    month >= 1 &&
    month <= 12 &&
    day >= 1 &&
    day <= daysInMonth &&
    hour <= 23 &&
    minute <= 59 &&
    second <= 59 &&
    offsetHours <= 14 &&
    offsetMinutes <= 59
  );
}

function identifier(what: string) {
  return z.string({ error: expected(`a string: the ${what}`) }).check(
    z.regex(IDENTIFIER, {
      error: `must be 1 to 128 letters, digits or . _ : / - starting with a letter or digit: the ${what}`,
    }),
  );
}

function decimalText(signed: boolean, example: string) {
  const pattern = signed ? SIGNED_DECIMAL_TEXT : DECIMAL_TEXT;
  return z
    .string({
      error: (issue) =>
        typeof issue.input === "number"
          ? `must be decimal text such as "${example}", not the JSON number ${issue.input}: a number can lose exactness, so send the amount as a string`
          : expected(`decimal text such as "${example}"`)(issue),
    })
    .check(
      z.regex(pattern, {
        error: `must be decimal text such as "${example}"${signed ? ' or "-250.00"' : ""}, with a dot as the decimal separator and no thousands separators`,
      }),
    );
}

function freeText(maxLength: number) {
  return z
    .string({ error: expected("a string") })
    .check(z.maxLength(maxLength, { error: `must be at most ${maxLength} characters` }));
}

const currencyCode = z.enum(CURRENCY_CODES as [string, ...string[]], {
  error: (issue) =>
    typeof issue.input === "string"
      ? `"${issue.input}" is not an active ISO 4217 currency code; send an upper-case code such as VND, USD or EUR`
      : expected("an ISO 4217 currency code such as VND")(issue),
});

const countryCode = z.string({ error: expected("a string") }).check(
  z.regex(/^[A-Z]{2}$/, {
    error: "must be an ISO 3166-1 alpha-2 country code in upper case, such as VN or TH",
  }),
);

/** Customer id syntax, shared with the API, which takes the id from the caller's token. */
export const CustomerIdSchema = identifier("bank's id of the customer who owns the account");

export const MerchantSchema = z.object({
  name: z.optional(freeText(200)),
  mcc: z.optional(
    z.string({ error: expected('a string of four digits, such as "5411"') }).check(
      z.regex(/^\d{4}$/, {
        error: 'must be an ISO 18245 merchant category code of four digits, such as "5411"',
      }),
    ),
  ),
  country: z.optional(countryCode),
  city: z.optional(freeText(100)),
});

export const CounterpartySchema = z.object({
  name: z.optional(freeText(200)),
  accountNumber: z.optional(freeText(64)),
  bankCode: z.optional(freeText(32)),
});

export const OriginalAmountSchema = z.object({
  amount: decimalText(false, "1200.00"),
  currency: currencyCode,
});

const TransactionPostedShape = z.object(
  {
    schemaVersion: z
      .string({ error: expected(`a string such as "${TRANSACTION_POSTED_SCHEMA_VERSION}"`) })
      .check(
        z.regex(/^1\.\d+$/, {
          error: `must be a 1.x version such as "${TRANSACTION_POSTED_SCHEMA_VERSION}"; this consumer reads major version 1 only`,
        }),
      ),
    transactionId: identifier("bank's unique id of the posted transaction"),
    customerId: CustomerIdSchema,
    accountId: identifier("bank's id of the account"),
    bookingTime: z
      .string({ error: expected('an ISO 8601 date-time with offset, such as "2026-11-03T09:15:00+07:00"') })
      .check(
        z.regex(ISO_DATETIME_WITH_OFFSET, {
          error:
            'must be an ISO 8601 date-time with offset, such as "2026-11-03T09:15:00+07:00" or "2026-11-03T02:15:00Z"',
          abort: true,
        }),
        z.refine(isRealDateTime, { error: "must be a real calendar date and time" }),
      ),
    amount: decimalText(false, "1500000"),
    currency: currencyCode,
    direction: z.enum(DIRECTIONS, { error: expected('"debit" (money out) or "credit" (money in)') }),
    balanceAfter: decimalText(true, "1500000"),
    channel: z.enum(CHANNELS, { error: expected(`one of ${CHANNELS.join(", ")}`) }),
    merchant: z.optional(MerchantSchema),
    counterparty: z.optional(CounterpartySchema),
    description: z.optional(freeText(500)),
    purposeCode: z.optional(
      z.string({ error: expected("a string") }).check(
        z.regex(/^[A-Z]{4}$/, {
          error: 'must be an ISO 20022 purpose code of four upper-case letters, such as "SALA"',
        }),
      ),
    ),
    originalAmount: z.optional(OriginalAmountSchema),
    cardPresent: z.optional(
      z.boolean({
        error: expected(
          "true when the card or phone was at the merchant's terminal, false for online payments",
        ),
      }),
    ),
  },
  { error: expected("a JSON object with the TransactionPosted fields") },
);

/** Problems that need two fields: decimals beyond the currency's exponent. */
function checkDecimalsAgainstCurrency(
  field: "amount" | "balanceAfter" | "originalAmount.amount",
  text: string,
  currency: string,
  issues: z.core.$ZodRawIssue[],
  input: unknown,
): void {
  const exponent = currencyExponent(currency);
  if (exponent === undefined) return;
  const parsed = parseDecimalToMinor(text, currency);
  if (parsed.ok) return;
  const path = field.split(".");
  if (parsed.problem.kind === "too-many-decimals") {
    const { decimals } = parsed.problem;
    const allowed = exponent === 0 ? "whole units" : `at most ${exponent} decimal places`;
    issues.push({
      code: "custom",
      path,
      input,
      message: `has ${decimals} decimal ${decimals === 1 ? "place" : "places"} but ${currency} has ${exponent}; send ${allowed}, already rounded by the core banking system`,
    });
  } else if (parsed.problem.kind === "too-large") {
    issues.push({
      code: "custom",
      path,
      input,
      message: `is larger than ${Number.MAX_SAFE_INTEGER} minor units of ${currency}, the largest exact amount this service stores`,
    });
  }
}

/** The contract with its cross-field checks: this is the schema every consumer validates with. */
export const TransactionPostedSchema = TransactionPostedShape.check(
  z.superRefine((detail, context) => {
    checkDecimalsAgainstCurrency("amount", detail.amount, detail.currency, context.issues, detail);
    checkDecimalsAgainstCurrency(
      "balanceAfter",
      detail.balanceAfter,
      detail.currency,
      context.issues,
      detail,
    );
    if (detail.originalAmount) {
      checkDecimalsAgainstCurrency(
        "originalAmount.amount",
        detail.originalAmount.amount,
        detail.originalAmount.currency,
        context.issues,
        detail,
      );
    }
  }),
);

export type TransactionPosted = z.infer<typeof TransactionPostedSchema>;

/** JSON Schema (draft 2020-12) of the contract for producers; cross-field checks are described in prose. */
export function transactionPostedJsonSchema(): Record<string, unknown> {
  const schema = z.toJSONSchema(TransactionPostedShape, { target: "draft-2020-12", io: "input" });
  return {
    ...schema,
    $id: `urn:bank-personalization:events:${TRANSACTION_POSTED_DETAIL_TYPE}:${TRANSACTION_POSTED_SCHEMA_VERSION}`,
    title: TRANSACTION_POSTED_DETAIL_TYPE,
    description:
      "The detail of a TransactionPosted event. Amounts are decimal text in major units of `currency` " +
      "and may not carry more decimals than the currency's ISO 4217 minor unit (VND 0, USD 2, KWD 3). " +
      "Unknown fields are ignored.",
  };
}
