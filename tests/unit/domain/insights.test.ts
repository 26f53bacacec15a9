import { describe, expect, it } from "vitest";
import type { Category } from "../../../lambdas/domain/categories";
import { AmountOverflowError } from "../../../lambdas/domain/errors";
import {
  averageMinor,
  buildInsights,
  changePercentOf,
  type Insights,
  type InsightsInput,
  InvalidMonthError,
  localMonth,
  previousMonthKeys,
  type SavingsOpportunity,
  scaleMinor,
} from "../../../lambdas/domain/insights";
import { MessageRenderer } from "../../../lambdas/domain/messages/render";
import type { Language } from "../../../lambdas/domain/preferences";
import {
  type AccountState,
  type CustomerProfile,
  emptyProfile,
  type MonthAggregate,
  type MonthTotals,
} from "../../../lambdas/domain/profile";
import type { PayeeHistory } from "../../../lambdas/domain/recurring";
import { defaultRuleSet } from "../../../lambdas/domain/rules/default-catalog";

const renderer = new MessageRenderer();
const { defaults } = defaultRuleSet().catalog;

const VIETNAM = "Asia/Ho_Chi_Minh";
const NEW_YORK = "America/New_York";

/** 10:00 in Vietnam on 20 November 2026: day 20 of a 30-day month, 10 days left. */
const NOW = Date.parse("2026-11-20T10:00:00+07:00");

/** Replaces the no-break spaces that `Intl` puts in amounts with plain spaces, for readable expectations. */
function spaced(text: string): string {
  return text.replace(/[\u00a0\u202f]/gu, " ");
}

/** Builds one month's totals in minor units, counting one transaction per category. */
function totals(
  spending: Partial<Record<Category, number>>,
  income: Partial<Record<Category, number>> = {},
): MonthTotals {
  return {
    spending,
    income,
    debitCount: Object.keys(spending).length,
    creditCount: Object.keys(income).length,
  };
}

const SALARY: Partial<Record<Category, number>> = { income: 20_000_000 };

/**
 * Four months of VND totals and one USD transfer. The November averages of the three months before
 * are 2,333,333 for food and drink, 3,100,000 for groceries, 8,000,000 for housing, 1,333,333 for
 * travel and 15,766,667 for all spending, which is (18,000,000 + 14,500,000 + 14,800,000) / 3.
 */
function sampleMonths(): Record<string, MonthAggregate> {
  return {
    "2026-08": {
      VND: totals(
        {
          food_drink: 2_000_000,
          groceries: 3_000_000,
          housing: 8_000_000,
          bills_utilities: 1_000_000,
          travel: 4_000_000,
        },
        SALARY,
      ),
    },
    "2026-09": {
      VND: totals(
        { food_drink: 2_400_000, groceries: 3_000_000, housing: 8_000_000, bills_utilities: 1_100_000 },
        SALARY,
      ),
    },
    "2026-10": {
      VND: totals(
        { food_drink: 2_600_000, groceries: 3_300_000, housing: 8_000_000, bills_utilities: 900_000 },
        SALARY,
      ),
      USD: totals({ transfers: 10_000 }),
    },
    "2026-11": {
      VND: totals(
        { food_drink: 3_500_000, groceries: 2_000_000, housing: 8_000_000, shopping: 1_000_000 },
        SALARY,
      ),
    },
  };
}

/** Builds a recurring payee with three payments ending on `lastDate`. */
function payee(fields: Partial<PayeeHistory> & Pick<PayeeHistory, "name" | "category">): PayeeHistory {
  return {
    direction: "debit",
    currency: "VND",
    dates: ["2026-08-25", "2026-09-25", "2026-10-25"],
    lastAmountMinor: 100_000,
    cadence: "monthly",
    nextDate: "2026-11-25",
    ...fields,
  };
}

/** Payees of the sample customer, covering each case of the forecast and the bill list. */
function samplePayees(): Record<string, PayeeHistory> {
  return {
    evn: payee({ name: "EVN HCMC", category: "bills_utilities", lastAmountMinor: 950_000 }),
    rent: payee({
      name: "Chủ nhà Nguyễn Văn B",
      category: "housing",
      dates: ["2026-09-03", "2026-10-03", "2026-11-03"],
      lastAmountMinor: 8_000_000,
      nextDate: "2026-12-03",
    }),
    netflix: payee({
      name: "Netflix",
      category: "entertainment",
      dates: ["2026-08-28", "2026-09-28", "2026-10-28"],
      lastAmountMinor: 260_000,
      nextDate: "2026-11-28",
    }),
    yoga: payee({
      name: "Yoga Studio",
      category: "health",
      dates: ["2026-10-30", "2026-11-06", "2026-11-13"],
      lastAmountMinor: 150_000,
      cadence: "weekly",
      nextDate: "2026-11-20",
    }),
    salary: payee({
      name: "Công ty ABC",
      category: "income",
      direction: "credit",
      dates: ["2026-09-05", "2026-10-05", "2026-11-05"],
      lastAmountMinor: 20_000_000,
      nextDate: "2026-12-05",
    }),
    hosting: payee({
      name: "Cloud Hosting",
      category: "bills_utilities",
      currency: "USD",
      dates: ["2026-08-22", "2026-09-22", "2026-10-22"],
      lastAmountMinor: 1_500,
      nextDate: "2026-11-22",
    }),
    insurance: payee({
      name: "Bảo Việt",
      category: "insurance",
      dates: ["2023-12-25", "2024-12-25", "2025-12-25"],
      lastAmountMinor: 6_000_000,
      cadence: "yearly",
      nextDate: "2026-12-25",
    }),
    spotify: payee({
      name: "Spotify",
      category: "entertainment",
      dates: ["2026-05-10", "2026-06-10", "2026-07-10"],
      lastAmountMinor: 59_000,
      nextDate: "2026-08-10",
    }),
    cafe: {
      name: "Highlands Coffee",
      category: "food_drink",
      direction: "debit",
      currency: "VND",
      dates: ["2026-11-02", "2026-11-19"],
      lastAmountMinor: 55_000,
    },
  };
}

