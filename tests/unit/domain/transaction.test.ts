import { describe, expect, it } from "vitest";
import { TransactionPostedSchema } from "../../../lambdas/contracts/transaction-posted";
import { toPostedTransaction } from "../../../lambdas/domain/transaction";
import {
  BILL_PAYMENT,
  CARD_ABROAD,
  CARD_PURCHASE,
  SALARY,
  sampleDetail,
  sampleEvent,
  samplePosted,
  USD_TRANSFER,
} from "../sample-events";

describe("toPostedTransaction", () => {
  it("converts the card purchase sample", () => {
    // Prepare
    const detail = TransactionPostedSchema.parse(sampleEvent(CARD_PURCHASE).detail);

    // Act
    const transaction = toPostedTransaction(detail);

    // Assess
    expect(transaction).toMatchObject({
      transactionId: "txn-20261103-000123",
      customerId: "cust-0001",
      accountId: "acc-0001-vnd",
      bookingTime: "2026-11-03T08:15:42+07:00",
      bookedAtMs: Date.parse("2026-11-03T01:15:42Z"),
      bookingDate: "2026-11-03",
      month: "2026-11",
      amountMinor: 65_000,
      currency: "VND",
      direction: "debit",
      balanceAfterMinor: 12_435_000,
      channel: "card",
      category: "food_drink",
      categorySource: "merchant",
      merchantName: "Highlands Coffee",
      merchantCountry: "VN",
      inPerson: true,
      mcc: "5814",
    });
    expect(transaction.fingerprint).toMatch(/^[0-9a-f]{16}$/);
  });

  it.each([
    [CARD_PURCHASE, 65_000, 12_435_000],
    [SALARY, 28_500_000, 40_935_000],
    [USD_TRANSFER, 125_050, 340_075],
  ])("converts the amounts of %s to minor units", (file, amountMinor, balanceAfterMinor) => {
    // Act
    const transaction = samplePosted(file);

    // Assess
    expect(transaction.amountMinor).toBe(amountMinor);
    expect(transaction.balanceAfterMinor).toBe(balanceAfterMinor);
  });

  it("converts the original amount to its own minor units", () => {
    // Act
    const transaction = samplePosted(CARD_ABROAD);

    // Assess
    expect(transaction.originalAmount).toEqual({ amountMinor: 89_000, currency: "THB" });
    expect(transaction.amountMinor).toBe(676_000);
  });

  it("keeps a negative balance negative", () => {
    // Act
    const transaction = samplePosted(USD_TRANSFER, { balanceAfter: "-12.30" });

    // Assess
    expect(transaction.balanceAfterMinor).toBe(-1230);
  });

  it.each([
    ["2026-11-30T23:30:00+07:00", "2026-11-30", "2026-11"],
    ["2026-12-01T00:30:00+07:00", "2026-12-01", "2026-12"],
    ["2026-11-30T20:00:00Z", "2026-12-01", "2026-12"],
    ["2026-11-30T20:00:00-05:00", "2026-12-01", "2026-12"],
    ["2026-12-31T16:59:59Z", "2026-12-31", "2026-12"],
    ["2026-12-31T17:00:00Z", "2027-01-01", "2027-01"],
    ["2027-01-01T06:00:00+07:00", "2027-01-01", "2027-01"],
  ])("dates %s on %s in month %s in Vietnam", (bookingTime, bookingDate, month) => {
    // Act
    const transaction = samplePosted(CARD_PURCHASE, { bookingTime });

    // Assess
    expect(transaction.bookingDate).toBe(bookingDate);
    expect(transaction.month).toBe(month);
    expect(transaction.bookedAtMs).toBe(Date.parse(bookingTime));
  });

  it("dates by the bank's time zone when given", () => {
    const detail = sampleDetail(CARD_PURCHASE, { bookingTime: "2026-11-30T23:30:00Z" });

    expect(toPostedTransaction(detail, "Europe/Prague").bookingDate).toBe("2026-12-01");
    expect(toPostedTransaction(detail, "America/New_York").bookingDate).toBe("2026-11-30");
  });

  it("normalizes the merchant name to NFC", () => {
    // Prepare
    const merchant = { name: "  Phu\u0301c   Long\tCoffee ", mcc: "5814", country: "VN" };

    // Act
    const transaction = samplePosted(CARD_PURCHASE, { merchant });

    // Assess
    expect(transaction.merchantName).toBe("Ph\u00fac Long Coffee");
    expect(transaction.category).toBe("food_drink");
  });

  it("normalizes the description to NFC", () => {
    // Act
    const transaction = samplePosted(SALARY, { description: "Lu\u031bo\u031bng tha\u0301ng 10" });

    // Assess
    expect(transaction.description).toBe("L\u01b0\u01a1ng th\u00e1ng 10");
  });

  it("drops a blank merchant name and description", () => {
    // Act
    const transaction = samplePosted(CARD_PURCHASE, {
      merchant: { name: " \t ", mcc: "5814" },
      description: "\u0000 ",
    });

    // Assess
    expect(transaction).not.toHaveProperty("merchantName");
    expect(transaction).not.toHaveProperty("description");
    expect(transaction).not.toHaveProperty("merchantCountry");
  });

  it.each([
    ["the salary transfer", SALARY, {}],
    ["the bill payment", BILL_PAYMENT, {}],
    ["the USD transfer", USD_TRANSFER, {}],
    ["a standing order", SALARY, { channel: "standing_order", direction: "debit", purposeCode: "RENT" }],
    ["a direct debit", BILL_PAYMENT, { channel: "direct_debit" }],
    ["a loan repayment", BILL_PAYMENT, { channel: "loan", purposeCode: undefined }],
    [
      "a Netflix card payment under MCC 4899",
      CARD_PURCHASE,
      { merchant: { name: "Netflix", mcc: "4899", country: "NL" }, cardPresent: undefined },
    ],
    [
      "a card payment under a subscription MCC",
      CARD_PURCHASE,
      { merchant: { name: "Cua hang ABC", mcc: "5815" }, cardPresent: false },
    ],
    [
      "a card payment for an electricity bill",
      CARD_PURCHASE,
      { merchant: { name: "EVN HCMC", mcc: "4900" }, cardPresent: false },
    ],
  ])("identifies the payee of %s", (_case, file, changes) => {
    // Act
    const transaction = samplePosted(file, changes);

    // Assess
    expect(transaction.payee?.key).toMatch(/^[an][0-9a-f]{12}$/);
    expect(transaction.payee?.name).not.toBe("");
  });

  it.each([
    ["a caf\u00e9 card payment", CARD_PURCHASE, {}],
    ["a card payment abroad", CARD_ABROAD, {}],
    [
      "a supermarket QR payment",
      CARD_PURCHASE,
      { channel: "qr", merchant: { name: "WinMart", mcc: "5411" } },
    ],
    ["an ATM withdrawal", CARD_PURCHASE, { channel: "atm", merchant: { name: "ATM VCB", mcc: "6011" } }],
    ["an interest credit", SALARY, { channel: "interest", purposeCode: "INTE" }],
  ])("tracks no payee for %s", (_case, file, changes) => {
    // Act
    const transaction = samplePosted(file, changes);

    // Assess
    expect(transaction).not.toHaveProperty("payee");
  });

  it("keys the salary payer without its account number", () => {
    // Act
    const transaction = samplePosted(SALARY);

    // Assess
    expect(transaction.payee?.name).toBe("CONG TY TNHH PHAN MEM SAO VIET");
    expect(transaction.payee?.key).toMatch(/^a[0-9a-f]{12}$/);
    expect(transaction.payee?.key).not.toContain("0071000123456");
    expect(transaction.payee?.key).not.toContain("123456");
  });

  it("names an unnamed counterparty by bank and last four digits", () => {
    // Prepare
    const counterparty = { bankCode: "VCB", accountNumber: "0071000123456" };

    // Act
    const transaction = samplePosted(SALARY, { counterparty });

    // Assess
    expect(transaction.payee?.name).toBe("VCB \u00b7\u00b7\u00b73456");
    expect(transaction.payee?.name).not.toContain("0071000123456");
    expect(transaction.payee?.key).not.toContain("0071000123456");
  });

  it("keys a counterparty account by bank, number and direction", () => {
    // Prepare
    const counterparty = { name: "Nguyen Van A", bankCode: "VCB", accountNumber: "0071000123456" };
    const renamed = { ...counterparty, name: "NGUYEN VAN A (ME)" };

    // Act
    const credit = samplePosted(SALARY, { counterparty });
    const creditRenamed = samplePosted(SALARY, { counterparty: renamed });
    const otherBank = samplePosted(SALARY, { counterparty: { ...counterparty, bankCode: "TCB" } });
    const debit = samplePosted(SALARY, { counterparty, direction: "debit" });

    // Assess
    expect(creditRenamed.payee?.key).toBe(credit.payee?.key);
    expect(otherBank.payee?.key).not.toBe(credit.payee?.key);
    expect(debit.payee?.key).not.toBe(credit.payee?.key);
  });

  it("gives one payee key to the same name in any spelling", () => {
    // Act
    const composed = samplePosted(BILL_PAYMENT, {
      counterparty: { name: "EVN HCMC - Ti\u1ec1n \u0111i\u1ec7n" },
    });
    const decomposed = samplePosted(BILL_PAYMENT, {
      counterparty: { name: "EVN HCMC Tie\u0300n \u0111ie\u0323\u0302n" },
    });
    const ascii = samplePosted(BILL_PAYMENT, { counterparty: { name: "evn hcmc tien dien" } });

    // Assess
    expect(composed.payee?.name).toBe("EVN HCMC - Ti\u1ec1n \u0111i\u1ec7n");
    expect(decomposed.payee?.key).toBe(composed.payee?.key);
    expect(ascii.payee?.key).toBe(composed.payee?.key);
  });

  it("names the payee by description when no party is named", () => {
    // Prepare
    const changes = { counterparty: undefined, purposeCode: undefined, channel: "direct_debit" };

    // Act
    const october = samplePosted(BILL_PAYMENT, { ...changes, description: "Mortgage Payment 10/2026" });
    const november = samplePosted(BILL_PAYMENT, { ...changes, description: "Mortgage Payment 11/2026" });

    // Assess
    expect(october.payee?.name).toBe("Mortgage Payment 10/2026");
    expect(november.payee?.key).toBe(october.payee?.key);
  });

  it.each([
    ["an ATM withdrawal", { channel: "atm", cardPresent: undefined }, true],
    ["cash at a branch", { channel: "cash", cardPresent: undefined, merchant: undefined }, true],
    ["a card at a terminal", {}, true],
    ["a card without the flag", { cardPresent: undefined }, true],
    ["an online card payment", { cardPresent: false }, false],
    [
      "a card at MCC 4899 without the flag",
      { cardPresent: undefined, merchant: { name: "Netflix", mcc: "4899", country: "NL" } },
      false,
    ],
    [
      "a card at a mail-order MCC without the flag",
      { cardPresent: undefined, merchant: { name: "Shop", mcc: "5969" } },
      false,
    ],
    [
      "a card at MCC 4899 flagged present",
      { cardPresent: true, merchant: { name: "VTVcab", mcc: "4899" } },
      true,
    ],
    ["a QR payment without the flag", { channel: "qr", cardPresent: undefined }, true],
    ["a transfer", { channel: "transfer", cardPresent: undefined }, false],
    ["a transfer flagged present", { channel: "transfer", cardPresent: true }, false],
  ])("marks %s as in person: %s", (_case, changes, inPerson) => {
    // Act
    const transaction = samplePosted(CARD_PURCHASE, changes);

    // Assess
    expect(transaction.inPerson).toBe(inPerson);
  });

  it("gives identical content the same fingerprint", () => {
    // Act
    const first = samplePosted(CARD_PURCHASE);
    const second = samplePosted(CARD_PURCHASE);

    // Assess
    expect(second.fingerprint).toBe(first.fingerprint);
  });

  it.each([
    ["amount", { amount: "65001" }],
    ["balance", { balanceAfter: "12434999" }],
    ["booking time", { bookingTime: "2026-11-03T08:15:43+07:00" }],
    ["direction", { direction: "credit" }],
    ["account", { accountId: "acc-0002-vnd" }],
  ])("changes the fingerprint when the %s differs", (_field, changes) => {
    // Act
    const original = samplePosted(CARD_PURCHASE);
    const changed = samplePosted(CARD_PURCHASE, changes);

    // Assess
    expect(changed.fingerprint).not.toBe(original.fingerprint);
  });

  it("keeps the fingerprint when the amount is written differently", () => {
    // Act
    const original = samplePosted(USD_TRANSFER);
    const padded = samplePosted(USD_TRANSFER, { amount: "1250.500", balanceAfter: "03400.75" });

    // Assess
    expect(padded.fingerprint).toBe(original.fingerprint);
  });
});
