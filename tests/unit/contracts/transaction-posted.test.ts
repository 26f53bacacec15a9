import { describe, expect, it } from "vitest";
import { TransactionPostedSchema } from "../../../lambdas/contracts/transaction-posted";
import {
  CARD_ABROAD,
  CARD_PURCHASE,
  EVENTS_DIR,
  jsonFileNames,
  SALARY,
  sampleEvent,
  USD_TRANSFER,
} from "../sample-events";

interface Issue {
  readonly field: string;
  readonly message: string;
}

/** Validates a sample detail with fields replaced, removing each field set to `undefined`. */
function issuesFor(file: string, changes: Record<string, unknown>): Issue[] {
  const merged = { ...sampleEvent(file).detail, ...changes };
  const detail = Object.fromEntries(Object.entries(merged).filter(([, value]) => value !== undefined));
  const result = TransactionPostedSchema.safeParse(detail);
  if (result.success) return [];
  return result.error.issues.map((issue) => ({ field: issue.path.join("."), message: issue.message }));
}

/** Returns only the fields of the issues, to compare with an expected list. */
function fieldsFor(file: string, changes: Record<string, unknown>): string[] {
  return issuesFor(file, changes).map((issue) => issue.field);
}

describe("TransactionPostedSchema", () => {
  it.each(jsonFileNames(EVENTS_DIR))("parses the detail of %s", (file) => {
    // Prepare
    const { detail } = sampleEvent(file);

    // Act
    const result = TransactionPostedSchema.safeParse(detail);

    // Assess
    expect(result.success).toBe(true);
  });

  it.each([
    "2026-11-03T08:15:42+07:00",
    "2026-11-03T02:15:42Z",
    "2026-11-03T08:15+07:00",
    "2026-11-03T02:15:42.123Z",
    "2026-11-03T02:15:42.123456789Z",
    "2026-11-02T21:15:42-05:00",
    "2024-02-29T10:00:00+07:00",
  ])("accepts the booking time %s", (bookingTime) => {
    // Act
    const fields = fieldsFor(CARD_PURCHASE, { bookingTime });

    // Assess
    expect(fields).toEqual([]);
  });

  it.each([
    "2026-11-03T08:15:42",
    "2026-11-03 08:15:42+07:00",
    "2026-11-03",
    "03/11/2026 08:15",
    "2026-11-03T08:15:42+0700",
    "2026-13-03T08:15:42+07:00",
    "2026-11-32T08:15:42+07:00",
    "2026-11-00T08:15:42+07:00",
    "2026-11-03T25:00:00+07:00",
    "2026-11-03T08:60:00+07:00",
    "2026-02-29T10:00:00+07:00",
    "2026-02-30T10:00:00+07:00",
    "2026-04-31T10:00:00Z",
  ])("rejects the booking time %s", (bookingTime) => {
    // Act
    const fields = fieldsFor(CARD_PURCHASE, { bookingTime });

    // Assess
    expect(fields).toEqual(["bookingTime"]);
  });

  it.each([
    ["VND", "65000.5", "amount"],
    ["VND", "1.00001", "amount"],
    ["USD", "12.345", "amount"],
    ["KWD", "1.2345", "amount"],
  ])("rejects %s amount %s with too many decimals", (currency, amount, field) => {
    // Act
    const issues = issuesFor(CARD_PURCHASE, { currency, amount, balanceAfter: "0" });

    // Assess
    expect(issues.map((issue) => issue.field)).toEqual([field]);
    expect(issues[0]?.message).toContain(`${currency} has`);
  });

  it("rejects a balance with too many decimals", () => {
    // Act
    const issues = issuesFor(USD_TRANSFER, { balanceAfter: "-3400.755" });

    // Assess
    expect(issues.map((issue) => issue.field)).toEqual(["balanceAfter"]);
    expect(issues[0]?.message).toContain("USD has 2");
  });

  it("rejects an original amount with too many decimals for its currency", () => {
    // Act
    const fields = fieldsFor(CARD_ABROAD, { originalAmount: { amount: "890", currency: "THB" } });
    const rejected = fieldsFor(CARD_ABROAD, { originalAmount: { amount: "89.001", currency: "THB" } });

    // Assess
    expect(fields).toEqual([]);
    expect(rejected).toEqual(["originalAmount.amount"]);
  });

  it.each([
    ["the amount", { amount: "9007199254740992" }, "amount"],
    ["the balance", { balanceAfter: "-9007199254740992" }, "balanceAfter"],
  ])("rejects %s beyond the exact range", (_case, changes, field) => {
    // Act
    const issues = issuesFor(CARD_PURCHASE, changes);

    // Assess
    expect(issues.map((issue) => issue.field)).toEqual([field]);
    expect(issues[0]?.message).toContain("larger than");
  });

  it("accepts trailing zeros within the exact range", () => {
    // Act
    const fields = fieldsFor(CARD_PURCHASE, { amount: "65000.000", balanceAfter: "-12435000.0" });

    // Assess
    expect(fields).toEqual([]);
  });

  it.each([
    ["-65000", "amount"],
    ["+65000", "amount"],
    ["65,000", "amount"],
    ["6.5e4", "amount"],
    ["", "amount"],
  ])("rejects the amount %j", (amount, field) => {
    // Act
    const fields = fieldsFor(CARD_PURCHASE, { amount });

    // Assess
    expect(fields).toEqual([field]);
  });

  it("accepts a negative balance", () => {
    // Act
    const fields = fieldsFor(USD_TRANSFER, { balanceAfter: "-250.00" });

    // Assess
    expect(fields).toEqual([]);
  });

  it("asks for a string when the amount is a JSON number", () => {
    // Act
    const issues = issuesFor(CARD_PURCHASE, { amount: 65000 });

    // Assess
    expect(issues.map((issue) => issue.field)).toEqual(["amount"]);
    expect(issues[0]?.message).toContain("JSON number 65000");
  });

  it.each([
    ["a missing amount", { amount: undefined }, "is missing"],
    ["a boolean direction", { direction: true }, "must be"],
  ])("words %s as %j", (_case, changes, start) => {
    // Act
    const issues = issuesFor(CARD_PURCHASE, changes);

    // Assess
    expect(issues).toHaveLength(1);
    expect(issues[0]?.message.startsWith(start)).toBe(true);
  });

  it.each([
    ["an unknown currency", { currency: "XYZ" }, "currency"],
    ["a lower-case currency", { currency: "vnd" }, "currency"],
    ["gold as currency", { currency: "XAU" }, "currency"],
    [
      "an unknown original currency",
      { originalAmount: { amount: "890.00", currency: "XBT" } },
      "originalAmount.currency",
    ],
    ["an unknown direction", { direction: "out" }, "direction"],
    ["an unknown channel", { channel: "wire" }, "channel"],
    ["an MCC of three digits", { merchant: { mcc: "581" } }, "merchant.mcc"],
    ["a lower-case country", { merchant: { country: "vn" } }, "merchant.country"],
    ["a three-letter country", { merchant: { country: "VNM" } }, "merchant.country"],
    ["a lower-case purpose code", { purposeCode: "sala" }, "purposeCode"],
    ["a text card-present flag", { cardPresent: "yes" }, "cardPresent"],
    ["a transaction id with #", { transactionId: "txn#1" }, "transactionId"],
    ["a transaction id of 129 characters", { transactionId: `t${"x".repeat(128)}` }, "transactionId"],
    ["an account id starting with -", { accountId: "-acc" }, "accountId"],
    ["an empty customer id", { customerId: "" }, "customerId"],
    ["a description of 501 characters", { description: "d".repeat(501) }, "description"],
    ["a merchant name of 201 characters", { merchant: { name: "m".repeat(201) } }, "merchant.name"],
  ])("rejects %s", (_case, changes, field) => {
    // Act
    const fields = fieldsFor(CARD_ABROAD, changes);

    // Assess
    expect(fields).toEqual([field]);
  });

  it.each([
    ["a transaction id of 128 characters", { transactionId: `t${"x".repeat(127)}` }],
    ["an id with . _ : / -", { transactionId: "core:2026/11_03.a-1" }],
    ["a description of 500 characters", { description: "d".repeat(500) }],
    ["no optional fields", { merchant: undefined, cardPresent: undefined }],
  ])("accepts %s", (_case, changes) => {
    // Act
    const fields = fieldsFor(CARD_PURCHASE, changes);

    // Assess
    expect(fields).toEqual([]);
  });

  it("reports every problem at once", () => {
    // Act
    const fields = fieldsFor(SALARY, {
      transactionId: undefined,
      amount: "1,5",
      direction: "sideways",
      purposeCode: "SAL",
    });

    // Assess
    expect(fields.sort()).toEqual(["amount", "direction", "purposeCode", "transactionId"]);
  });
});
