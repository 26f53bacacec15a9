import { createHash } from "node:crypto";
import type { Channel, Direction, TransactionPosted } from "../contracts/transaction-posted";
import type { Category } from "./categories";
import { type CategorySource, categorize } from "./categorize";
import { parseDecimalToMinor } from "./money";
import { DEFAULT_TIME_ZONE } from "./preferences";
import { foldForMatching, normalizeText } from "./text";
import { toLocalTime } from "./zoned-time";

/**
 * A validated transaction in the form the domain works with: amounts as integer minor units,
 * free text in NFC, the category assigned, and the payee identified for recurring-payment detection.
 */
export interface PostedTransaction {
  readonly transactionId: string;
  readonly customerId: string;
  readonly accountId: string;
  /** Booking time exactly as published, with the bank's offset. */
  readonly bookingTime: string;
  readonly bookedAtMs: number;
  /**
   * Calendar date of the booking in the bank's time zone (the statement date), whatever offset the
   * producer wrote: "2026-11-30T20:00:00Z" is 1 December in Vietnam.
   */
  readonly bookingDate: string;
  /** "YYYY-MM" of {@link bookingDate}: the month whose aggregates the transaction counts in. */
  readonly month: string;
  /** Always positive; {@link direction} gives the sign. */
  readonly amountMinor: number;
  readonly currency: string;
  readonly direction: Direction;
  readonly balanceAfterMinor: number;
  readonly channel: Channel;
  readonly category: Category;
  readonly categorySource: CategorySource;
  readonly merchantName?: string;
  readonly merchantCountry?: string;
  /**
   * True when the customer had to be at the merchant (ATM, cash, a card at a terminal), and false for
   * remote payments. Travel detection counts only the former.
   */
  readonly inPerson: boolean;
  readonly mcc?: string;
  readonly description?: string;
  readonly originalAmount?: { readonly amountMinor: number; readonly currency: string };
  readonly payee?: Payee;
  /** Digest of the fields that define the transaction, to tell a true duplicate from a changed re-publish. */
  readonly fingerprint: string;
}

/** The other party of a payment, keyed by a digest so that account numbers never appear in keys. */
export interface Payee {
  readonly key: string;
  readonly name: string;
}

/** Channels whose payments are tracked per payee for recurring-payment detection: bills, rent, salaries. */
const PAYEE_CHANNELS: ReadonlySet<Channel> = new Set([
  "transfer",
  "bill_payment",
  "direct_debit",
  "standing_order",
  "loan",
]);

/**
 * Card and QR payments are tracked only in these categories or at subscription merchants, because
 * everyday shops and cafés would otherwise crowd the payees out of the profile.
 */
const RECURRING_CARD_CATEGORIES: ReadonlySet<Category> = new Set([
  "bills_utilities",
  "housing",
  "insurance",
  "loans",
  "education",
]);

/** MCCs of subscriptions and other remote merchants: streaming, digital goods, telecom, direct marketing. */
const SUBSCRIPTION_MCCS: ReadonlySet<string> = new Set([
  "4814",
  "4816",
  "4899",
  "5815",
  "5816",
  "5817",
  "5818",
  "5968",
  "7997",
]);
const REMOTE_MCCS: ReadonlySet<string> = new Set([
  ...SUBSCRIPTION_MCCS,
  "4829",
  "5964",
  "5965",
  "5966",
  "5967",
  "5969",
]);

function digest(text: string, hexLength: number): string {
  return createHash("sha256").update(text).digest("hex").slice(0, hexLength);
}

function optionalText(text: string | undefined): string | undefined {
  if (text === undefined) return undefined;
  const normalized = normalizeText(text);
  return normalized === "" ? undefined : normalized;
}

function tracksPayee(detail: TransactionPosted, category: Category): boolean {
  if (PAYEE_CHANNELS.has(detail.channel)) return true;
  if (detail.channel !== "card" && detail.channel !== "qr") return false;
  return RECURRING_CARD_CATEGORIES.has(category) || SUBSCRIPTION_MCCS.has(detail.merchant?.mcc ?? "");
}

