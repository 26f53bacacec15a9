import fc from "fast-check";
import { describe, expect, it } from "vitest";
import type { Category } from "../../../lambdas/domain/categories";
import {
  buildContextTips,
  type ContextTipsInput,
  ceilDivideMinor,
  type ForeignFeeSettings,
  INSTALMENT_TERMS,
  InvalidPlannedTransactionError,
  type PlannedTransaction,
} from "../../../lambdas/domain/context-tips";
import { MessageRenderer } from "../../../lambdas/domain/messages/render";
import type { Language } from "../../../lambdas/domain/preferences";
import {
  type AccountState,
  type CustomerProfile,
  emptyProfile,
  type MonthAggregate,
  type MonthTotals,
} from "../../../lambdas/domain/profile";
import { defaultRuleSet } from "../../../lambdas/domain/rules/default-catalog";

const renderer = new MessageRenderer();
const { defaults } = defaultRuleSet().catalog;

const VIETNAM = "Asia/Ho_Chi_Minh";
const NEW_YORK = "America/New_York";

/** 10:00 in Vietnam on 20 November 2026. */
const NOW = Date.parse("2026-11-20T10:00:00+07:00");

const FOREIGN_FEES: ForeignFeeSettings = {
  feePercent: 2.5,
  exchangeRateSource: {
    vi: "tỷ giá bán của Vietcombank tại thời điểm thanh toán",
    en: "Vietcombank's selling rate at settlement",
  },
};

/** Replaces the no-break spaces that `Intl` puts in amounts with plain spaces, for readable expectations. */
function spaced(text: string): string {
  return text.replace(/[\u00a0\u202f]/gu, " ");
}

function totals(spending: Partial<Record<Category, number>>): MonthTotals {
  return { spending, income: {}, debitCount: Object.keys(spending).length, creditCount: 0 };
}

/**
 * Food and drink at 1,800,000, 2,000,000 and 2,200,000 ₫ from August to October, an average of
 * 2,000,000 ₫, and at 1,500,000 ₫ so far in November. Shopping is 4,000,000 ₫ in October only.
 */
function sampleMonths(): Record<string, MonthAggregate> {
  return {
    "2026-08": { VND: totals({ food_drink: 1_800_000 }) },
    "2026-09": { VND: totals({ food_drink: 2_000_000 }) },
    "2026-10": {
      VND: totals({ food_drink: 2_200_000, shopping: 4_000_000 }),
      USD: totals({ shopping: 20_000 }),
    },
    "2026-11": { VND: totals({ food_drink: 1_500_000 }) },
  };
}

function account(currency: string, balanceMinor: number): AccountState {
  return { currency, balanceMinor, balanceAsOf: "2026-11-19T12:00:00+07:00", balanceTransactionId: "txn-1" };
}

function sampleProfile(): CustomerProfile {
  return {
    ...emptyProfile("cust-0001"),
    accounts: { "acc-vnd": account("VND", 60_000_000), "acc-usd": account("USD", 500_000) },
  };
}

const COFFEE: PlannedTransaction = {
  amountMinor: 85_000,
  currency: "VND",
  merchantName: "Highlands Coffee",
  mcc: "5814",
  country: "VN",
};

const LAPTOP: PlannedTransaction = {
  amountMinor: 25_000_001,
  currency: "VND",
  merchantName: "Điện Máy Xanh",
  mcc: "5732",
  country: "VN",
};

const BANGKOK_DINNER: PlannedTransaction = {
  amountMinor: 150_000,
  currency: "THB",
  merchantName: "Somtum Der",
  mcc: "5812",
  country: "TH",
};

function sampleInput(
  transaction: PlannedTransaction,
  changes: Partial<Omit<ContextTipsInput, "transaction">> = {},
): ContextTipsInput {
  return {
    transaction,
    profile: sampleProfile(),
    months: sampleMonths(),
    nowMs: NOW,
    preferences: { language: "vi", timeZone: VIETNAM },
    renderer,
    homeCountry: "VN",
    foreignFees: FOREIGN_FEES,
    defaults,
    ...changes,
  };
}

function english(transaction: PlannedTransaction): ContextTipsInput {
  return sampleInput(transaction, { preferences: { language: "en", timeZone: VIETNAM } });
}

