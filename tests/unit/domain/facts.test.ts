import { describe, expect, it } from "vitest";
import { defaultPreferences, type Preferences } from "../../../lambdas/domain/preferences";
import { emptyProfile } from "../../../lambdas/domain/profile";
import { defaultRuleSet } from "../../../lambdas/domain/rules/default-catalog";
import { type DuePayment, paymentDueFacts } from "../../../lambdas/domain/rules/facts";
import type { PostedTransaction } from "../../../lambdas/domain/transaction";
import { CARD_ABROAD, CARD_PURCHASE, SALARY, samplePosted, USD_TRANSFER } from "../sample-events";
import {
  CUSTOMER_ID,
  cardPayment,
  electricityBill,
  evaluate,
  profileOf,
  shoppingPayment,
} from "./rule-fixtures";

const DEFAULTS = defaultRuleSet().catalog.defaults;

/** Returns default preferences with customer thresholds in minor units by currency. */
function withThresholds(
  lowBalance: Record<string, number>,
  largeTransaction: Record<string, number> = {},
): Preferences {
  return { ...defaultPreferences(), thresholds: { lowBalance, largeTransaction } };
}

/** Builds `count` card payments of `amount` dong, one a day from 1 October 2026. */
function octoberDebits(count: number, amount: string): PostedTransaction[] {
  return Array.from({ length: count }, (_, index) =>
    shoppingPayment(
      `txn-oct-${index + 1}`,
      `2026-10-${String(index + 1).padStart(2, "0")}T10:00:00+07:00`,
      amount,
      "90000000",
    ),
  );
}

/** Builds a café payment of `amount` dong on `date`. */
function cafePayment(transactionId: string, date: string, amount: string): PostedTransaction {
  return cardPayment(transactionId, `${date}T12:00:00+07:00`, amount, "20000000");
}

/** Builds a supermarket payment of `amount` dong on `date`, which counts as groceries. */
function supermarketPayment(transactionId: string, date: string, amount: string): PostedTransaction {
  return cardPayment(transactionId, `${date}T18:00:00+07:00`, amount, "20000000", {
    merchant: { name: "Co.opmart", mcc: "5411", country: "VN" },
  });
}