function isInPerson(detail: TransactionPosted): boolean {
  switch (detail.channel) {
    case "atm":
    case "cash":
      return true;
    case "card":
    case "qr":
      return detail.cardPresent ?? !REMOTE_MCCS.has(detail.merchant?.mcc ?? "");
    default:
      return false;
  }
}

function identifyPayee(
  detail: TransactionPosted,
  category: Category,
  merchantName: string | undefined,
): Payee | undefined {
  if (!tracksPayee(detail, category)) return undefined;
  const counterpartyName = optionalText(detail.counterparty?.name);
  const accountNumber = optionalText(detail.counterparty?.accountNumber);

  if (accountNumber) {
    const bankCode = optionalText(detail.counterparty?.bankCode) ?? "";
    const lastDigits = accountNumber.slice(-4);
    return {
      key: `a${digest(`${detail.direction}|${bankCode}|${accountNumber}`, 12)}`,
      name: counterpartyName ?? merchantName ?? `${bankCode ? `${bankCode} ` : ""}···${lastDigits}`,
    };
  }
  // Without a counterparty, the description names the payee ("Mortgage Payment"). Digits are left out
  // of the key because references and dates in descriptions change from one payment to the next.
  const name = merchantName ?? counterpartyName ?? optionalText(detail.description);
  if (!name) return undefined;
  const matchable = foldForMatching(name).replace(/\d+/g, " ").replace(/\s+/g, " ").trim();
  return { key: `n${digest(`${detail.direction}|${matchable}`, 12)}`, name };
}

function toMinor(text: string, currency: string, field: string): number {
  const parsed = parseDecimalToMinor(text, currency);
  // The contract's schema already rejected anything that fails here, so this is a programming error.
  if (!parsed.ok) throw new RangeError(`${field} "${text}" is not a valid ${currency} amount`);
  return parsed.minor;
}

/** Converts a validated `TransactionPosted` detail into the domain form. */
export function toPostedTransaction(
  detail: TransactionPosted,
  bankTimeZone: string = DEFAULT_TIME_ZONE,
): PostedTransaction {
  const merchantName = optionalText(detail.merchant?.name);
  const counterpartyName = optionalText(detail.counterparty?.name);
  const description = optionalText(detail.description);
  const amountMinor = toMinor(detail.amount, detail.currency, "amount");
  const balanceAfterMinor = toMinor(detail.balanceAfter, detail.currency, "balanceAfter");
  const { category, source } = categorize({
    direction: detail.direction,
    channel: detail.channel,
    purposeCode: detail.purposeCode,
    mcc: detail.merchant?.mcc,
    merchantName,
    counterpartyName,
    description,
  });
  const payee = identifyPayee(detail, category, merchantName);
  const bookedAtMs = Date.parse(detail.bookingTime);
  const bookingDate = toLocalTime(bookedAtMs, bankTimeZone).date;

  return {
    transactionId: detail.transactionId,
    customerId: detail.customerId,
    accountId: detail.accountId,
    bookingTime: detail.bookingTime,
    bookedAtMs,
    bookingDate,
    month: bookingDate.slice(0, 7),
    amountMinor,
    currency: detail.currency,
    direction: detail.direction,
    balanceAfterMinor,
    channel: detail.channel,
    category,
    categorySource: source,
    ...(merchantName && { merchantName }),
    ...(detail.merchant?.country && { merchantCountry: detail.merchant.country }),
    inPerson: isInPerson(detail),
    ...(detail.merchant?.mcc && { mcc: detail.merchant.mcc }),
    ...(description && { description }),
    ...(detail.originalAmount && {
      originalAmount: {
        amountMinor: toMinor(
          detail.originalAmount.amount,
          detail.originalAmount.currency,
          "originalAmount.amount",
        ),
        currency: detail.originalAmount.currency,
      },
    }),
    ...(payee && { payee }),
    fingerprint: digest(
      [
        detail.customerId,
        detail.accountId,
        detail.bookingTime,
        amountMinor,
        detail.currency,
        detail.direction,
        balanceAfterMinor,
      ].join("|"),
      16,
    ),
  };
}