/** Collects every string in a JSON-like value. */
function strings(value: unknown): string[] {
  if (typeof value === "string") return [value];
  if (Array.isArray(value)) return value.flatMap(strings);
  if (value !== null && typeof value === "object") return Object.values(value).flatMap(strings);
  return [];
}

describe("ceilDivideMinor", () => {
  it.each([
    [25_000_001, 6, 4_166_667],
    [25_000_001, 12, 2_083_334],
    [24_000_000, 12, 2_000_000],
    [5_000_000, 6, 833_334],
    [123_457, 6, 20_577],
    [123_457, 12, 10_289],
    [1, 12, 1],
    [0, 6, 0],
    [Number.MAX_SAFE_INTEGER, 6, 1_501_199_875_790_166],
    [Number.MAX_SAFE_INTEGER, 12, 750_599_937_895_083],
  ])("divides %d into %d parts as %d", (amount, parts, expected) => {
    // Act
    const share = ceilDivideMinor(amount, parts);

    // Assess
    expect(share).toBe(expected);
  });

  it("sums back to at least the amount", () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: Number.MAX_SAFE_INTEGER }),
        fc.integer({ min: 1, max: 60 }),
        (amount, parts) => {
          // Compare in BigInt, because the product may pass the largest safe integer.
          const total = BigInt(ceilDivideMinor(amount, parts)) * BigInt(parts);
          expect(total >= BigInt(amount)).toBe(true);
          expect(total - BigInt(amount) < BigInt(parts)).toBe(true);
        },
      ),
      { numRuns: 5_000 },
    );
  });
});