function account(currency: string, balanceMinor: number): AccountState {
  return {
    currency,
    balanceMinor,
    balanceAsOf: "2026-11-19T12:00:00+07:00",
    balanceTransactionId: "txn-1",
  };
}

function sampleProfile(): CustomerProfile {
  return {
    ...emptyProfile("cust-0001"),
    accounts: {
      "acc-main": account("VND", 150_000_000),
      "acc-spare": account("VND", 20_000_000),
      "acc-usd": account("USD", 100_000),
    },
    payees: samplePayees(),
  };
}

function sampleInput(changes: Partial<InsightsInput> = {}): InsightsInput {
  return {
    profile: sampleProfile(),
    months: sampleMonths(),
    month: "2026-11",
    nowMs: NOW,
    preferences: { language: "vi", timeZone: VIETNAM },
    renderer,
    homeCurrency: "VND",
    defaults,
    ...changes,
  };
}

/** Returns the opportunity of `kind`, failing the test when there is none. */
function opportunity<Kind extends SavingsOpportunity["kind"]>(
  insights: Insights,
  kind: Kind,
): Extract<SavingsOpportunity, { kind: Kind }> {
  const found = insights.savingsOpportunities.find(
    (entry): entry is Extract<SavingsOpportunity, { kind: Kind }> => entry.kind === kind,
  );
  if (!found) throw new Error(`expected a ${kind} opportunity`);
  return found;
}

/** Collects every string in a JSON-like value. */
function strings(value: unknown): string[] {
  if (typeof value === "string") return [value];
  if (Array.isArray(value)) return value.flatMap(strings);
  if (value !== null && typeof value === "object") return Object.values(value).flatMap(strings);
  return [];
}

describe("scaleMinor", () => {
  it.each([
    [7, 1, 2, 4],
    [5, 1, 2, 3],
    [4, 1, 2, 2],
    [-7, 1, 2, -4],
    [6_500_000, 10, 20, 3_250_000],
    [7_000_000, 1, 3, 2_333_333],
    [8_000_000, 1, 3, 2_666_667],
    [260_000, 52, 12, 1_126_667],
    [Number.MAX_SAFE_INTEGER, 1, 3, 3_002_399_751_580_330],
    [Number.MAX_SAFE_INTEGER, 3, 3, Number.MAX_SAFE_INTEGER],
    [0, 5, 7, 0],
  ])("scales %d by %d/%d to %d", (amount, numerator, denominator, expected) => {
    // Act
    const scaled = scaleMinor(amount, numerator, denominator);

    // Assess
    expect(scaled).toBe(expected);
  });

  it("raises when the result overflows", () => {
    // Act
    const act = () => scaleMinor(Number.MAX_SAFE_INTEGER, 2, 1);

    // Assess
    expect(act).toThrow(AmountOverflowError);
  });

  it.each([
    [1, 1, 0],
    [1.5, 1, 2],
    [1, 1, -2],
  ])("rejects %d × %d / %d", (amount, numerator, denominator) => {
    // Act
    const act = () => scaleMinor(amount, numerator, denominator);

    // Assess
    expect(act).toThrow(RangeError);
  });
});

describe("averageMinor", () => {
  it("returns null for no months", () => {
    expect(averageMinor([])).toBeNull();
  });

  it("rounds half up", () => {
    expect(averageMinor([1, 2])).toBe(2);
    expect(averageMinor([2_000_000, 2_400_000, 2_600_000])).toBe(2_333_333);
  });
});

describe("changePercentOf", () => {
  it.each([
    [3_500_000, 2_333_333, 50],
    [2_000_000, 3_100_000, -35],
    [8_000_000, 8_000_000, 0],
    [0, 2_000_000, -100],
    [999_999, 1_000_000, 0],
    [1_000_000, 0, null],
    [1_000_000, null, null],
  ])("compares %d with %s", (amount, average, expected) => {
    // Act
    const percent = changePercentOf(amount, average);

    // Assess
    expect(percent).toBe(expected);
  });

  it("never returns negative zero", () => {
    expect(Object.is(changePercentOf(999_999, 1_000_000), 0)).toBe(true);
  });
});