describe("transactionFacts", () => {
  it("describes a café card payment", () => {
    // Prepare
    const payment = samplePosted(CARD_PURCHASE);

    // Act
    const { facts } = evaluate(payment);

    // Assess
    expect(facts.transaction).toEqual({
      direction: "debit",
      amountMinor: 65_000,
      currency: "VND",
      category: "food_drink",
      channel: "card",
      isForeign: false,
      inPerson: true,
      merchantCountry: "VN",
      balanceAfterMinor: 12_435_000,
      balanceBeforeMinor: 12_500_000,
      isLatestBalance: true,
      isDiscretionary: true,
      hasForeignCurrency: false,
      isRecurringPayee: false,
    });
    expect(facts.account).toEqual({ balanceMinor: 12_435_000 });
    expect(facts.payment).toBeUndefined();
  });

  it.each<[string, PostedTransaction, number]>([
    ["a debit", cardPayment("txn-1", "2026-11-03T08:00:00+07:00", "200000", "400000"), 600_000],
    ["an overdrawing debit", cardPayment("txn-1", "2026-11-03T08:00:00+07:00", "500000", "-100000"), 400_000],
    ["a credit", samplePosted(SALARY), 12_435_000],
  ])("derives the balance before %s", (_case, transaction, balanceBefore) => {
    // Act
    const { facts } = evaluate(transaction);

    // Assess
    expect(facts.transaction?.balanceBeforeMinor).toBe(balanceBefore);
  });

  it("marks an older event's balance as not latest", () => {
    // Prepare
    const before = profileOf([cardPayment("txn-2", "2026-11-03T09:00:00+07:00", "65000", "2000000")]);
    const older = cardPayment("txn-1", "2026-11-03T08:00:00+07:00", "65000", "2065000");

    // Act
    const { facts } = evaluate(older, before);

    // Assess
    expect(facts.transaction?.isLatestBalance).toBe(false);
    expect(facts.transaction?.balanceAfterMinor).toBe(2_065_000);
    expect(facts.account?.balanceMinor).toBe(2_000_000);
  });

  it("marks a newer event's balance as latest", () => {
    // Prepare
    const before = profileOf([cardPayment("txn-1", "2026-11-03T08:00:00+07:00", "65000", "2065000")]);
    const newer = cardPayment("txn-2", "2026-11-03T09:00:00+07:00", "65000", "2000000");

    // Act
    const { facts } = evaluate(newer, before);

    // Assess
    expect(facts.transaction?.isLatestBalance).toBe(true);
    expect(facts.account?.balanceMinor).toBe(2_000_000);
  });

  describe("thresholds", () => {
    it("takes the catalog's defaults for VND", () => {
      // Act
      const { facts } = evaluate(samplePosted(CARD_PURCHASE));

      // Assess
      expect(facts.thresholds).toEqual({
        lowBalanceMinor: 500_000,
        largeTransactionMinor: 10_000_000,
        unusualSpendingRatio: 1.5,
        unusualSpendingMinimumMinor: 1_000_000,
        instalmentMinimumMinor: 5_000_000,
        idleBalanceMinor: 100_000_000,
        incomeMinimumMinor: 3_000_000,
      });
    });

    it("takes the catalog's defaults for USD", () => {
      // Act
      const { facts } = evaluate(samplePosted(USD_TRANSFER));

      // Assess
      expect(facts.thresholds).toEqual({
        lowBalanceMinor: 5000,
        largeTransactionMinor: 100_000,
        unusualSpendingRatio: 1.5,
        unusualSpendingMinimumMinor: 10_000,
        instalmentMinimumMinor: 50_000,
        idleBalanceMinor: 500_000,
        incomeMinimumMinor: 50_000,
      });
    });

    it("prefers the customer's thresholds", () => {
      // Prepare
      const preferences = withThresholds({ VND: 2_000_000 }, { VND: 3_000_000 });

      // Act
      const { facts } = evaluate(samplePosted(CARD_PURCHASE), undefined, preferences);

      // Assess
      expect(facts.thresholds?.lowBalanceMinor).toBe(2_000_000);
      expect(facts.thresholds?.largeTransactionMinor).toBe(3_000_000);
    });

    it("ignores thresholds of another currency", () => {
      // Prepare
      const preferences = withThresholds({ USD: 20_000 }, { USD: 300_000 });

      // Act
      const { facts } = evaluate(samplePosted(CARD_PURCHASE), undefined, preferences);

      // Assess
      expect(facts.thresholds?.lowBalanceMinor).toBe(500_000);
      expect(facts.thresholds?.largeTransactionMinor).toBe(10_000_000);
    });

    it("leaves a currency without defaults unknown", () => {
      // Prepare
      const payment = samplePosted(CARD_PURCHASE, {
        currency: "JPY",
        amount: "1500",
        balanceAfter: "100000",
      });

      // Act
      const { facts } = evaluate(payment);

      // Assess
      expect(facts.thresholds).toEqual({
        lowBalanceMinor: Number.NaN,
        largeTransactionMinor: Number.NaN,
        unusualSpendingRatio: 1.5,
        unusualSpendingMinimumMinor: Number.NaN,
        instalmentMinimumMinor: Number.NaN,
        idleBalanceMinor: Number.NaN,
        incomeMinimumMinor: Number.NaN,
      });
    });

    it("uses a customer threshold for a currency without defaults", () => {
      // Prepare
      const payment = samplePosted(CARD_PURCHASE, {
        currency: "JPY",
        amount: "1500",
        balanceAfter: "100000",
      });

      // Act
      const { facts } = evaluate(payment, undefined, withThresholds({ JPY: 10_000 }));

      // Assess
      expect(facts.thresholds?.lowBalanceMinor).toBe(10_000);
    });

    it.each<[string, number, string, number]>([
      ["10 debits of 3 000 000", 10, "3000000", 15_000_000],
      ["12 debits of 2 500 000", 12, "2500000", 12_500_000],
      ["10 debits of 1 000 000", 10, "1000000", 10_000_000],
      ["9 debits of 3 000 000", 9, "3000000", 10_000_000],
    ])("sets the large amount after %s", (_case, count, amount, threshold) => {
      // Prepare
      const before = profileOf(octoberDebits(count, amount));
      const payment = cafePayment("txn-now", "2026-11-03", "65000");

      // Act
      const { facts } = evaluate(payment, before);

      // Assess
      expect(facts.thresholds?.largeTransactionMinor).toBe(threshold);
    });

    it("counts only debits before the transaction", () => {
      // Prepare
      const before = profileOf(octoberDebits(9, "3000000"));
      const payment = shoppingPayment("txn-now", "2026-11-03T10:00:00+07:00", "3000000", "60000000");

      // Act
      const { facts } = evaluate(payment, before);

      // Assess
      expect(facts.customer?.debitCount).toBe(9);
      expect(facts.customer?.averageDebitMinor).toBe(3_000_000);
      expect(facts.thresholds?.largeTransactionMinor).toBe(10_000_000);
    });

    it("counts only debits in the currency", () => {
      // Prepare
      const usdDebits = Array.from({ length: 10 }, (_, index) =>
        samplePosted(USD_TRANSFER, {
          transactionId: `txn-usd-${index}`,
          bookingTime: `2026-10-${String(index + 1).padStart(2, "0")}T10:00:00Z`,
          direction: "debit",
        }),
      );
      const before = profileOf(usdDebits);

      // Act
      const { facts } = evaluate(cafePayment("txn-now", "2026-11-03", "65000"), before);

      // Assess
      expect(facts.customer?.debitCount).toBe(0);
      expect(facts.customer?.averageDebitMinor).toBeNaN();
      expect(facts.thresholds?.largeTransactionMinor).toBe(10_000_000);
    });

    it("keeps the customer's large amount despite history", () => {
      // Prepare
      const before = profileOf(octoberDebits(10, "3000000"));
      const preferences = withThresholds({}, { VND: 2_000_000 });

      // Act
      const { facts } = evaluate(cafePayment("txn-now", "2026-11-03", "65000"), before, preferences);

      // Assess
      expect(facts.thresholds?.largeTransactionMinor).toBe(2_000_000);
    });

    it("raises the idle balance with monthly spending", () => {
      // Prepare
      const before = profileOf([
        shoppingPayment("txn-sep", "2026-09-10T10:00:00+07:00", "40000000", "300000000"),
        shoppingPayment("txn-oct", "2026-10-10T10:00:00+07:00", "80000000", "220000000"),
      ]);

      // Act
      const { facts } = evaluate(cafePayment("txn-now", "2026-11-03", "65000"), before);

      // Assess
      expect(facts.customer?.averageMonthlySpendingMinor).toBe(60_000_000);
      expect(facts.thresholds?.idleBalanceMinor).toBe(180_000_000);
    });
  });

  describe("category", () => {
    it("compares the month with the trailing average", () => {
      // Prepare
      const before = profileOf([
        cafePayment("txn-aug", "2026-08-10", "1000000"),
        cafePayment("txn-sep", "2026-09-10", "1000000"),
        cafePayment("txn-oct", "2026-10-10", "1000000"),
        cafePayment("txn-nov-1", "2026-11-10", "1000000"),
      ]);

      // Act
      const { facts } = evaluate(cafePayment("txn-nov-2", "2026-11-20", "600000"), before);

      // Assess
      expect(facts.category).toEqual({
        monthToDateMinor: 1_600_000,
        previousMonthToDateMinor: 1_000_000,
        trailingAverageMinor: 1_000_000,
        trailingMonths: 3,
        spendingRatio: 1.6,
        previousSpendingRatio: 1,
      });
    });

    it("counts a month without the category as zero", () => {
      // Prepare
      const before = profileOf([
        cafePayment("txn-aug", "2026-08-10", "1000000"),
        supermarketPayment("txn-sep", "2026-09-10", "900000"),
        cafePayment("txn-oct", "2026-10-10", "2000000"),
      ]);

      // Act
      const { facts } = evaluate(cafePayment("txn-nov", "2026-11-20", "3000000"), before);

      // Assess
      expect(facts.category?.trailingMonths).toBe(3);
      expect(facts.category?.trailingAverageMinor).toBe(1_000_000);
      expect(facts.category?.spendingRatio).toBe(3);
      expect(facts.category?.previousSpendingRatio).toBe(0);
    });

    it("averages only the months the profile has", () => {
      // Prepare
      const before = profileOf([cafePayment("txn-oct", "2026-10-10", "800000")]);

      // Act
      const { facts } = evaluate(cafePayment("txn-nov", "2026-11-20", "400000"), before);

      // Assess
      expect(facts.category?.trailingMonths).toBe(1);
      expect(facts.category?.trailingAverageMinor).toBe(800_000);
      expect(facts.category?.spendingRatio).toBe(0.5);
    });

    it("leaves ratios unknown without history", () => {
      // Act
      const { facts } = evaluate(cafePayment("txn-nov", "2026-11-20", "600000"));

      // Assess
      expect(facts.category).toEqual({
        monthToDateMinor: 600_000,
        previousMonthToDateMinor: 0,
        trailingAverageMinor: Number.NaN,
        trailingMonths: 0,
        spendingRatio: Number.NaN,
        previousSpendingRatio: Number.NaN,
      });
    });

    it("leaves the month unchanged by a credit", () => {
      // Prepare
      const before = profileOf([cafePayment("txn-oct", "2026-10-10", "800000")]);

      // Act
      const { facts } = evaluate(samplePosted(SALARY), before);

      // Assess
      expect(facts.category?.monthToDateMinor).toBe(0);
      expect(facts.category?.previousMonthToDateMinor).toBe(0);
    });
  });

  describe("payee", () => {
    it.each([
      ["the first bill", 0, false],
      ["the third bill", 2, false],
      ["the fourth bill", 3, true],
    ])("marks %s recurring or not", (_case, earlierBills, recurring) => {
      // Prepare
      const dates = ["2026-08-12", "2026-09-12", "2026-10-12", "2026-11-12"];
      const bills = dates.map((date, index) => electricityBill(`txn-bill-${index}`, date));
      const before = profileOf(bills.slice(0, earlierBills));
      const bill = bills[earlierBills] as PostedTransaction;

      // Act
      const { facts } = evaluate(bill, before);

      // Assess
      expect(facts.transaction?.isRecurringPayee).toBe(recurring);
    });

    it("marks a payment without payee as not recurring", () => {
      // Prepare
      const before = profileOf([
        electricityBill("txn-bill-1", "2026-08-12"),
        electricityBill("txn-bill-2", "2026-09-12"),
        electricityBill("txn-bill-3", "2026-10-12"),
      ]);

      // Act
      const { facts } = evaluate(samplePosted(CARD_PURCHASE), before);

      // Assess
      expect(facts.transaction?.isRecurringPayee).toBe(false);
    });
  });

  describe("customer", () => {
    it("relates income to monthly spending", () => {
      // Prepare
      const before = profileOf([
        shoppingPayment("txn-sep", "2026-09-10T10:00:00+07:00", "10000000", "30000000"),
        shoppingPayment("txn-oct", "2026-10-10T10:00:00+07:00", "20000000", "10000000"),
      ]);

      // Act
      const { facts } = evaluate(samplePosted(SALARY), before);

      // Assess
      expect(facts.customer?.averageMonthlySpendingMinor).toBe(15_000_000);
      expect(facts.customer?.spendingToIncomeRatio).toBeCloseTo(15_000_000 / 28_500_000, 12);
    });

    it("leaves the income ratio unknown without history", () => {
      // Act
      const { facts } = evaluate(samplePosted(SALARY));

      // Assess
      expect(facts.customer?.averageMonthlySpendingMinor).toBeNaN();
      expect(facts.customer?.spendingToIncomeRatio).toBeNaN();
    });

    it("leaves the income ratio unknown for a debit", () => {
      // Prepare
      const before = profileOf([
        shoppingPayment("txn-oct", "2026-10-10T10:00:00+07:00", "20000000", "10000000"),
      ]);

      // Act
      const { facts } = evaluate(cafePayment("txn-nov", "2026-11-05", "65000"), before);

      // Assess
      expect(facts.customer?.spendingToIncomeRatio).toBeNaN();
    });

    it("leaves the income ratio unknown for a credit that is not income", () => {
      // Prepare
      const before = profileOf([
        shoppingPayment("txn-oct", "2026-10-10T10:00:00+07:00", "20000000", "10000000"),
      ]);
      const refund = samplePosted(USD_TRANSFER, {
        currency: "VND",
        amount: "500000",
        balanceAfter: "10500000",
      });

      // Act
      const { facts } = evaluate(refund, before);

      // Assess
      expect(facts.transaction?.category).not.toBe("income");
      expect(facts.customer?.spendingToIncomeRatio).toBeNaN();
    });

    it("describes a first card payment abroad", () => {
      // Act
      const { facts } = evaluate(samplePosted(CARD_ABROAD));

      // Assess
      expect(facts.transaction).toMatchObject({
        isForeign: true,
        inPerson: true,
        merchantCountry: "TH",
        hasForeignCurrency: true,
      });
      expect(facts.customer).toMatchObject({ transactionCount: 1, travelling: true, tripStarted: true });
    });

    it("keeps a trip going without starting it again", () => {
      // Prepare
      const before = profileOf([samplePosted(CARD_ABROAD)]);
      const nextDay = samplePosted(CARD_ABROAD, {
        transactionId: "txn-20261115-001012",
        bookingTime: "2026-11-15T12:30:00+07:00",
      });

      // Act
      const { facts } = evaluate(nextDay, before);

      // Assess
      expect(facts.customer).toMatchObject({ transactionCount: 2, travelling: true, tripStarted: false });
    });

    it("treats a payment without a merchant country as domestic", () => {
      // Prepare
      const online = cardPayment("txn-1", "2026-11-03T08:00:00+07:00", "65000", "1000000", {
        merchant: { name: "Shopee", mcc: "5311" },
        cardPresent: false,
      });

      // Act
      const { facts } = evaluate(online);

      // Assess
      expect(facts.transaction?.isForeign).toBe(false);
      expect(facts.transaction?.merchantCountry).toBe("");
      expect(facts.customer?.travelling).toBe(false);
    });
  });
});