describe("buildContextTips", () => {
  describe("category", () => {
    it.each<[PlannedTransaction, Category]>([
      [COFFEE, "food_drink"],
      [LAPTOP, "shopping"],
      [BANGKOK_DINNER, "food_drink"],
      [{ amountMinor: 1_000_000, currency: "VND", mcc: "5411" }, "groceries"],
      [
        { amountMinor: 1_000_000, currency: "VND", merchantName: "Nhà thuốc Long Châu".normalize("NFD") },
        "health",
      ],
      [{ amountMinor: 1_000_000, currency: "VND" }, "shopping"],
      [{ amountMinor: 1_000_000, currency: "VND", channel: "transfer" }, "transfers"],
    ])("files %j under %s", (transaction, expected) => {
      // Act
      const tips = buildContextTips(sampleInput(transaction));

      // Assess
      expect(tips.category).toBe(expected);
    });
  });

  describe("budget impact", () => {
    it("compares the month with the average", () => {
      // Act
      const { budgetImpact } = buildContextTips(sampleInput(COFFEE));

      // Assess
      // 1,500,000 + 85,000 = 1,585,000, which is 79.25% of 2,000,000.
      expect(budgetImpact?.category).toBe("food_drink");
      expect(budgetImpact?.label).toBe("ăn uống");
      expect(budgetImpact?.monthToDate.amountMinor).toBe(1_500_000);
      expect(budgetImpact?.afterPayment.amountMinor).toBe(1_585_000);
      expect(budgetImpact?.previousAverage?.amountMinor).toBe(2_000_000);
      expect(budgetImpact?.percentOfAverage).toBe(79);
    });

    it("words the impact in Vietnamese", () => {
      // Act
      const { budgetImpact } = buildContextTips(sampleInput(COFFEE));

      // Assess
      expect(budgetImpact?.title).toBe("Chi tiêu cho ăn uống tháng này");
      expect(spaced(budgetImpact?.body ?? "")).toBe(
        "Sau giao dịch này, tổng chi tiêu cho ăn uống trong tháng của bạn sẽ là 1.585.000 ₫, bằng 79% " +
          "mức trung bình 2.000.000 ₫ của các tháng trước.",
      );
    });

    it("words the impact in English", () => {
      // Act
      const { budgetImpact } = buildContextTips(english(COFFEE));

      // Assess
      expect(budgetImpact?.title).toBe("Spending on food and drink this month");
      expect(budgetImpact?.body).toBe(
        "After this payment, you'll have spent ₫1,585,000 on food and drink this month, 79% of your " +
          "average of ₫2,000,000 in previous months.",
      );
    });

    it("averages a category absent in some months as zero", () => {
      // Act
      const { budgetImpact } = buildContextTips(sampleInput(LAPTOP));

      // Assess
      // Shopping at 0, 0 and 4,000,000 ₫ averages 1,333,333 ₫, and 25,000,001 is 1875% of it.
      expect(budgetImpact?.monthToDate.amountMinor).toBe(0);
      expect(budgetImpact?.afterPayment.amountMinor).toBe(25_000_001);
      expect(budgetImpact?.previousAverage?.amountMinor).toBe(1_333_333);
      expect(budgetImpact?.percentOfAverage).toBe(1875);
      expect(spaced(budgetImpact?.body ?? "")).toContain("bằng 1.875% mức trung bình 1.333.333 ₫");
    });

    it("gives a null average without previous months", () => {
      // Prepare
      const months = { "2026-11": sampleMonths()["2026-11"] ?? {} };

      // Act
      const { budgetImpact } = buildContextTips(sampleInput(COFFEE, { months }));

      // Assess
      expect(budgetImpact?.previousAverage).toBeNull();
      expect(budgetImpact?.percentOfAverage).toBeNull();
      expect(spaced(budgetImpact?.body ?? "")).toBe(
        "Sau giao dịch này, tổng chi tiêu cho ăn uống trong tháng của bạn sẽ là 1.585.000 ₫.",
      );
    });

    it("gives no percent of a zero average", () => {
      // Prepare
      const groceries: PlannedTransaction = { amountMinor: 400_000, currency: "VND", mcc: "5411" };

      // Act
      const { budgetImpact } = buildContextTips(english(groceries));

      // Assess
      expect(budgetImpact?.previousAverage?.amountMinor).toBe(0);
      expect(budgetImpact?.percentOfAverage).toBeNull();
      expect(budgetImpact?.body).toBe(
        "After this payment, you'll have spent ₫400,000 on groceries this month.",
      );
    });

    it("uses the month of the customer's zone", () => {
      // Prepare
      // 18:00 UTC on 30 November: December in Vietnam, still November in New York.
      const nowMs = Date.parse("2026-11-30T18:00:00Z");
      const months = { ...sampleMonths(), "2026-12": { VND: totals({ food_drink: 100_000 }) } };

      // Act
      const inVietnam = buildContextTips(sampleInput(COFFEE, { nowMs, months }));
      const inNewYork = buildContextTips(
        sampleInput(COFFEE, { nowMs, months, preferences: { language: "vi", timeZone: NEW_YORK } }),
      );

      // Assess
      // December compares with September to November: (2,000,000 + 2,200,000 + 1,500,000) / 3.
      expect(inVietnam.budgetImpact?.monthToDate.amountMinor).toBe(100_000);
      expect(inVietnam.budgetImpact?.previousAverage?.amountMinor).toBe(1_900_000);
      expect(inNewYork.budgetImpact?.monthToDate.amountMinor).toBe(1_500_000);
      expect(inNewYork.budgetImpact?.previousAverage?.amountMinor).toBe(2_000_000);
    });

    it("uses the totals of the payment's currency", () => {
      // Prepare
      const usd: PlannedTransaction = { amountMinor: 12_000, currency: "USD", mcc: "5732" };

      // Act
      const { budgetImpact } = buildContextTips(english(usd));

      // Assess
      // Shopping in USD: 200.00 in October only, so the average is 200.00.
      expect(budgetImpact?.previousAverage?.formatted).toBe("$200.00");
      expect(budgetImpact?.afterPayment.formatted).toBe("$120.00");
      expect(budgetImpact?.percentOfAverage).toBe(60);
    });

    it("is null for a currency the customer does not hold", () => {
      // Act
      const { budgetImpact } = buildContextTips(sampleInput(BANGKOK_DINNER));

      // Assess
      expect(budgetImpact).toBeNull();
    });
  });

  describe("foreign fees", () => {
    it("notes the fee in Vietnamese", () => {
      // Act
      const { foreignFees } = buildContextTips(sampleInput(BANGKOK_DINNER));

      // Assess
      expect(foreignFees).toEqual({
        country: "TH",
        countryName: "Thái Lan",
        feePercent: 2.5,
        exchangeRateSource: "tỷ giá bán của Vietcombank tại thời điểm thanh toán",
        title: "Phí giao dịch nước ngoài 2,5%",
        body:
          "Thanh toán tại Thái Lan chịu phí giao dịch nước ngoài bằng 2,5% số tiền giao dịch. " +
          "Số tiền được quy đổi theo tỷ giá bán của Vietcombank tại thời điểm thanh toán.",
      });
    });

    it("notes the fee in English", () => {
      // Act
      const { foreignFees } = buildContextTips(english(BANGKOK_DINNER));

      // Assess
      expect(foreignFees?.title).toBe("2.5% foreign transaction fee");
      expect(foreignFees?.body).toBe(
        "Payments in Thailand carry a foreign transaction fee of 2.5% of the amount. " +
          "The amount is converted at Vietcombank's selling rate at settlement.",
      );
    });

    it("never quotes an exchange rate", () => {
      // Act
      const { foreignFees } = buildContextTips(english(BANGKOK_DINNER));

      // Assess
      expect(foreignFees?.body).not.toMatch(/THB|฿|\d+[.,]\d{3}/u);
    });

    it("applies to a domestic-currency payment abroad", () => {
      // Act
      const { foreignFees, budgetImpact } = buildContextTips(sampleInput({ ...COFFEE, country: "SG" }));

      // Assess
      expect(foreignFees?.countryName).toBe("Singapore");
      expect(budgetImpact?.afterPayment.amountMinor).toBe(1_585_000);
    });

    it.each<[string, PlannedTransaction]>([
      ["home country", COFFEE],
      ["lower-case home country", { ...COFFEE, country: "vn" }],
      ["no country", { amountMinor: 85_000, currency: "VND" }],
    ])("is null for %s", (_case, transaction) => {
      // Act
      const { foreignFees } = buildContextTips(sampleInput(transaction));

      // Assess
      expect(foreignFees).toBeNull();
    });

    it("composes the rate source to NFC", () => {
      // Prepare
      const foreignFees: ForeignFeeSettings = {
        feePercent: 3,
        exchangeRateSource: {
          vi: "tỷ giá bán của ngân hàng".normalize("NFD"),
          en: "the bank's selling rate",
        },
      };

      // Act
      const tips = buildContextTips(sampleInput(BANGKOK_DINNER, { foreignFees }));

      // Assess
      expect(tips.foreignFees?.exchangeRateSource).toBe("tỷ giá bán của ngân hàng".normalize("NFC"));
      expect(tips.foreignFees?.title).toBe("Phí giao dịch nước ngoài 3%");
    });
  });

  describe("instalment", () => {
    it("splits a purchase into 6 and 12 months", () => {
      // Act
      const { instalment } = buildContextTips(sampleInput(LAPTOP));

      // Assess
      // 25,000,001 / 6 = 4,166,666.83 and 25,000,001 / 12 = 2,083,333.42, both rounded up but the last.
      expect(instalment?.eligible).toBe(true);
      if (!instalment?.eligible) return;
      expect(instalment.minimum.amountMinor).toBe(5_000_000);
      expect(
        instalment.plans.map((plan) => [
          plan.months,
          plan.monthlyAmount.amountMinor,
          plan.lastMonthlyAmount.amountMinor,
          plan.totalAmount.amountMinor,
        ]),
      ).toEqual([
        [6, 4_166_667, 4_166_666, 25_000_001],
        [12, 2_083_334, 2_083_327, 25_000_001],
      ]);
    });

    it("words the plans in Vietnamese", () => {
      // Act
      const { instalment } = buildContextTips(sampleInput(LAPTOP));

      // Assess
      if (!instalment?.eligible) throw new Error("expected an eligible instalment tip");
      expect(spaced(instalment.title)).toBe("Trả góp giao dịch 25.000.001 ₫");
      expect(spaced(instalment.body)).toBe(
        "Bạn có thể chia giao dịch này thành 6 kỳ, mỗi kỳ 4.166.667 ₫, hoặc 12 kỳ, mỗi kỳ 2.083.334 ₫. " +
          "Số tiền mỗi kỳ chưa gồm phí và lãi (nếu có).",
      );
    });

    it("words the plans in English", () => {
      // Prepare
      const purchase: PlannedTransaction = { amountMinor: 123_457, currency: "USD", mcc: "5732" };

      // Act
      const { instalment } = buildContextTips(english(purchase));

      // Assess
      if (!instalment?.eligible) throw new Error("expected an eligible instalment tip");
      expect(instalment.plans.map((plan) => plan.monthlyAmount.formatted)).toEqual(["$205.77", "$102.89"]);
      expect(instalment.title).toBe("Pay $1,234.57 in instalments");
      expect(instalment.body).toBe(
        "Split this purchase into 6 monthly payments of $205.77 or 12 payments of $102.89. " +
          "Fees and interest, if any, are not included.",
      );
    });

    it.each([
      [4_999_999, false],
      [5_000_000, true],
      [5_000_001, true],
    ])("checks the minimum at %d ₫", (amountMinor, expected) => {
      // Act
      const { instalment } = buildContextTips(sampleInput({ ...LAPTOP, amountMinor }));

      // Assess
      expect(instalment?.eligible).toBe(expected);
      expect(spaced(instalment?.minimum.formatted ?? "")).toBe("5.000.000 ₫");
    });

    it.each([5_000_000, 5_000_001, 7_777_777, 99_999_999_999, Number.MAX_SAFE_INTEGER - 1_000_000])(
      "sums the plans of %d back to the price",
      (amountMinor) => {
        // Act
        const { instalment } = buildContextTips(sampleInput({ ...LAPTOP, amountMinor }));

        // Assess
        if (!instalment?.eligible) throw new Error("expected an eligible instalment tip");
        expect(instalment.plans.map((plan) => plan.months)).toEqual([...INSTALMENT_TERMS]);
        for (const plan of instalment.plans) {
          const sum =
            BigInt(plan.monthlyAmount.amountMinor) * BigInt(plan.months - 1) +
            BigInt(plan.lastMonthlyAmount.amountMinor);
          expect(sum).toBe(BigInt(amountMinor));
          expect(plan.totalAmount.amountMinor).toBe(amountMinor);
          expect(plan.lastMonthlyAmount.amountMinor).toBeGreaterThan(0);
          expect(plan.lastMonthlyAmount.amountMinor).toBeLessThanOrEqual(plan.monthlyAmount.amountMinor);
          expect(Number.isSafeInteger(plan.monthlyAmount.amountMinor)).toBe(true);
        }
      },
    );

    it.each<[string, PlannedTransaction]>([
      ["a transfer", { ...LAPTOP, channel: "transfer" }],
      ["a QR payment", { ...LAPTOP, channel: "qr" }],
      ["a currency without a minimum", { ...BANGKOK_DINNER, amountMinor: 50_000_000 }],
    ])("is null for %s", (_case, transaction) => {
      // Act
      const { instalment } = buildContextTips(sampleInput(transaction));

      // Assess
      expect(instalment).toBeNull();
    });
  });

  describe("input", () => {
    it.each([0, -85_000, 1.5, Number.NaN, Number.MAX_SAFE_INTEGER + 1])(
      "rejects the amount %d",
      (amountMinor) => {
        // Act
        const act = () => buildContextTips(sampleInput({ ...COFFEE, amountMinor }));

        // Assess
        expect(act).toThrow(InvalidPlannedTransactionError);
      },
    );

    it("rejects an unknown currency", () => {
      // Act
      const act = () => buildContextTips(sampleInput({ ...COFFEE, currency: "XYZ" }));

      // Assess
      expect(act).toThrow('Unknown currency "XYZ": expected an active ISO 4217 code such as VND');
    });

    it.each([-1, 100.5, Number.NaN, Number.POSITIVE_INFINITY])("rejects the fee percent %d", (feePercent) => {
      // Act
      const act = () =>
        buildContextTips(sampleInput(COFFEE, { foreignFees: { ...FOREIGN_FEES, feePercent } }));

      // Assess
      expect(act).toThrow(RangeError);
    });
  });

  describe("text", () => {
    it.each<Language>(["vi", "en"])("returns NFC text in %s", (language) => {
      // Prepare
      const transaction: PlannedTransaction = {
        ...LAPTOP,
        merchantName: "Điện Máy Xanh Thủ Đức".normalize("NFD"),
        country: "KR",
      };

      // Act
      const tips = buildContextTips(
        sampleInput(transaction, { preferences: { language, timeZone: VIETNAM } }),
      );

      // Assess
      const texts = strings(tips);
      expect(texts.length).toBeGreaterThan(10);
      for (const text of texts) expect(text).toBe(text.normalize("NFC"));
    });

    it("returns plain JSON", () => {
      // Act
      const tips = buildContextTips(sampleInput(LAPTOP));

      // Assess
      expect(JSON.parse(JSON.stringify(tips))).toEqual(tips);
    });
  });
});