describe("localMonth", () => {
  it.each([
    ["2026-11-30T17:00:00Z", VIETNAM, "2026-12"],
    ["2026-11-30T17:00:00Z", NEW_YORK, "2026-11"],
    ["2026-12-31T23:30:00Z", "Pacific/Kiritimati", "2027-01"],
  ])("places %s in %s in its month", (instant, timeZone, expected) => {
    expect(localMonth(Date.parse(instant), timeZone)).toBe(expected);
  });
});

describe("previousMonthKeys", () => {
  it("crosses the year boundary", () => {
    expect(previousMonthKeys("2027-02")).toEqual(["2026-11", "2026-12", "2027-01"]);
  });
});

describe("buildInsights", () => {
  describe("currency", () => {
    it("reports the main currency", () => {
      // Act
      const insights = buildInsights(sampleInput());

      // Assess
      expect(insights.month).toBe("2026-11");
      expect(insights.currency).toBe("VND");
      expect(insights.otherCurrencies).toEqual(["USD"]);
    });

    it("picks the currency with most transactions", () => {
      // Prepare
      const months: Record<string, MonthAggregate> = {
        "2026-11": {
          VND: totals({ food_drink: 100_000 }),
          USD: totals({ food_drink: 2_000, shopping: 5_000, travel: 90_000 }),
        },
      };

      // Act
      const insights = buildInsights(sampleInput({ months }));

      // Assess
      expect(insights.currency).toBe("USD");
      expect(insights.otherCurrencies).toEqual(["VND"]);
      expect(insights.spendingTotal.amountMinor).toBe(97_000);
    });

    it("breaks a tie with the home currency", () => {
      // Prepare
      const months: Record<string, MonthAggregate> = {
        "2026-11": { EUR: totals({ food_drink: 2_000 }), VND: totals({ food_drink: 100_000 }) },
      };

      // Act
      const insights = buildInsights(sampleInput({ months }));

      // Assess
      expect(insights.currency).toBe("VND");
    });

    it("falls back to the home currency", () => {
      // Act
      const insights = buildInsights(
        sampleInput({ months: {}, profile: emptyProfile("cust-0002"), homeCurrency: "VND" }),
      );

      // Assess
      expect(insights.currency).toBe("VND");
      expect(insights.otherCurrencies).toEqual([]);
      expect(insights.spending).toEqual([]);
      expect(spaced(insights.spendingTotal.formatted)).toBe("0 ₫");
      expect(insights.income.categories).toEqual([]);
      expect(insights.savingsOpportunities).toEqual([]);
    });

    it("ignores months outside the compared window", () => {
      // Prepare
      const months = { ...sampleMonths(), "2026-07": { EUR: totals({ shopping: 900_000 }) } };

      // Act
      const insights = buildInsights(sampleInput({ months }));

      // Assess
      expect(insights.otherCurrencies).toEqual(["USD"]);
    });
  });

  describe("spending", () => {
    it("lists categories by amount with averages", () => {
      // Act
      const { spending } = buildInsights(sampleInput());

      // Assess
      expect(
        spending.map((row) => [
          row.category,
          row.amount.amountMinor,
          row.previousAverage?.amountMinor ?? null,
          row.changePercent,
        ]),
      ).toEqual([
        ["housing", 8_000_000, 8_000_000, 0],
        ["food_drink", 3_500_000, 2_333_333, 50],
        ["groceries", 2_000_000, 3_100_000, -35],
        ["shopping", 1_000_000, 0, null],
      ]);
    });

    it("formats amounts and labels in Vietnamese", () => {
      // Act
      const { spending, spendingTotal } = buildInsights(sampleInput());

      // Assess
      const food = spending.find((row) => row.category === "food_drink");
      expect(food?.label).toBe("ăn uống");
      expect(spaced(food?.amount.formatted ?? "")).toBe("3.500.000 ₫");
      expect(spaced(food?.previousAverage?.formatted ?? "")).toBe("2.333.333 ₫");
      expect(food?.amount.currency).toBe("VND");
      expect(spendingTotal.amountMinor).toBe(14_500_000);
      expect(spaced(spendingTotal.formatted)).toBe("14.500.000 ₫");
    });

    it("formats amounts and labels in English", () => {
      // Act
      const { spending } = buildInsights(sampleInput({ preferences: { language: "en", timeZone: VIETNAM } }));

      // Assess
      const food = spending.find((row) => row.category === "food_drink");
      expect(food?.label).toBe("food and drink");
      expect(food?.amount.formatted).toBe("₫3,500,000");
    });

    it("shows a past month's empty category", () => {
      // Act
      const { spending } = buildInsights(sampleInput({ month: "2026-10" }));

      // Assess
      const travel = spending.find((row) => row.category === "travel");
      expect(travel?.amount.amountMinor).toBe(0);
      expect(travel?.previousAverage?.amountMinor).toBe(2_000_000);
      expect(travel?.changePercent).toBe(-100);
      expect(spending.at(-1)?.category).toBe("travel");
    });

    it("hides the current month's empty category", () => {
      // Act
      const { spending } = buildInsights(sampleInput());

      // Assess
      expect(spending.map((row) => row.category)).not.toContain("travel");
      expect(spending.map((row) => row.category)).not.toContain("bills_utilities");
    });

    it("averages only months with data", () => {
      // Act
      const { spending } = buildInsights(sampleInput({ month: "2026-10" }));

      // Assess
      const food = spending.find((row) => row.category === "food_drink");
      expect(food?.previousAverage?.amountMinor).toBe(2_200_000);
      expect(food?.changePercent).toBe(18);
    });

    it("gives null averages without previous months", () => {
      // Prepare
      const months = { "2026-11": sampleMonths()["2026-11"] ?? {} };

      // Act
      const { spending } = buildInsights(sampleInput({ months }));

      // Assess
      expect(spending).toHaveLength(4);
      for (const row of spending) {
        expect(row.previousAverage, row.category).toBeNull();
        expect(row.changePercent, row.category).toBeNull();
      }
    });
  });

  describe("income", () => {
    it("totals credits by category", () => {
      // Prepare
      const months = {
        ...sampleMonths(),
        "2026-11": { VND: totals({ food_drink: 1 }, { income: 20_000_000, fees_interest: 12_345 }) },
      };

      // Act
      const { income } = buildInsights(sampleInput({ months }));

      // Assess
      expect(income.total.amountMinor).toBe(20_012_345);
      expect(spaced(income.total.formatted)).toBe("20.012.345 ₫");
      expect(income.categories.map((row) => [row.category, row.label, row.amount.amountMinor])).toEqual([
        ["income", "thu nhập", 20_000_000],
        ["fees_interest", "phí và lãi", 12_345],
      ]);
    });
  });

  describe("forecast", () => {
    it("projects the current month by hand", () => {
      // Act
      const { forecast } = buildInsights(sampleInput());

      // Assess
      // Spent 14,500,000, of which food, groceries and shopping are day-to-day: 6,500,000 in 20 days.
      // 6,500,000 / 20 × 10 remaining days = 3,250,000. Still due: EVN 950,000 on the 25th,
      // Netflix 260,000 on the 28th, yoga 150,000 on the 20th and 27th. Total 19,260,000.
      expect(forecast).not.toBeNull();
      expect(forecast?.method).toBe("daily_pace_plus_recurring");
      expect(forecast?.asOfDate).toBe("2026-11-20");
      expect(forecast?.daysElapsed).toBe(20);
      expect(forecast?.daysRemaining).toBe(10);
      expect(forecast?.spentSoFar.amountMinor).toBe(14_500_000);
      expect(forecast?.discretionarySoFar.amountMinor).toBe(6_500_000);
      expect(forecast?.projectedDiscretionary.amountMinor).toBe(3_250_000);
      expect(forecast?.knownRecurring.amountMinor).toBe(1_510_000);
      expect(forecast?.projectedTotal.amountMinor).toBe(19_260_000);
      expect(spaced(forecast?.projectedTotal.formatted ?? "")).toBe("19.260.000 ₫");
    });

    it("lists the recurring payments still due", () => {
      // Act
      const { forecast } = buildInsights(sampleInput());

      // Assess
      expect(forecast?.recurringPayments.map((payment) => [payment.name, payment.dueDate])).toEqual([
        ["Yoga Studio", "2026-11-20"],
        ["EVN HCMC", "2026-11-25"],
        ["Yoga Studio", "2026-11-27"],
        ["Netflix", "2026-11-28"],
      ]);
    });

    it("explains the method in Vietnamese", () => {
      // Act
      const { forecast } = buildInsights(sampleInput());

      // Assess
      expect(spaced(forecast?.explanation ?? "")).toBe(
        "Bạn đã chi 14.500.000 ₫ trong 20 ngày đầu tháng, trong đó 6.500.000 ₫ là chi tiêu hằng ngày. " +
          "Nếu tiếp tục chi tiêu hằng ngày với nhịp độ này trong 10 ngày còn lại và thanh toán 1.510.000 ₫ " +
          "cho các khoản định kỳ sắp đến hạn trong tháng, tổng chi tiêu tháng này sẽ vào khoảng 19.260.000 ₫.",
      );
    });

    it("explains the method in English", () => {
      // Act
      const { forecast } = buildInsights(sampleInput({ preferences: { language: "en", timeZone: VIETNAM } }));

      // Assess
      expect(forecast?.explanation).toBe(
        "You've spent ₫14,500,000 in the first 20 days of the month, ₫6,500,000 of it day-to-day. " +
          "If your day-to-day spending keeps this pace for the remaining 10 days and you pay ₫1,510,000 " +
          "in recurring payments still due this month, you'll spend about ₫19,260,000 in total.",
      );
    });

    it("skips a monthly bill already paid this month", () => {
      // Prepare
      const profile = sampleProfile();
      const early = payee({
        name: "VNPT",
        category: "bills_utilities",
        dates: ["2026-09-01", "2026-10-01", "2026-11-02"],
        nextDate: "2026-11-30",
      });

      // Act
      const { forecast } = buildInsights(
        sampleInput({ profile: { ...profile, payees: { ...profile.payees, vnpt: early } } }),
      );

      // Assess
      expect(forecast?.recurringPayments.map((payment) => payment.name)).not.toContain("VNPT");
      expect(forecast?.knownRecurring.amountMinor).toBe(1_510_000);
    });

    it("skips a missed date before today", () => {
      // Prepare
      // The yoga payment expected on the 13th never came, so only the 20th and 27th are still due.
      const profile = sampleProfile();
      const missed = payee({
        name: "Yoga Studio",
        category: "health",
        dates: ["2026-10-23", "2026-10-30", "2026-11-06"],
        lastAmountMinor: 150_000,
        cadence: "weekly",
        nextDate: "2026-11-13",
      });

      // Act
      const { forecast } = buildInsights(
        sampleInput({ profile: { ...profile, payees: { ...profile.payees, yoga: missed } } }),
      );

      // Assess
      const yogaDates = forecast?.recurringPayments
        .filter((payment) => payment.payeeKey === "yoga")
        .map((payment) => payment.dueDate);
      expect(yogaDates).toEqual(["2026-11-20", "2026-11-27"]);
      expect(forecast?.knownRecurring.amountMinor).toBe(1_510_000);
    });

    it("is null for a past month", () => {
      // Act
      const insights = buildInsights(sampleInput({ month: "2026-10" }));

      // Assess
      expect(insights.forecast).toBeNull();
    });

    it("counts days in the customer's zone", () => {
      // Prepare
      // 18:00 UTC on 30 November is 1 December in Vietnam but 13:00 on 30 November in New York.
      const nowMs = Date.parse("2026-11-30T18:00:00Z");

      // Act
      const inVietnam = buildInsights(sampleInput({ nowMs }));
      const inNewYork = buildInsights(
        sampleInput({ nowMs, preferences: { language: "vi", timeZone: NEW_YORK } }),
      );

      // Assess
      expect(inVietnam.forecast).toBeNull();
      expect(inNewYork.forecast?.asOfDate).toBe("2026-11-30");
      expect(inNewYork.forecast?.daysElapsed).toBe(30);
      expect(inNewYork.forecast?.daysRemaining).toBe(0);
      expect(inNewYork.forecast?.projectedDiscretionary.amountMinor).toBe(0);
    });

    it.each([
      ["2026-11-01T08:00:00+07:00", 1, 29, 188_500_000],
      ["2026-11-15T08:00:00+07:00", 15, 15, 6_500_000],
      ["2026-11-29T08:00:00+07:00", 29, 1, 224_138],
    ])("extends the daily pace on %s", (instant, elapsed, remaining, projected) => {
      // Act
      const { forecast } = buildInsights(sampleInput({ nowMs: Date.parse(instant) }));

      // Assess
      // 6,500,000 × remaining / elapsed, rounded half up: 224,137.93 becomes 224,138.
      expect(forecast?.daysElapsed).toBe(elapsed);
      expect(forecast?.daysRemaining).toBe(remaining);
      expect(forecast?.projectedDiscretionary.amountMinor).toBe(projected);
    });

    it("handles a month of 31 days", () => {
      // Prepare
      const months = { "2026-12": { VND: totals({ food_drink: 3_100_000 }) } };

      // Act
      const { forecast } = buildInsights(
        sampleInput({
          months,
          month: "2026-12",
          nowMs: Date.parse("2026-12-10T12:00:00+07:00"),
          profile: emptyProfile("cust-0003"),
        }),
      );

      // Assess
      // 3,100,000 in 10 days, extended over 21 days: 6,510,000.
      expect(forecast?.daysRemaining).toBe(21);
      expect(forecast?.projectedDiscretionary.amountMinor).toBe(6_510_000);
      expect(forecast?.projectedTotal.amountMinor).toBe(9_610_000);
    });
  });

  describe("recurring", () => {
    it("lists recurring payees by next date", () => {
      // Act
      const { recurring } = buildInsights(sampleInput());

      // Assess
      expect(
        recurring.payees.map((entry) => [entry.name, entry.direction, entry.cadence, entry.nextDate]),
      ).toEqual([
        ["Spotify", "debit", "monthly", "2026-08-10"],
        ["Yoga Studio", "debit", "weekly", "2026-11-20"],
        ["Cloud Hosting", "debit", "monthly", "2026-11-22"],
        ["EVN HCMC", "debit", "monthly", "2026-11-25"],
        ["Netflix", "debit", "monthly", "2026-11-28"],
        ["Chủ nhà Nguyễn Văn B", "debit", "monthly", "2026-12-03"],
        ["Công ty ABC", "credit", "monthly", "2026-12-05"],
        ["Bảo Việt", "debit", "yearly", "2026-12-25"],
      ]);
    });

    it("formats the last amount in its currency", () => {
      // Act
      const { recurring } = buildInsights(sampleInput());

      // Assess
      const hosting = recurring.payees.find((entry) => entry.payeeKey === "hosting");
      expect(hosting?.lastAmount.amountMinor).toBe(1_500);
      expect(hosting?.lastAmount.currency).toBe("USD");
      expect(spaced(hosting?.lastAmount.formatted ?? "")).toBe("15,00 US$");
      expect(hosting?.lastDate).toBe("2026-10-22");
      expect(hosting?.label).toBe("hóa đơn và tiện ích");
    });

    it("lists bills due within 30 days", () => {
      // Act
      const { recurring } = buildInsights(sampleInput());

      // Assess
      expect(recurring.upcomingBills.map((bill) => [bill.name, bill.dueDate, bill.daysUntilDue])).toEqual([
        ["Yoga Studio", "2026-11-20", 0],
        ["Cloud Hosting", "2026-11-22", 2],
        ["EVN HCMC", "2026-11-25", 5],
        ["Netflix", "2026-11-28", 8],
        ["Chủ nhà Nguyễn Văn B", "2026-12-03", 13],
      ]);
    });

    it("includes a bill due in exactly 30 days", () => {
      // Prepare
      const profile = {
        ...sampleProfile(),
        payees: { edge: payee({ name: "Edge", category: "loans", nextDate: "2026-12-20" }) },
      };

      // Act
      const { recurring } = buildInsights(sampleInput({ profile }));

      // Assess
      expect(recurring.upcomingBills.map((bill) => bill.daysUntilDue)).toEqual([30]);
    });

    it("composes payee names to NFC", () => {
      // Prepare
      const profile = {
        ...sampleProfile(),
        payees: { power: payee({ name: "Điện lực Hà Nội".normalize("NFD"), category: "bills_utilities" }) },
      };

      // Act
      const { recurring } = buildInsights(sampleInput({ profile }));

      // Assess
      expect(recurring.payees[0]?.name).toBe("Điện lực Hà Nội".normalize("NFC"));
      expect(recurring.upcomingBills[0]?.name).toBe("Điện lực Hà Nội".normalize("NFC"));
    });
  });

  describe("savings opportunities", () => {
    it("lists the kinds in order", () => {
      // Act
      const insights = buildInsights(sampleInput());

      // Assess
      expect(insights.savingsOpportunities.map((entry) => entry.id)).toEqual([
        "cut_back:food_drink:2026-11",
        "review_subscriptions:2026-11",
        "term_deposit:2026-11",
        "save_surplus:2026-11",
      ]);
    });

    it("suggests cutting back a rising category", () => {
      // Act
      const cutBack = opportunity(buildInsights(sampleInput()), "cut_back");

      // Assess
      expect(cutBack.category).toBe("food_drink");
      expect(cutBack.changePercent).toBe(50);
      expect(cutBack.excess.amountMinor).toBe(1_166_667);
      expect(cutBack.title).toBe("Cân nhắc giảm chi cho ăn uống");
      expect(spaced(cutBack.body)).toBe(
        "Trong tháng 11 năm 2026, bạn đã chi 3.500.000 ₫ cho ăn uống, cao hơn 50% so với mức trung bình " +
          "2.333.333 ₫ của các tháng trước, tức nhiều hơn 1.166.667 ₫.",
      );
    });

    it("words the cut-back in English", () => {
      // Act
      const cutBack = opportunity(
        buildInsights(sampleInput({ preferences: { language: "en", timeZone: VIETNAM } })),
        "cut_back",
      );

      // Assess
      expect(cutBack.title).toBe("Consider cutting back on food and drink");
      expect(cutBack.body).toBe(
        "In November 2026, you spent ₫3,500,000 on food and drink, 50% above your average of ₫2,333,333 " +
          "in previous months: ₫1,166,667 more than usual.",
      );
    });

    it("names a past month in the cut-back", () => {
      // Prepare
      const months: Record<string, MonthAggregate> = {
        "2026-09": { VND: totals({ shopping: 2_000_000 }) },
        "2026-10": { VND: totals({ shopping: 3_000_000 }) },
      };

      // Act
      const cutBack = opportunity(buildInsights(sampleInput({ months, month: "2026-10" })), "cut_back");

      // Assess
      expect(cutBack.id).toBe("cut_back:shopping:2026-10");
      expect(spaced(cutBack.body)).toContain("Trong tháng 10 năm 2026, bạn đã chi 3.000.000 ₫ cho mua sắm");
    });

    it.each([
      [2_916_666, false],
      [2_916_667, true],
    ])("needs a 25%% rise at %d", (amount, expected) => {
      // Prepare
      // The average is 2,333,333, and 125% of it is 2,916,666.25.
      const months = { ...sampleMonths(), "2026-11": { VND: totals({ food_drink: amount }) } };

      // Act
      const insights = buildInsights(sampleInput({ months }));

      // Assess
      expect(insights.spending[0]?.changePercent).toBe(25);
      expect(insights.savingsOpportunities.some((entry) => entry.kind === "cut_back")).toBe(expected);
    });

    it("needs the unusual-spending floor", () => {
      // Prepare
      // Food at 900,000 against an average of 600,000 is 50% up but under the 1,000,000 ₫ floor.
      const months: Record<string, MonthAggregate> = {
        "2026-10": { VND: totals({ food_drink: 600_000 }) },
        "2026-11": { VND: totals({ food_drink: 900_000 }) },
      };

      // Act
      const insights = buildInsights(sampleInput({ months }));

      // Assess
      expect(insights.spending[0]?.changePercent).toBe(50);
      expect(insights.savingsOpportunities.map((entry) => entry.kind)).not.toContain("cut_back");
    });

    it("skips cut-backs in non-discretionary categories", () => {
      // Prepare
      const months: Record<string, MonthAggregate> = {
        "2026-10": { VND: totals({ housing: 5_000_000 }) },
        "2026-11": { VND: totals({ housing: 9_000_000 }) },
      };

      // Act
      const insights = buildInsights(sampleInput({ months }));

      // Assess
      expect(insights.savingsOpportunities.map((entry) => entry.kind)).not.toContain("cut_back");
    });

    it("keeps the two largest cut-backs", () => {
      // Prepare
      const months: Record<string, MonthAggregate> = {
        "2026-10": { VND: totals({ food_drink: 1_000_000, shopping: 1_000_000, travel: 1_000_000 }) },
        "2026-11": { VND: totals({ food_drink: 2_000_000, shopping: 4_000_000, travel: 3_000_000 }) },
      };

      // Act
      const insights = buildInsights(sampleInput({ months }));

      // Assess
      const cutBacks = insights.savingsOpportunities.filter((entry) => entry.kind === "cut_back");
      expect(cutBacks.map((entry) => entry.id)).toEqual([
        "cut_back:shopping:2026-11",
        "cut_back:travel:2026-11",
      ]);
    });

    it("totals subscriptions and bills monthly", () => {
      // Act
      const subscriptions = opportunity(buildInsights(sampleInput()), "review_subscriptions");

      // Assess
      // EVN 950,000 and Netflix 260,000. Spotify has lapsed and the hosting bill is in USD.
      expect(subscriptions.payees.map((entry) => [entry.name, entry.monthlyAmount.amountMinor])).toEqual([
        ["EVN HCMC", 950_000],
        ["Netflix", 260_000],
      ]);
      expect(subscriptions.monthlyTotal.amountMinor).toBe(1_210_000);
      expect(spaced(subscriptions.title)).toBe("Dịch vụ và hóa đơn định kỳ: 1.210.000 ₫ mỗi tháng");
      expect(spaced(subscriptions.body)).toBe(
        "Bạn có 2 khoản thanh toán định kỳ cho giải trí và hóa đơn, tổng cộng khoảng 1.210.000 ₫ mỗi tháng. " +
          "Hãy rà soát và hủy những dịch vụ bạn không còn dùng.",
      );
    });

    it("converts cadences to a monthly cost", () => {
      // Prepare
      const profile = {
        ...sampleProfile(),
        payees: {
          weekly: payee({
            name: "Game Pass",
            category: "entertainment",
            cadence: "weekly",
            lastAmountMinor: 60_000,
          }),
          yearly: payee({
            name: "Tên miền",
            category: "bills_utilities",
            cadence: "yearly",
            lastAmountMinor: 1_200_001,
          }),
        },
      };

      // Act
      const subscriptions = opportunity(
        buildInsights(sampleInput({ profile, preferences: { language: "en", timeZone: VIETNAM } })),
        "review_subscriptions",
      );

      // Assess
      // 60,000 × 52 / 12 = 260,000, and 1,200,001 / 12 = 100,000.08 rounds to 100,000.
      expect(subscriptions.payees.map((entry) => entry.monthlyAmount.amountMinor)).toEqual([
        260_000, 100_000,
      ]);
      expect(subscriptions.monthlyTotal.formatted).toBe("₫360,000");
      expect(subscriptions.body).toContain("You have 2 recurring payments for entertainment and bills");
    });

    it("suggests a term deposit for an idle balance", () => {
      // Act
      const deposit = opportunity(buildInsights(sampleInput()), "term_deposit");

      // Assess
      // 170,000,000 in VND accounts, of which 3 × 15,766,667 = 47,300,001 is kept and 122,699,999 deposited.
      expect(deposit.balance.amountMinor).toBe(170_000_000);
      expect(deposit.averageMonthlySpending.amountMinor).toBe(15_766_667);
      expect(deposit.reserve.amountMinor).toBe(47_300_001);
      expect(deposit.suggestedDeposit.amountMinor).toBe(122_699_999);
      expect(spaced(deposit.body)).toBe(
        "Số dư của bạn là 170.000.000 ₫, trong khi chi tiêu trong 3 tháng chỉ cần khoảng 47.300.001 ₫. " +
          "Bạn có thể gửi tiết kiệm có kỳ hạn 122.699.999 ₫ để hưởng lãi suất cao hơn.",
      );
    });

    it.each([
      [147_300_000, false],
      [147_300_001, true],
    ])("needs the idle minimum above the reserve at %d", (balance, expected) => {
      // Prepare
      // The deposit must reach 100,000,000 ₫ after keeping 47,300,001 ₫.
      const profile = { ...sampleProfile(), accounts: { "acc-main": account("VND", balance) } };

      // Act
      const insights = buildInsights(sampleInput({ profile }));

      // Assess
      expect(insights.savingsOpportunities.some((entry) => entry.kind === "term_deposit")).toBe(expected);
    });

    it("suggests saving the monthly surplus", () => {
      // Act
      const surplus = opportunity(buildInsights(sampleInput()), "save_surplus");

      // Assess
      // November is not complete, so August to October: 20,000,000 in, 15,766,667 out.
      expect(surplus.monthsCompared).toBe(3);
      expect(surplus.averageIncome.amountMinor).toBe(20_000_000);
      expect(surplus.averageSpending.amountMinor).toBe(15_766_667);
      expect(surplus.monthlySurplus.amountMinor).toBe(4_233_333);
      expect(spaced(surplus.title)).toBe("Bạn có thể tiết kiệm 4.233.333 ₫ mỗi tháng");
    });

    it("counts a past month as complete", () => {
      // Act
      const surplus = opportunity(buildInsights(sampleInput({ month: "2026-10" })), "save_surplus");

      // Assess
      // August to October, with no data for July: (18,000,000 + 14,500,000 + 14,800,000) / 3.
      expect(surplus.monthsCompared).toBe(3);
      expect(surplus.averageSpending.amountMinor).toBe(15_766_667);
    });

    it("skips a surplus under 10% of income", () => {
      // Prepare
      const months: Record<string, MonthAggregate> = {
        "2026-10": { VND: totals({ housing: 18_000_001 }, SALARY) },
        "2026-11": { VND: totals({ housing: 1 }) },
      };

      // Act
      const insights = buildInsights(sampleInput({ months }));

      // Assess
      expect(insights.savingsOpportunities.map((entry) => entry.kind)).not.toContain("save_surplus");
    });

    it("offers nothing without previous months", () => {
      // Prepare
      const months = { "2026-11": sampleMonths()["2026-11"] ?? {} };
      const profile = { ...sampleProfile(), payees: {} };

      // Act
      const insights = buildInsights(sampleInput({ months, profile }));

      // Assess
      expect(insights.savingsOpportunities).toEqual([]);
    });
  });

  describe("text", () => {
    it.each<Language>(["vi", "en"])("returns NFC text in %s", (language) => {
      // Prepare
      const profile = sampleProfile();
      const decomposed = payee({ name: "Nước sạch Sài Gòn".normalize("NFD"), category: "bills_utilities" });
      const input = sampleInput({
        profile: { ...profile, payees: { ...profile.payees, water: decomposed } },
        preferences: { language, timeZone: VIETNAM },
      });

      // Act
      const texts = strings(buildInsights(input));

      // Assess
      expect(texts.length).toBeGreaterThan(50);
      for (const text of texts) expect(text).toBe(text.normalize("NFC"));
    });

    it("returns plain JSON", () => {
      // Act
      const insights = buildInsights(sampleInput());

      // Assess
      expect(JSON.parse(JSON.stringify(insights))).toEqual(insights);
    });
  });

  describe("month", () => {
    it.each(["2026-13", "2026-1", "November", ""])("rejects %j", (month) => {
      // Act
      const act = () => buildInsights(sampleInput({ month }));

      // Assess
      expect(act).toThrow(InvalidMonthError);
    });

    it("rejects a future month", () => {
      // Act
      const act = () => buildInsights(sampleInput({ month: "2026-12" }));

      // Assess
      expect(act).toThrow(
        'Invalid month "2026-12": it is after the current month 2026-11 in Asia/Ho_Chi_Minh. Request that month or an earlier one',
      );
    });

    it("accepts the next month where it has begun", () => {
      // Prepare
      // 18:00 UTC on 30 November is already 1 December in Vietnam.
      const nowMs = Date.parse("2026-11-30T18:00:00Z");

      // Act
      const insights = buildInsights(sampleInput({ month: "2026-12", nowMs }));

      // Assess
      expect(insights.forecast?.asOfDate).toBe("2026-12-01");
      expect(insights.forecast?.daysElapsed).toBe(1);
    });
  });
});