describe("paymentDueFacts", () => {
  const bill: DuePayment = {
    payeeKey: "n50f1a54e8c88",
    name: "EVN HCMC - Tiền điện",
    category: "bills_utilities",
    currency: "VND",
    amountMinor: 1_049_000,
    dueDate: "2026-11-12",
  };

  it("describes the payment with the customer's lead time", () => {
    // Prepare
    const preferences = { ...defaultPreferences(), paymentReminderLeadDays: 5 };

    // Act
    const facts = paymentDueFacts(bill, 2, emptyProfile(CUSTOMER_ID), preferences, DEFAULTS);

    // Assess
    expect(facts.payment).toEqual({
      daysUntilDue: 2,
      leadDays: 5,
      amountMinor: 1_049_000,
      currency: "VND",
      category: "bills_utilities",
    });
    expect(facts.transaction).toBeUndefined();
    expect(facts.thresholds?.lowBalanceMinor).toBe(500_000);
  });

  it("averages spending before the newest month", () => {
    // Prepare
    const profile = profileOf([
      electricityBill("txn-sep", "2026-09-12", { amount: "1000000" }),
      electricityBill("txn-oct", "2026-10-12", { amount: "3000000" }),
      electricityBill("txn-nov", "2026-11-12", { amount: "9000000" }),
    ]);

    // Act
    const facts = paymentDueFacts(bill, 3, profile, defaultPreferences(), DEFAULTS);

    // Assess
    expect(facts.customer?.averageMonthlySpendingMinor).toBe(2_000_000);
    expect(facts.customer?.transactionCount).toBe(3);
    expect(facts.customer?.tripStarted).toBe(false);
  });
});
